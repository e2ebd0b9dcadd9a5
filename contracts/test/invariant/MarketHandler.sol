// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "../utils/Vm.sol";
import {IProverMarket, IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {IAskBook} from "../../src/interfaces/IAskBook.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {MockERC20} from "../mocks/MockERC20.sol";
import {MockRequester} from "../mocks/MockRequester.sol";

/// @notice Drives the market through random but well-formed lifecycles and records ghost facts for the invariants.
/// @dev Every action is wrapped in try/catch (a refused call is a normal outcome of a random step), so the suites also
///      count what went through (`nSubmitted`, ...) and assert minimums per run in `afterInvariant`: a path that
///      always reverts fails the suite instead of passing it vacuously.
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

    // Reach: calls from the fuzzer, and the calls to the market and vault that succeeded, per kind.
    /// @notice Calls from the fuzzer (not the handler's calls to itself, e.g. the steps of a `lifecycle`).
    uint256 public steps;
    uint256 public nLifecycles;
    uint256 public nSubmitted;
    uint256 public nAskMatched;
    uint256 public nAccepted;
    uint256 public nAsksPosted;
    uint256 public nBidsCommitted;
    uint256 public nBidsRevealed;
    uint256 public nSettled;
    uint256 public nLocked;
    /// @notice `fulfill` by the assigned prover (including a runner-up that took over).
    uint256 public nFulfilled;
    uint256 public nProofsCommitted;
    /// @notice `revealProof`: an open race or a secondary delivery after a slash.
    uint256 public nDelivered;
    uint256 public nSlashed;
    uint256 public nCancelled;
    uint256 public nExpired;
    uint256 public nForfeited;
    uint256 public nWithdrawn;
    uint256 public nVaultWithdrawals;
    uint256 public nClaimed;
    uint256 public nDeposited;
    uint256 public nCollateralReserved;
    uint256 public nCollateralReleased;
    /// @dev Set when a reserve or release moved the wrong amount, or a release beyond the bond balance succeeded.
    bool public bondAccountingBroken;
    /// @notice `fulfillBatch` calls that went through, and the requests they delivered.
    uint256 public nBatches;
    uint256 public nBatchedRequests;
    /// @notice Callbacks of the requester contract that ran (its own count), and deliveries whose callback was set to
    ///         fail (revert or burn its gas): each must still have been paid.
    uint256 public nCallbacks;
    uint256 public nCallbacksFailed;
    /// @dev Set when a delivery called the requester contract back other than once per delivered request with a
    ///      callback, or before the request was Fulfilled.
    bool public callbackBroken;
    /// @dev Set when a batch with a request listed twice or a bad proof went through.
    bool public flawedBatchAccepted;
    /// @dev The batch lifecycles run so far (they rotate the callback's behaviour).
    uint256 internal _nBatchLifecycles;

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

    /// @dev Set while a fuzzer's call runs: the handler's calls to itself (`this.submit(...)` in a lifecycle) are parts
    ///      of that step, not steps of their own.
    bool internal _inStep;

    /// @dev Counts the fuzzer's calls (`steps`).
    modifier action() {
        if (_inStep) {
            _;
        } else {
            _inStep = true;
            ++steps;
            _;
            _inStep = false;
        }
    }

    // ------------------------------------------------------------------ actions

    function submit(uint256 modeSeed, uint96 maxFee, uint96 collateral, bool runnerUp, bool useToken, uint256 who)
        external
        action
    {
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
        // The requester contract wants to be called back.
        if (r.requester.code.length != 0) r.callbackGasLimit = CALLBACK_GAS;
        // A sealed-bid bond must be worth the whole fee (see `submitRequest`).
        if (r.mode == T.Mode.SealedBid && r.minCollateral < r.maxFee) r.minCollateral = r.maxFee;
        vm.prank(r.requester);
        try market.submitRequest{value: r.maxFee}(r, "input", "", _pubs) {
            _reqs.push(r);
            ++nSubmitted;
            if (r.mode == T.Mode.StandingAsk) ++nAskMatched;
        } catch {}
    }

    /// @dev An ask backing up to 2 (ETH or token) units per job, in the asset the price's low bit picks.
    function postAsk(uint256 p, uint96 price, uint32 capacity) external action {
        uint8 asset = price & 1 == 1 ? tokenAsset : 0;
        vm.prank(_prover(p));
        try book.postAsk(
            circuitId, price % 1e11, 200, 1 + capacity % 3, asset, 2 ether, uint40(block.timestamp + 7 days), address(0)
        ) {
            ++nAsksPosted;
        } catch {}
    }

    /// @dev Lanes 0-2 only, so a prover's lanes are often all busy (`LaneBusy`) and reused once freed. One bid per
    ///      prover and request (the ghost record is per prover).
    function commitBid(uint256 seed, uint256 p, uint96 fee, uint32 latency) external action {
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        _commitBid(r, id, _prover(p), fee, latency, uint8((seed >> 64) % 3));
    }

    function _commitBid(T.Request memory r, bytes32 id, address prover, uint96 fee, uint32 latency, uint8 lane)
        internal
    {
        if (bids[id][prover].committed) return;
        fee = uint96(fee % (uint256(r.maxFee) + 1));
        latency = 1 + latency % 300;
        bytes32 c = keccak256(abi.encode(id, prover, fee, latency, _salt(prover)));
        vm.prank(prover);
        try market.commitBid(r, c, lane) {
            bids[id][prover] = BidInfo(fee, latency, lane, true, c);
            ++nBidsCommitted;
        } catch {}
    }

    /// @dev Reveals every committed bid of the request except the one at `skip` (which stays unrevealed and can be
    ///      forfeited) when `leaveOne` is set.
    function revealBids(uint256 seed, uint256 skip, bool leaveOne) external action {
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
                ++nBidsRevealed;
            } catch {}
        }
    }

    function settle(uint256 seed) external action {
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        if (block.timestamp <= r.revealDeadline) vm.warp(uint256(r.revealDeadline) + 1);
        try market.settle(r) {
            ++nSettled;
            _checkPayment(r, id);
        } catch {}
    }

    function lockDutch(uint256 seed, uint256 p) external action {
        (T.Request memory r,, bool ok) = _pick(seed);
        if (!ok) return;
        vm.prank(_prover(p));
        try market.lockDutch(r) {
            ++nLocked;
        } catch {}
    }

    /// @dev The matched standing-ask prover accepts (or, every third time, declines; or anyone lapses a silent match).
    function acceptMatch(uint256 seed, uint8 how) external action {
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

    function fulfill(uint256 seed, bool badProof) external action {
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        T.RequestView memory s = market.requestState(id);
        uint256[8] memory proof = verifier.validProof(_pubs);
        if (badProof) proof[0] ^= 1;
        T.Request[] memory one = new T.Request[](1);
        one[0] = r;
        uint256 calls = _callbacksBefore();
        vm.prank(s.prover);
        try market.fulfill(r, proof, _pubs) {
            ++timesPaid[id];
            ++nFulfilled;
            _checkPayment(r, id);
            _checkCallbacks(one, calls);
        } catch {}
    }

    /// @dev Up to `size` (1-5) of the newest requests assigned to the prover of a picked one, delivered in one batch;
    ///      `flaw` 6 lists the first one twice, 7 spoils the last proof (both must be refused).
    function fulfillBatch(uint256 seed, uint8 size, uint8 flaw) external action {
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        address prover = _assignee(r, id);
        if (prover == address(0)) return;
        T.Request[] memory rs = new T.Request[](1 + size % 5 + 1);
        uint256 n;
        for (uint256 i = _reqs.length; i > 0 && n + 1 < rs.length; --i) {
            T.Request memory q = _reqs[i - 1];
            if (_assignee(q, keccak256(abi.encode(q))) == prover) rs[n++] = q;
        }
        if (flaw % 8 == 6) rs[n++] = rs[0];
        assembly ("memory-safe") {
            mstore(rs, n)
        }
        _deliverBatch(prover, rs, flaw % 8 == 7);
    }

    /// @dev `prover` delivers `rs` in one batch (with its last proof spoilt when `badProof`).
    function _deliverBatch(address prover, T.Request[] memory rs, bool badProof) internal {
        uint256 n = rs.length;
        if (n == 0) return;
        uint256[8][] memory proofs = new uint256[8][](n);
        uint256[][] memory inputs = new uint256[][](n);
        for (uint256 i; i < n; ++i) {
            proofs[i] = verifier.validProof(_pubs);
            inputs[i] = _pubs;
        }
        if (badProof) proofs[n - 1][0] ^= 1;
        bool duplicate;
        for (uint256 i = 1; i < n; ++i) {
            if (keccak256(abi.encode(rs[i])) == keccak256(abi.encode(rs[0]))) duplicate = true;
        }
        uint256 calls = _callbacksBefore();
        vm.prank(prover);
        try market.fulfillBatch(rs, proofs, inputs) {
            if (badProof || duplicate) flawedBatchAccepted = true;
            for (uint256 i; i < n; ++i) {
                bytes32 id = keccak256(abi.encode(rs[i]));
                ++timesPaid[id];
                _checkPayment(rs[i], id);
            }
            ++nBatches;
            nBatchedRequests += n;
            _checkCallbacks(rs, calls);
        } catch {}
    }

    /// @dev Who may deliver `r` now with `fulfill`: its assigned prover, or the best bidder of a sealed auction whose
    ///      reveal phase is over (settled on the way); zero otherwise.
    function _assignee(T.Request memory r, bytes32 id) internal view returns (address) {
        T.RequestView memory s = market.requestState(id);
        if (s.status == T.Status.Assigned) return s.prover;
        if (
            r.mode == T.Mode.SealedBid && s.status == T.Status.Open && block.timestamp > r.revealDeadline
                && s.prover != address(0)
        ) return s.prover;
        return address(0);
    }

    // ------------------------------------------------------------------ callbacks

    /// @dev Gas the requester contract's requests give their callback: enough for its recording callback to write all
    ///      its fresh slots and re-enter (about 300,000 the first time), so a callback set to run never runs out.
    uint32 internal constant CALLBACK_GAS = 500_000;

    /// @dev The requester contract (the last requester: see `MarketFixture._participants`).
    function _rollup() internal view returns (MockRequester) {
        return MockRequester(payable(requesters[requesters.length - 1]));
    }

    /// @notice Sets what the requester contract's callback does: record (0), revert (1), burn its gas (2), or withdraw
    ///         1 wei of its market balance from inside the callback (3).
    function setCallback(uint8 how) external action {
        _setCallback(how);
    }

    function _setCallback(uint8 how) internal {
        MockRequester rollup = _rollup();
        how %= 4;
        if (how == 3) {
            rollup.setReenter(address(market), abi.encodeCall(IProverMarket.withdraw, (1, address(rollup))));
        } else {
            rollup.setBehaviour(
                how == 0
                    ? MockRequester.Behaviour.Record
                    : how == 1 ? MockRequester.Behaviour.Revert : MockRequester.Behaviour.BurnGas
            );
        }
    }

    function _callbacksBefore() internal view returns (uint256) {
        return _rollup().calls();
    }

    /// @dev After a successful delivery of `rs`: a callback that records or re-enters ran once per delivered request
    ///      of the requester contract, after it was Fulfilled; one set to fail was counted as failing.
    function _checkCallbacks(T.Request[] memory rs, uint256 callsBefore) internal {
        MockRequester rollup = _rollup();
        uint256 expected;
        for (uint256 i; i < rs.length; ++i) {
            if (rs[i].requester == address(rollup) && rs[i].callbackGasLimit != 0) ++expected;
        }
        if (expected == 0) return;
        MockRequester.Behaviour b = rollup.behaviour();
        bool runs = b == MockRequester.Behaviour.Record || b == MockRequester.Behaviour.Reenter;
        if (rollup.calls() != callsBefore + (runs ? expected : 0)) callbackBroken = true;
        if (runs) {
            nCallbacks += expected;
            if (rollup.statusSeen() != T.Status.Fulfilled) callbackBroken = true;
            // The last request of the requester contract in `rs` is the last one called back.
            for (uint256 i = rs.length; i > 0; --i) {
                if (rs[i - 1].requester == address(rollup) && rs[i - 1].callbackGasLimit != 0) {
                    if (rollup.lastId() != keccak256(abi.encode(rs[i - 1]))) callbackBroken = true;
                    break;
                }
            }
        } else {
            nCallbacksFailed += expected;
        }
    }

    function deliverOpen(uint256 seed, uint256 p) external action {
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        address prover = _prover(p);
        uint256[8] memory proof = verifier.validProof(_pubs);
        bytes32 c = keccak256(abi.encode(id, prover, proof));
        if (market.proofCommitBlock(c) == 0) {
            vm.prank(prover);
            try market.commitProof(id, c) {
                ++nProofsCommitted;
            } catch {}
            vm.roll(block.number + 1);
        }
        T.Request[] memory one = new T.Request[](1);
        one[0] = r;
        uint256 calls = _callbacksBefore();
        vm.prank(prover);
        try market.revealProof(r, proof, _pubs) {
            ++timesPaid[id];
            ++nDelivered;
            _checkCallbacks(one, calls);
        } catch {}
    }

    function slash(uint256 seed) external action {
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

    function cancel(uint256 seed) external action {
        (T.Request memory r,, bool ok) = _pick(seed);
        if (!ok) return;
        vm.prank(r.requester);
        try market.cancelRequest(r) {
            ++nCancelled;
        } catch {}
    }

    function expire(uint256 seed) external action {
        (T.Request memory r,, bool ok) = _pick(seed);
        if (!ok) return;
        try market.expire(r) {
            ++nExpired;
        } catch {}
    }

    function forfeitBond(uint256 seed, uint256 p) external action {
        (T.Request memory r, bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        address prover = _prover(p);
        BidInfo memory b = bids[id][prover];
        try market.forfeitBond(r, prover, b.lane, b.commitment) {
            ++nForfeited;
        } catch {}
    }

    function warp(uint32 secs) external action {
        vm.warp(block.timestamp + 1 + secs % 400);
        vm.roll(block.number + 1);
    }

    function withdrawMarket(uint256 who, uint256 amount) external action {
        address a = who % 2 == 0 ? _prover(who / 2) : requesters[(who / 2) % requesters.length];
        uint256 bal = market.balanceOf(a);
        if (bal == 0) return;
        vm.prank(a);
        try market.withdraw(1 + amount % bal, a) {
            ++nWithdrawn;
        } catch {}
    }

    function vaultWithdraw(uint256 p, uint128 amount, bool complete, bool useToken) external action {
        address prover = _prover(p);
        uint8 asset = useToken ? tokenAsset : 0;
        vm.startPrank(prover);
        if (complete) {
            try vault.completeWithdrawal(asset, prover) {
                ++nVaultWithdrawals;
            } catch {}
        } else {
            uint256 free = vault.freeBalance(prover, asset);
            if (free != 0) {
                try vault.requestWithdrawal(asset, 1 + amount % free) {
                    ++nVaultWithdrawals;
                } catch {}
            }
        }
        vm.stopPrank();
    }

    function vaultClaim(uint256 who, bool useToken) external action {
        address a = who % 3 == 0 ? _prover(who) : who % 3 == 1 ? requesters[who % requesters.length] : treasury;
        uint8 asset = useToken ? tokenAsset : 0;
        uint256 c = vault.claimableBalance(a, asset);
        if (c == 0) return;
        vm.prank(a);
        try vault.claim(asset, c, a) {
            ++nClaimed;
        } catch {}
    }

    function deposit(uint256 p, uint96 amount, bool useToken) external action {
        _deposit(_prover(p), useToken ? tokenAsset : 0, 1 + amount % 3 ether);
    }

    function _deposit(address prover, uint8 asset, uint256 a) internal {
        if (asset == tokenAsset) {
            token.mint(prover, a);
            vm.startPrank(prover);
            token.approve(address(vault), a);
            try vault.depositToken(tokenAsset, a) {
                ++nDeposited;
            } catch {}
            vm.stopPrank();
        } else {
            vm.deal(prover, prover.balance + a);
            vm.prank(prover);
            try vault.depositEth{value: a}() {
                ++nDeposited;
            } catch {}
        }
    }

    /// @dev Moves free vault collateral into the market bond balance; the two balances must move by exactly `a`.
    function reserveCollateral(uint256 p, uint96 amount, bool useToken) external action {
        address prover = _prover(p);
        uint8 asset = useToken ? tokenAsset : 0;
        uint256 free = vault.freeBalance(prover, asset);
        if (free == 0) return;
        uint256 a = 1 + amount % free;
        uint256 bondBefore = market.bondBalance(prover, asset);
        uint256 lockedBefore = vault.lockedBalance(prover, asset);
        vm.prank(prover);
        market.reserveCollateral(asset, a);
        ++nCollateralReserved;
        if (
            market.bondBalance(prover, asset) != bondBefore + a
                || vault.lockedBalance(prover, asset) != lockedBefore + a
        ) {
            bondAccountingBroken = true;
        }
    }

    /// @dev Moves bond balance back to free collateral; asking for more than the bond balance must revert.
    function releaseCollateral(uint256 p, uint96 amount, bool useToken) external action {
        address prover = _prover(p);
        uint8 asset = useToken ? tokenAsset : 0;
        uint256 bond = market.bondBalance(prover, asset);
        uint256 a = 1 + amount % (bond + 1 ether);
        uint256 freeBefore = vault.freeBalance(prover, asset);
        vm.prank(prover);
        try market.releaseCollateral(asset, a) {
            ++nCollateralReleased;
            if (a > bond || vault.freeBalance(prover, asset) != freeBefore + a) bondAccountingBroken = true;
        } catch {
            if (a <= bond) bondAccountingBroken = true;
        }
    }

    /// @dev Reserves a tiny amount (opts in without covering a bond), so vault-path bonds taken before come back to
    ///      the bond balance: the "reserve while bonds are outstanding" edge.
    function reserveDust(uint256 p, bool useToken) external action {
        address prover = _prover(p);
        uint8 asset = useToken ? tokenAsset : 0;
        if (vault.freeBalance(prover, asset) == 0) return;
        vm.prank(prover);
        market.reserveCollateral(asset, 1);
        ++nCollateralReserved;
    }

    /// @dev Releases the whole bond balance (down to a zero balance, slot kept at 1).
    function releaseAll(uint256 p, bool useToken) external action {
        address prover = _prover(p);
        uint8 asset = useToken ? tokenAsset : 0;
        uint256 b = market.bondBalance(prover, asset);
        if (b == 0) return;
        vm.prank(prover);
        market.releaseCollateral(asset, b);
        ++nCollateralReleased;
    }

    // ------------------------------------------------------------------ whole lifecycles

    /// @dev `_pick(NEWEST)` is the newest request (`NEWEST % 4 != 0`, `NEWEST >> 8 == 0`).
    uint256 internal constant NEWEST = 1;
    /// @dev The kinds of lifecycle, in the order they rotate (the fifth is any mode and outcome).
    uint256 internal constant LC_FULFIL = 0;
    uint256 internal constant LC_SLASH = 1;
    uint256 internal constant LC_OPEN = 2;
    uint256 internal constant LC_BATCH = 3;
    uint256 internal constant LC_KINDS = 5;

    /// @notice One whole lifecycle of a new request, so that every outcome is reached within a run however the single
    ///         steps interleave. The kind rotates, so the first four lifecycles of a run (and any four in a row)
    ///         cover: the assigned prover fulfils (sealed, Dutch or standing ask, from `seed`); the assigned prover
    ///         misses its deadline and is slashed (then a runner-up or an open delivery finishes the job); an open
    ///         race is delivered; one prover delivers several jobs of the requester contract in one batch (its
    ///         callback rotating through recording, reverting, burning its gas and re-entering). Every fifth is any
    ///         mode and outcome (cancels included). The provers that must act are funded first and bids take a free
    ///         lane, so earlier steps (withdrawals, reserves, busy lanes) do not starve a lifecycle; `_noise`
    ///         interleaves bond-balance and vault moves between the steps.
    function lifecycle(uint256 seed, uint96 collateral, bool runnerUp, bool useToken) external action {
        uint256 kind = nLifecycles++ % LC_KINDS;
        if (kind == LC_BATCH) return _batchLifecycle(seed, collateral, useToken);
        uint256 mode = seed % 4; // the last kind: any mode and outcome
        uint256 outcome = seed >> 248;
        if (kind == LC_FULFIL || kind == LC_SLASH) {
            mode = seed % 3; // SealedBid, Dutch or StandingAsk: the modes that assign a prover
            outcome = (kind == LC_FULFIL ? 2 : 4) + outcome % 2;
        } else if (kind == LC_OPEN) {
            (mode, outcome) = (uint256(T.Mode.OpenRace), 1);
        }
        if (!_submitNew(mode, seed, collateral, runnerUp, useToken)) return;
        T.Request memory r = _reqs[_reqs.length - 1];
        uint256 s = _noise(seed >> 8, useToken);
        if (mode == uint256(T.Mode.SealedBid)) {
            _sealedLifecycle(r, s, outcome % 6);
        } else if (mode == uint256(T.Mode.OpenRace)) {
            if (outcome % 4 != 0) this.deliverOpen(NEWEST, s);
            vm.warp(block.timestamp + 302);
            this.expire(NEWEST);
        } else {
            _assignedLifecycle(r, s, outcome % 6);
        }
    }

    /// @dev Submits a request in `mode` (after posting a standing ask that can take it); false if refused.
    function _submitNew(uint256 mode, uint256 seed, uint96 collateral, bool runnerUp, bool useToken)
        internal
        returns (bool)
    {
        if (mode == uint256(T.Mode.StandingAsk)) {
            // Some ask, then one at a price that fits every request (1e9 per unit * UNITS <= the least maxFee) by a
            // prover that can back the request's collateral (`collateral % 2 ether`, see `submit`).
            // The asks must be backed (2 units per job) in the request's asset (the price's low bit picks it).
            uint256 s = seed >> 8;
            uint96 parity = useToken ? 1 : 0;
            _fund(_prover(s >> 2), useToken ? tokenAsset : 0, 2 ether);
            this.postAsk(s >> 2, uint96(s >> 24) & ~uint96(1) | parity, uint32(s >> 32));
            _fund(_prover(s), useToken ? tokenAsset : 0, 2 ether);
            this.postAsk(s, (uint96(s >> 8) % 1e9) & ~uint96(1) | parity, uint32(s >> 16));
        }
        uint256 before = _reqs.length;
        this.submit(mode, uint96(seed >> 160), collateral, runnerUp, useToken, seed >> 100);
        return _reqs.length != before;
    }

    /// @dev A Dutch (locked here) or standing-ask (matched at submission, accepted here) job. Outcome 0-3: fulfilled;
    ///      4: the prover is slashed, then the job is delivered openly; 5: slashed, and nobody delivers.
    function _assignedLifecycle(T.Request memory r, uint256 s, uint256 outcome) internal {
        bool useToken = r.assetId != 0;
        if (r.mode == T.Mode.Dutch) {
            _fund(_prover(s >> 4), r.assetId, r.minCollateral);
            this.lockDutch(NEWEST, s >> 4);
        } else {
            _fund(market.requestState(keccak256(abi.encode(r))).prover, r.assetId, r.minCollateral);
            this.acceptMatch(NEWEST, 0);
        }
        s = _noise(s >> 8, useToken);
        if (outcome < 4) {
            this.fulfill(NEWEST, false);
        } else {
            vm.warp(block.timestamp + 302);
            this.slash(NEWEST);
            s = _noise(s, useToken);
            if (outcome == 4) this.deliverOpen(NEWEST, s >> 4);
        }
        vm.warp(block.timestamp + 302);
        this.expire(NEWEST);
    }

    /// @dev Outcome 0: nobody reveals (every bond is forfeited, the request expires); 1: the requester tries to cancel
    ///      while revealing (refused: a binding offer), then the winner fulfils; 2: settled,
    ///      then fulfilled; 3: fulfilled (settles on the way); 4: the winner is slashed (settles on the way), then the
    ///      runner-up fulfils or the job is delivered openly; 5: the winner is slashed, and so is a runner-up, then it is
    ///      delivered openly.
    function _sealedLifecycle(T.Request memory r, uint256 s, uint256 outcome) internal {
        bytes32 id = keccak256(abi.encode(r));
        // At least one bidder; with one bidder every bid is revealed (a lone unrevealed bid leaves nobody to assign).
        uint256 bidders = (s & 0xf) | (1 << ((s >> 4) & 3));
        uint256 nBidders;
        for (uint256 k; k < 4; ++k) {
            if ((bidders >> k) & 1 == 0) continue;
            ++nBidders;
            address prover = provers[k];
            _fund(prover, r.assetId, r.minCollateral);
            _commitBid(r, id, prover, uint96(s >> 8), uint32(s >> 112), _freeLane(prover));
            s = _noise(uint256(keccak256(abi.encode(s, k))), r.assetId != 0);
        }
        if (outcome == 0) {
            this.cancel(NEWEST); // refused: a sealed-bid request is a binding offer
            vm.warp(uint256(r.revealDeadline) + 1); // nobody revealed: the bonds are forfeited below
        } else {
            this.revealBids(NEWEST, s >> 8, nBidders > 1 && (s >> 16) & 1 == 0);
            s = _noise(s >> 20, r.assetId != 0);
            if (outcome == 1) {
                this.cancel(NEWEST); // refused, with the leaders holding bonds
                vm.warp(uint256(r.revealDeadline) + 1);
                this.fulfill(NEWEST, false);
            } else if (outcome == 2) {
                this.settle(NEWEST);
                s = _noise(s, r.assetId != 0);
                this.fulfill(NEWEST, false);
            } else if (outcome == 3) {
                vm.warp(uint256(r.revealDeadline) + 1);
                this.fulfill(NEWEST, false); // settles on the way
            } else {
                vm.warp(uint256(r.revealDeadline) + 302);
                this.slash(NEWEST); // settles on the way; a runner-up may take over
                s = _noise(s, r.assetId != 0);
                if (outcome == 4) {
                    this.fulfill(NEWEST, false);
                } else {
                    vm.warp(block.timestamp + 302);
                    this.slash(NEWEST);
                }
                this.deliverOpen(NEWEST, s >> 4);
            }
        }
        for (uint256 k; k < 4; ++k) {
            this.forfeitBond(NEWEST, k + (s >> 40));
            s = _noise(uint256(keccak256(abi.encode(s))), r.assetId != 0);
        }
        this.expire(NEWEST);
    }

    /// @dev 2-4 new jobs of the requester contract (the first a Dutch lock, the others sealed auctions the prover is
    ///      alone to bid in, or Dutch locks) assigned to one prover, which delivers those it holds in one batch once the
    ///      auctions' reveal phase is over. The callback's behaviour rotates with each such lifecycle.
    function _batchLifecycle(uint256 seed, uint96 collateral, bool useToken) internal {
        _setCallback(uint8(_nBatchLifecycles++));
        uint256 s = seed >> 8;
        uint256 pi = s % provers.length;
        address prover = provers[pi];
        uint256 k = 2 + (s >> 4) % 3;
        T.Request[] memory rs = new T.Request[](k);
        uint256 first = _reqs.length;
        for (uint256 j; j < k; ++j) {
            uint256 mode = j == 0 || (s >> (8 + j)) & 1 == 1 ? uint256(T.Mode.Dutch) : uint256(T.Mode.SealedBid);
            // `who` = the requester contract (the last requester).
            this.submit(mode, uint96(s >> (16 + 8 * j)), collateral, false, useToken, requesters.length - 1);
            if (_reqs.length == first + j) return; // refused: nothing to batch
            T.Request memory r = _reqs[first + j];
            rs[j] = r;
            _fund(prover, r.assetId, r.minCollateral);
            if (mode == uint256(T.Mode.Dutch)) {
                this.lockDutch(NEWEST, pi);
            } else {
                _commitBid(r, keccak256(abi.encode(r)), prover, uint96(s >> 40), uint32(s >> 72), _freeLane(prover));
            }
        }
        vm.warp(uint256(rs[0].bidDeadline) + 1);
        for (uint256 j; j < k; ++j) {
            bytes32 id = keccak256(abi.encode(rs[j]));
            BidInfo memory b = bids[id][prover];
            if (rs[j].mode != T.Mode.SealedBid || !b.committed) continue;
            vm.prank(prover);
            try market.revealBid(rs[j], b.fee, b.latency, _salt(prover), b.lane) {
                ++nBidsRevealed;
            } catch {}
        }
        vm.warp(uint256(rs[0].revealDeadline) + 1);
        // The jobs the prover holds now (a sealed bid may have been refused: no free lane, or an out-of-range bid).
        uint256 n;
        for (uint256 j; j < k; ++j) {
            if (_assignee(rs[j], keccak256(abi.encode(rs[j]))) == prover) rs[n++] = rs[j];
        }
        assembly ("memory-safe") {
            mstore(rs, n)
        }
        _deliverBatch(prover, rs, false);
    }

    /// @dev A free bid lane of `prover` among 0-2 (lane 0 when all are busy: the commitment is then refused).
    function _freeLane(address prover) internal view returns (uint8) {
        for (uint8 lane; lane < 3; ++lane) {
            if (market.bidLane(prover, lane) <= 1) return lane;
        }
        return 0;
    }

    /// @dev Deposits what `prover` lacks to back `amount` from its free collateral (a take uses the bond balance only
    ///      when that covers the whole amount).
    function _fund(address prover, uint8 asset, uint256 amount) internal {
        uint256 free = vault.freeBalance(prover, asset);
        if (free >= amount || market.bondBalance(prover, asset) >= amount) return;
        _deposit(prover, asset, amount - free);
    }

    /// @dev Half the time, one bond-balance or vault move by some prover; returns a fresh seed.
    function _noise(uint256 s, bool useToken) internal returns (uint256) {
        uint256 p = (s >> 4) & 3;
        uint256 what = (s >> 6) & 7;
        if (what == 0) this.reserveCollateral(p, uint96(s >> 16), useToken);
        else if (what == 1) this.releaseCollateral(p, uint96(s >> 16), useToken);
        else if (what == 2) this.reserveDust(p, useToken);
        else if (what == 3) this.releaseAll(p, useToken);
        else if (what == 4) this.deposit(p, uint96(s >> 16), useToken);
        return uint256(keccak256(abi.encode(s, "noise")));
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
