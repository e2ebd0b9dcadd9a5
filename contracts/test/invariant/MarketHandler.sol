// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "../utils/Vm.sol";
import {IProverMarket, IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {IAskBook} from "../../src/interfaces/IAskBook.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {MockERC20} from "../mocks/MockERC20.sol";

/// @notice Drives the market through random but well-formed lifecycles and records ghost facts for the invariants.
contract MarketHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    struct BidInfo {
        uint96 fee;
        uint32 latency;
        uint8 lane;
        bool committed;
        bytes32 commitment;
    }

    IProverMarket public immutable market;
    CollateralVault public immutable vault;
    IAskBook public immutable book;
    MockVerifier public immutable verifier;
    MockERC20 public immutable token;
    uint32 public immutable circuitId;
    uint8 public immutable tokenAsset;
    address public immutable treasury;

    address[] public provers;
    address[] public requesters;
    T.Request[] internal _reqs;
    uint256[] internal _pubs;
    mapping(bytes32 => mapping(address => BidInfo)) public bids;
    mapping(bytes32 => uint256) public timesPaid;
    uint64 internal _nonce;

    // Ghost facts checked by the invariants.
    bool public slashExceededLocked;
    bool public slashTouchedFree;
    bool public paymentOutOfBounds;
    uint256 public calls;
    // Success counters (used while developing the handler to confirm every path is reached).
    uint256 public nSubmitted;
    uint256 public nCommitted;
    uint256 public nRevealed;
    uint256 public nAskMatched;
    uint256 public nAccepted;
    uint256 public nSettled;
    uint256 public nLocked;
    uint256 public nFulfilled;
    uint256 public nDelivered;
    uint256 public nSlashed;
    /// @dev Set when a reserve or release moved the wrong amount, or a release beyond the bond balance succeeded.
    bool public bondAccountingBroken;

    constructor(
        IProverMarket market_,
        CollateralVault vault_,
        MockVerifier verifier_,
        MockERC20 token_,
        uint32 circuitId_,
        uint8 tokenAsset_,
        address treasury_,
        address[] memory provers_,
        address[] memory requesters_,
        uint256[] memory pubs_
    ) {
        market = market_;
        vault = vault_;
        book = IAskBook(market_.askBook());
        verifier = verifier_;
        token = token_;
        circuitId = circuitId_;
        tokenAsset = tokenAsset_;
        treasury = treasury_;
        provers = provers_;
        requesters = requesters_;
        _pubs = pubs_;
    }

    // ------------------------------------------------------------------ views for the invariants

    function requestCount() external view returns (uint256) {
        return _reqs.length;
    }

    function requestAt(uint256 i) external view returns (T.Request memory) {
        return _reqs[i];
    }

    function proverCount() external view returns (uint256) {
        return provers.length;
    }

    function requesterCount() external view returns (uint256) {
        return requesters.length;
    }

    // ------------------------------------------------------------------ helpers

    function _pick(uint256 seed) internal view returns (T.Request memory r, bytes32 id, bool ok) {
        uint256 n = _reqs.length;
        if (n == 0) return (r, id, false);
        // Mostly one of the three newest requests, so multi-step lifecycles complete; sometimes any request.
        uint256 i = seed % 4 != 0 ? n - 1 - ((seed >> 8) % (n < 3 ? n : 3)) : (seed >> 8) % n;
        r = _reqs[i];
        id = keccak256(abi.encode(r));
        ok = true;
    }

    function _prover(uint256 seed) internal view returns (address) {
        return provers[seed % provers.length];
    }

    function _salt(address p) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", p));
    }

    // ------------------------------------------------------------------ actions

    function submit(uint256 modeSeed, uint96 maxFee, uint96 collateral, bool runnerUp, bool useToken, uint256 who)
        external
    {
        ++calls;
        T.Request memory r;
        r.requester = requesters[who % requesters.length];
        r.circuitId = circuitId;
        r.mode = T.Mode(modeSeed % 4);
        r.onMiss = runnerUp ? T.OnMiss.RunnerUp : T.OnMiss.OpenSecondary;
        r.assetId = useToken ? tokenAsset : 0;
        r.bidDeadline = uint40(block.timestamp + 100);
        r.revealDeadline = uint40(block.timestamp + 200);
        r.provingWindow = 300;
        r.verifier = address(verifier);
        r.maxFee = uint96(1e15 + (maxFee % 1e17));
        r.minFee = r.maxFee / 4;
        r.minCollateral = uint96(collateral % 2 ether);
        r.latencyWeight = 1e12;
        r.nonce = ++_nonce;
        r.inputHash = keccak256("input");
        r.publicInputsHash = keccak256(abi.encodePacked(_pubs));
        r.protocolFeeBps = market.effectiveProtocolFee();
        // A sealed-bid bond must be worth the whole fee (see `submitRequest`).
        if (r.mode == T.Mode.SealedBid && r.minCollateral < r.maxFee) r.minCollateral = r.maxFee;
        vm.prank(r.requester);
        try market.submitRequest{value: r.maxFee}(r, "input", "", _pubs) {
            _reqs.push(r);
            ++nSubmitted;
            if (r.mode == T.Mode.StandingAsk) ++nAskMatched;
        } catch {}
    }

    function postAsk(uint256 p, uint96 price, uint32 capacity) external {
        ++calls;
        vm.prank(_prover(p));
        try book.postAsk(circuitId, price % 1e11, 200, 1 + capacity % 3, 0, 2 ether, uint40(block.timestamp + 7 days), address(0)) {} catch {}
    }

    /// @dev Lanes 0-2 only, so a prover's lanes are often all busy (`LaneBusy`) and reused once freed. One bid per
    ///      prover and request (the ghost record is per prover).
    function commitBid(uint256 seed, uint256 p, uint96 fee, uint32 latency) external {
        ++calls;
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        address prover = _prover(p);
        if (bids[id][prover].committed) return;
        fee = uint96(fee % (uint256(r.maxFee) + 1));
        latency = 1 + latency % 300;
        uint8 lane = uint8((seed >> 64) % 3);
        bytes32 c = keccak256(abi.encode(id, prover, fee, latency, _salt(prover)));
        vm.prank(prover);
        try market.commitBid(r, c, lane) {
            bids[id][prover] = BidInfo(fee, latency, lane, true, c);
            ++nCommitted;
        } catch {}
    }

    /// @dev Reveals every committed bid of the request except the one at `skip` (which stays unrevealed and can be
    ///      forfeited) when `leaveOne` is set.
    function revealBids(uint256 seed, uint256 skip, bool leaveOne) external {
        ++calls;
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        // Jump into the reveal phase if still committing (time only moves forward).
        if (block.timestamp <= r.bidDeadline) vm.warp(uint256(r.bidDeadline) + 1);
        for (uint256 k; k < provers.length; ++k) {
            if (leaveOne && k == skip % provers.length) continue;
            address prover = provers[k];
            BidInfo memory b = bids[id][prover];
            if (!b.committed) continue;
            vm.prank(prover);
            try market.revealBid(r, b.fee, b.latency, _salt(prover), b.lane) {
                ++nRevealed;
            } catch {}
        }
    }

    function settle(uint256 seed) external {
        ++calls;
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        if (block.timestamp <= r.revealDeadline) vm.warp(uint256(r.revealDeadline) + 1);
        try market.settle(r) {
            ++nSettled;
            _checkPayment(r, id);
        } catch {}
    }

    function lockDutch(uint256 seed, uint256 p) external {
        ++calls;
        (T.Request memory r,, bool ok) = _pick(seed);
        if (!ok) return;
        vm.prank(_prover(p));
        try market.lockDutch(r) {
            ++nLocked;
        } catch {}
    }

    /// @dev The matched standing-ask prover accepts (or, every third time, declines; or anyone lapses a silent match).
    function acceptMatch(uint256 seed, uint8 how) external {
        ++calls;
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        T.RequestView memory s = market.requestState(id);
        if (how % 3 == 2) {
            try market.lapseMatch(r) {} catch {}
            return;
        }
        vm.prank(s.prover);
        if (how % 3 == 1) {
            try market.declineMatch(r) {} catch {}
            return;
        }
        try market.acceptMatch(r) {
            ++nAccepted;
        } catch {}
    }

    function fulfill(uint256 seed, bool badProof) external {
        ++calls;
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        T.RequestView memory s = market.requestState(id);
        uint256[8] memory proof = verifier.validProof(_pubs);
        if (badProof) proof[0] ^= 1;
        vm.prank(s.prover);
        try market.fulfill(r, proof, _pubs) {
            ++timesPaid[id];
            ++nFulfilled;
            _checkPayment(r, id);
        } catch {}
    }

    function deliverOpen(uint256 seed, uint256 p) external {
        ++calls;
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        address prover = _prover(p);
        uint256[8] memory proof = verifier.validProof(_pubs);
        bytes32 c = keccak256(abi.encode(id, prover, proof));
        if (market.proofCommitBlock(c) == 0) {
            vm.prank(prover);
            try market.commitProof(id, c) {} catch {}
            vm.roll(block.number + 1);
        }
        vm.prank(prover);
        try market.revealProof(r, proof, _pubs) {
            ++timesPaid[id];
            ++nDelivered;
        } catch {}
    }

    function slash(uint256 seed) external {
        ++calls;
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        T.RequestView memory before = market.requestState(id);
        // The prover that would be slashed: the assigned one, or the best bidder of an auction awaiting settlement.
        address prover = before.prover;
        uint256 lockedBefore = vault.lockedBalance(prover, r.assetId);
        uint256 freeBefore = vault.freeBalance(prover, r.assetId);
        try market.slash(r) {
            ++nSlashed;
            uint256 lockedAfter = vault.lockedBalance(prover, r.assetId);
            if (lockedAfter > lockedBefore || lockedBefore - lockedAfter > lockedBefore) slashExceededLocked = true;
            if (lockedBefore - lockedAfter != r.minCollateral) slashExceededLocked = true;
            if (vault.freeBalance(prover, r.assetId) != freeBefore) slashTouchedFree = true;
        } catch {}
    }

    function cancel(uint256 seed) external {
        ++calls;
        (T.Request memory r,, bool ok) = _pick(seed);
        if (!ok) return;
        vm.prank(r.requester);
        try market.cancelRequest(r) {} catch {}
    }

    function expire(uint256 seed) external {
        ++calls;
        (T.Request memory r,, bool ok) = _pick(seed);
        if (!ok) return;
        try market.expire(r) {} catch {}
    }

    function forfeitBond(uint256 seed, uint256 p) external {
        ++calls;
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        address prover = _prover(p);
        BidInfo memory b = bids[id][prover];
        try market.forfeitBond(r, prover, b.lane, b.commitment) {} catch {}
    }

    function warp(uint32 secs) external {
        ++calls;
        vm.warp(block.timestamp + 1 + secs % 400);
        vm.roll(block.number + 1);
    }

    function withdrawMarket(uint256 who, uint256 amount) external {
        ++calls;
        address a = who % 2 == 0 ? _prover(who / 2) : requesters[(who / 2) % requesters.length];
        uint256 bal = market.balanceOf(a);
        if (bal == 0) return;
        vm.prank(a);
        try market.withdraw(1 + amount % bal, a) {} catch {}
    }

    function vaultWithdraw(uint256 p, uint128 amount, bool complete, bool useToken) external {
        ++calls;
        address prover = _prover(p);
        uint8 asset = useToken ? tokenAsset : 0;
        vm.startPrank(prover);
        if (complete) {
            try vault.completeWithdrawal(asset, prover) {} catch {}
        } else {
            uint256 free = vault.freeBalance(prover, asset);
            if (free != 0) try vault.requestWithdrawal(asset, 1 + amount % free) {} catch {}
        }
        vm.stopPrank();
    }

    function vaultClaim(uint256 who, bool useToken) external {
        ++calls;
        address a = who % 3 == 0 ? _prover(who) : who % 3 == 1 ? requesters[who % requesters.length] : treasury;
        uint8 asset = useToken ? tokenAsset : 0;
        uint256 c = vault.claimableBalance(a, asset);
        if (c == 0) return;
        vm.prank(a);
        try vault.claim(asset, c, a) {} catch {}
    }

    function deposit(uint256 p, uint96 amount, bool useToken) external {
        ++calls;
        address prover = _prover(p);
        uint256 a = 1 + amount % 3 ether;
        if (useToken) {
            token.mint(prover, a);
            vm.startPrank(prover);
            token.approve(address(vault), a);
            try vault.depositToken(tokenAsset, a) {} catch {}
            vm.stopPrank();
        } else {
            vm.deal(prover, prover.balance + a);
            vm.prank(prover);
            try vault.depositEth{value: a}() {} catch {}
        }
    }

    /// @dev Moves free vault collateral into the market bond balance; the two balances must move by exactly `a`.
    function reserveCollateral(uint256 p, uint96 amount, bool useToken) external {
        ++calls;
        address prover = _prover(p);
        uint8 asset = useToken ? tokenAsset : 0;
        uint256 free = vault.freeBalance(prover, asset);
        if (free == 0) return;
        uint256 a = 1 + amount % free;
        uint256 bondBefore = market.bondBalance(prover, asset);
        uint256 lockedBefore = vault.lockedBalance(prover, asset);
        vm.prank(prover);
        market.reserveCollateral(asset, a);
        if (
            market.bondBalance(prover, asset) != bondBefore + a
                || vault.lockedBalance(prover, asset) != lockedBefore + a
        ) {
            bondAccountingBroken = true;
        }
    }

    /// @dev Moves bond balance back to free collateral; asking for more than the bond balance must revert.
    function releaseCollateral(uint256 p, uint96 amount, bool useToken) external {
        ++calls;
        address prover = _prover(p);
        uint8 asset = useToken ? tokenAsset : 0;
        uint256 bond = market.bondBalance(prover, asset);
        uint256 a = 1 + amount % (bond + 1 ether);
        uint256 freeBefore = vault.freeBalance(prover, asset);
        vm.prank(prover);
        try market.releaseCollateral(asset, a) {
            if (a > bond || vault.freeBalance(prover, asset) != freeBefore + a) bondAccountingBroken = true;
        } catch {
            if (a <= bond) bondAccountingBroken = true;
        }
    }

    /// @dev After a successful settlement or fulfilment of a sealed auction: price within [winner's bid, maxFee].
    function _checkPayment(T.Request memory r, bytes32 id) internal {
        if (r.mode != T.Mode.SealedBid) return;
        T.RequestView memory s = market.requestState(id);
        address prover = s.prover;
        if (prover == address(0)) return;
        BidInfo memory b = bids[id][prover];
        if (s.fee < b.fee || s.fee > r.maxFee) paymentOutOfBounds = true;
    }
}
