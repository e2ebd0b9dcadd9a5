// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {IProverMarket, IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";

/// @notice Drives sealed auctions over a few reused bid lanes (several bids per prover per request, two overlapping
///         requests, both `OnMiss` modes, every resolution path) and checks each step against a ghost model of the
///         auction: leader, second score, runner-up and the exact payment.
contract BidLaneHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    struct Bid {
        address prover;
        uint8 lane;
        bytes32 c;
        uint96 fee;
        uint32 lat;
        bytes32 salt;
        bool revealed;
        /// @dev Revealed while its prover already led: released without a rank (see `commitBid`).
        bool unranked;
    }

    IProverMarket public market;
    CollateralVault public vault;
    MockVerifier public verifier;
    address[] public provers;
    address public requester;
    uint256[] internal pubs;
    T.Request[] internal reqs;
    mapping(uint256 => Bid[]) internal bids;
    mapping(uint256 => bool) public slashedOnce;
    uint64 nonce;
    uint32 public circuitId;
    string public broken;
    uint256 public nReveal;
    uint256 public nFulfill;
    uint256 public nTakeoverFulfil;
    uint256 public nSlash;
    uint256 public nReclaim;
    uint256 public nForfeit;
    uint256 public nCancel;
    uint256 public nCommit;

    constructor(
        IProverMarket m,
        CollateralVault v,
        MockVerifier ver,
        address[] memory ps,
        address rq,
        uint256[] memory pb,
        uint32 cid
    ) {
        circuitId = cid;
        market = m;
        vault = v;
        verifier = ver;
        provers = ps;
        requester = rq;
        pubs = pb;
    }

    function _fail(string memory why) internal {
        if (bytes(broken).length == 0) broken = why;
    }

    function reqCount() external view returns (uint256) {
        return reqs.length;
    }

    function reqAt(uint256 i) external view returns (T.Request memory) {
        return reqs[i];
    }

    function bidCount(uint256 i) external view returns (uint256) {
        return bids[i].length;
    }

    function bidAt(uint256 i, uint256 k) external view returns (Bid memory) {
        return bids[i][k];
    }

    function proverCount() external view returns (uint256) {
        return provers.length;
    }

    uint256 internal forced; // index + 1

    function _pick(uint256 s) internal view returns (uint256 i, bool ok) {
        if (reqs.length == 0) return (0, false);
        if (forced != 0) return (forced - 1, true);
        uint256 n = reqs.length;
        i = s % 3 != 0 ? n - 1 - ((s >> 8) % (n < 3 ? n : 3)) : (s >> 8) % n;
        ok = true;
    }

    function submit(bool runnerUp, uint96 coll, uint8 wsel) external {
        T.Request memory r;
        r.requester = requester;
        r.circuitId = circuitId;
        r.mode = T.Mode.SealedBid;
        r.onMiss = runnerUp ? T.OnMiss.RunnerUp : T.OnMiss.OpenSecondary;
        r.assetId = 0;
        r.bidDeadline = uint40(block.timestamp + 50);
        r.revealDeadline = uint40(block.timestamp + 100);
        r.provingWindow = 300;
        r.verifier = address(verifier);
        r.maxFee = 0.1 ether;
        r.minFee = 0;
        r.minCollateral = coll % 3 == 0 ? uint96(0.1 ether) : uint96(0.5 ether); // at least maxFee
        r.latencyWeight = wsel % 3 == 0 ? 0 : 1e12;
        r.nonce = ++nonce;
        r.inputHash = keccak256("input");
        r.publicInputsHash = keccak256(abi.encodePacked(pubs));
        r.protocolFeeBps = market.effectiveProtocolFee();
        vm.prank(requester);
        try market.submitRequest{value: r.maxFee}(r, "input", "", pubs) {
            reqs.push(r);
        } catch {}
    }

    function commit(uint256 s, uint256 p, uint8 lane, uint96 fee, uint32 lat) external {
        (uint256 i, bool ok) = _pick(s);
        if (!ok) return;
        T.Request memory r = reqs[i];
        bytes32 id = keccak256(abi.encode(r));
        address prover = provers[p % provers.length];
        lane = lane % 6;
        // coarse fees so ties happen
        fee = uint96(1e6 + (uint256(fee) % 8) * 0.01 ether);
        lat = 1 + (lat % 4) * 50;
        bytes32 salt = keccak256(abi.encode(s, p, lane, fee, lat));
        bytes32 c = market.bidCommitment(id, prover, fee, lat, salt);
        vm.prank(prover);
        try market.commitBid(r, c, lane) {
            bids[i].push(Bid(prover, lane, c, fee, lat, salt, false, false));
            ++nCommit;
        } catch {}
    }

    function reveal(uint256 s, uint256 k) external {
        (uint256 i, bool ok) = _pick(s);
        if (!ok || bids[i].length == 0) return;
        T.Request memory r = reqs[i];
        if (block.timestamp > r.revealDeadline) return;
        if (block.timestamp <= r.bidDeadline) vm.warp(uint256(r.bidDeadline) + 1);
        k = k % bids[i].length;
        Bid memory b = bids[i][k];
        (bool any, uint256 w, bool hasSecond,, uint256 ru) = _model(i);
        bool leads = any
            && (bids[i][w].prover == b.prover
                || (r.onMiss == T.OnMiss.RunnerUp && hasSecond && bids[i][ru].prover == b.prover));
        vm.prank(b.prover);
        try market.revealBid(r, b.fee, b.lat, b.salt, b.lane) {
            if (b.revealed) _fail("revealed twice");
            bids[i][k].revealed = true;
            bids[i][k].unranked = leads;
            ++nReveal;
            _checkLeader(i);
        } catch {}
    }

    function _score(T.Request memory r, Bid memory b) internal pure returns (uint256) {
        return uint256(b.fee) + uint256(r.latencyWeight) * b.lat;
    }

    function _beats(bytes32 id, T.Request memory r, Bid memory a, Bid memory b) internal pure returns (bool) {
        uint256 sa = _score(r, a);
        uint256 sb = _score(r, b);
        if (sa != sb) return sa < sb;
        if (a.lat != b.lat) return a.lat < b.lat;
        return keccak256(abi.encode(id, a.prover)) < keccak256(abi.encode(id, b.prover));
    }

    /// ghost winner and second
    function _model(uint256 i)
        internal
        view
        returns (bool any, uint256 w, bool hasSecond, uint256 secondScore, uint256 ru)
    {
        T.Request memory r = reqs[i];
        bytes32 id = keccak256(abi.encode(r));
        Bid[] storage bs = bids[i];
        for (uint256 k; k < bs.length; ++k) {
            if (!bs[k].revealed || bs[k].unranked) continue;
            if (!any || _beats(id, r, bs[k], bs[w])) w = k;
            any = true;
        }
        if (!any) return (false, 0, false, 0, 0);
        for (uint256 k; k < bs.length; ++k) {
            if (!bs[k].revealed || bs[k].unranked || k == w) continue;
            uint256 sc = _score(r, bs[k]);
            if (!hasSecond || _beats(id, r, bs[k], bs[ru])) ru = k;
            if (!hasSecond || sc < secondScore) secondScore = sc;
            hasSecond = true;
        }
    }

    function _checkLeader(uint256 i) internal {
        T.Request memory r = reqs[i];
        bytes32 id = keccak256(abi.encode(r));
        (bool any, uint256 w, bool hasSecond, uint256 second, uint256 ru) = _model(i);
        T.RequestView memory v = market.requestState(id);
        if (!any) return;
        if (v.prover != bids[i][w].prover || v.proverLane != bids[i][w].lane) _fail("leader mismatch");
        if (hasSecond && v.secondScore != second) _fail("second score mismatch");
        if (!hasSecond && v.secondScore != 0) _fail("second score nonzero");
        if (r.onMiss == T.OnMiss.RunnerUp) {
            if (hasSecond && v.runnerUp != bids[i][ru].prover) _fail("runner-up mismatch");
            if (!hasSecond && v.runnerUp != address(0)) _fail("runner-up nonzero");
        }
    }

    function settle(uint256 s) external {
        (uint256 i, bool ok) = _pick(s);
        if (!ok) return;
        T.Request memory r = reqs[i];
        if (block.timestamp <= r.revealDeadline) vm.warp(uint256(r.revealDeadline) + 1);
        try market.settle(r) {} catch {}
    }

    function fulfill(uint256 s) external {
        (uint256 i, bool ok) = _pick(s);
        if (!ok) return;
        T.Request memory r = reqs[i];
        bytes32 id = keccak256(abi.encode(r));
        address p = market.requestState(id).prover;
        if (p == address(0)) return;
        uint256 balBefore = market.balanceOf(p);
        uint256[8] memory proof = verifier.validProof(pubs);
        vm.prank(p);
        try market.fulfill(r, proof, pubs) {
            ++nFulfill;
            _checkPaid(i, p, market.balanceOf(p) - balBefore);
        } catch {}
    }

    function _checkPaid(uint256 i, address p, uint256 paid) internal {
        T.Request memory r = reqs[i];
        (, uint256 w, bool hasSecond, uint256 second, uint256 ru) = _model(i);
        uint256 expected;
        if (!slashedOnce[i]) {
            Bid memory b = bids[i][w];
            if (p != b.prover) _fail("fulfilled by non-winner");
            if (!hasSecond) {
                expected = r.maxFee; // a lone bid is paid the requester's reserve
            } else {
                expected = second - uint256(r.latencyWeight) * b.lat;
                if (expected > r.maxFee) expected = r.maxFee;
            }
            if (paid < b.fee || paid > r.maxFee) _fail("payment out of range");
        } else {
            ++nTakeoverFulfil;
            Bid memory b = bids[i][ru];
            if (p != b.prover) _fail("takeover by non-runner-up");
            expected = b.fee;
        }
        if (paid != expected) _fail("payment != model");
    }

    function slash(uint256 s) external {
        (uint256 i, bool ok) = _pick(s);
        if (!ok) return;
        T.Request memory r = reqs[i];
        bytes32 id = keccak256(abi.encode(r));
        T.RequestView memory v = market.requestState(id);
        if (v.status == T.Status.Assigned && block.timestamp <= v.deadline) vm.warp(uint256(v.deadline) + 1);
        try market.slash(r) {
            ++nSlash;
            slashedOnce[i] = true;
        } catch {}
    }

    function cancel(uint256 s) external {
        (uint256 i, bool ok) = _pick(s);
        if (!ok) return;
        vm.prank(requester);
        try market.cancelRequest(reqs[i]) {
            ++nCancel;
        } catch {}
    }

    function expire(uint256 s) external {
        (uint256 i, bool ok) = _pick(s);
        if (!ok) return;
        try market.expire(reqs[i]) {} catch {}
    }

    function forfeit(uint256 s, uint256 k) external {
        (uint256 i, bool ok) = _pick(s);
        if (!ok || bids[i].length == 0) return;
        Bid memory b = bids[i][k % bids[i].length];
        try market.forfeitBond(reqs[i], b.prover, b.lane, b.c) {
            ++nForfeit;
            if (b.revealed) _fail("forfeited a revealed bid");
        } catch {}
    }

    function reserve(uint256 p, uint96 a) external {
        address prover = provers[p % provers.length];
        uint256 free = vault.freeBalance(prover, 0);
        if (free == 0) return;
        vm.prank(prover);
        market.reserveCollateral(0, 1 + a % free);
    }

    function release(uint256 p, uint96 a) external {
        address prover = provers[p % provers.length];
        uint256 b = market.bondBalance(prover, 0);
        if (b == 0) return;
        vm.prank(prover);
        market.releaseCollateral(0, 1 + a % b);
    }

    function lifecycle(uint256 seed) external {
        uint256 n0 = reqs.length;
        this.submit((seed & 1) == 1, uint96(seed >> 1), uint8(seed >> 3));
        if (reqs.length == n0) return;
        // an overlapping second request half the time
        bool two = (seed >> 5) & 1 == 1;
        if (two) {
            vm.warp(block.timestamp + 10);
            this.submit((seed >> 6) & 1 == 1, uint96(seed >> 7), uint8(seed >> 9));
        }
        uint256 s = uint256(keccak256(abi.encode(seed)));
        uint256 nb = 2 + s % 6;
        for (uint256 k; k < nb; ++k) {
            s = uint256(keccak256(abi.encode(s, k)));
            // selector seed: 1 -> newest, 0x101 -> second newest (s % 3 != 0 path)
            uint256 sel = two && (s >> 200) & 1 == 1 ? 0x101 : 1;
            this.commit(sel, s >> 8, uint8(s >> 16), uint96(s >> 24), uint32(s >> 56));
        }
        // reveal most bids of both requests in a random order
        for (uint256 pass; pass < 2; ++pass) {
            uint256 sel = pass == 0 ? 1 : 0x101;
            if (pass == 1 && !two) break;
            (uint256 i,) = _pick(sel);
            uint256 m = bids[i].length;
            for (uint256 k; k < m; ++k) {
                s = uint256(keccak256(abi.encode(s, "r", k)));
                if (s % 6 == 0) continue;
                this.reveal(sel, s >> 8);
                this.reveal(sel, k);
            }
        }
        s = uint256(keccak256(abi.encode(s, "o")));
        uint256 outcome = s % 8;
        uint256 sel2 = two && (s >> 200) & 1 == 1 ? 0x101 : 1;
        if (outcome == 0) {
            this.cancel(sel2);
        } else if (outcome == 1) {
            this.settle(sel2);
            this.fulfill(sel2);
        } else if (outcome == 2) {
            this.settle(sel2);
            this.fulfill(sel2);
        } else if (outcome == 3) {
            this.slash(sel2);
            this.fulfill(sel2);
        } else if (outcome == 4) {
            this.slash(sel2);
            this.slash(sel2);
        } else if (outcome == 5) {
            this.settle(sel2);
            this.slash(sel2);
            this.fulfill(sel2);
        }
        // cleanup: sometimes leave things for later lifecycles
        if ((s >> 100) % 4 != 0) {
            for (uint256 pass; pass < 2; ++pass) {
                uint256 sel = pass == 0 ? 1 : 0x101;
                if (pass == 1 && !two) break;
                (uint256 i,) = _pick(sel);
                for (uint256 k; k < bids[i].length; ++k) {
                    this.forfeit(sel, k);
                }
            }
        }
    }

    function sweep(uint256 seed) external {
        uint256 n = reqs.length;
        for (uint256 i; i < n; ++i) {
            forced = i + 1;
            uint256 s = uint256(keccak256(abi.encode(seed, i)));
            if (block.timestamp <= reqs[i].revealDeadline) continue;
            uint256 what = s % 4;
            if (what == 0) {
                this.fulfill(0);
            } else if (what == 1) {
                this.slash(0);
            } else if (what == 2) {
                this.settle(0);
                this.fulfill(0);
            }
            for (uint256 k; k < bids[i].length; ++k) {
                this.forfeit(0, k);
            }
            if (s % 5 == 0) this.expire(0);
        }
        forced = 0;
    }

    function warp(uint16 secs) external {
        vm.warp(block.timestamp + 1 + secs % 200);
        vm.roll(block.number + 1);
    }
}

/// @notice Random sealed-auction lifecycles over reused bid lanes against a ghost model (see `BidLaneHandler`), with
///         the lane and collateral invariants checked every few lifecycles: every busy lane belongs to exactly one bid,
///         and each prover's locked collateral is its bond balance plus what its bids and jobs hold.
/// forge-config: default.fuzz.runs = 24
/// forge-config: deep.fuzz.runs = 400
contract BidLanesModelTest is MarketFixture {
    uint256 internal constant LIFECYCLES = 40;

    event log_named_uint(string key, uint256 val);

    BidLaneHandler internal h;

    function setUp() public override {
        super.setUp();
        address[] memory ps = new address[](3);
        (ps[0], ps[1], ps[2]) = (p1, p2, p3);
        vm.deal(requester, 1e9 ether);
        h = new BidLaneHandler(market, vault, verifier, ps, requester, pubs, circuitId);
        for (uint256 k; k < 3; ++k) {
            vm.deal(ps[k], 1000 ether);
            vm.prank(ps[k]);
            vault.depositEth{value: 500 ether}();
        }
        vm.deal(address(h), 1e9 ether);
        targetContract(address(h));
    }

    function testFuzz_lifecycles_matchGhostModel(uint256 salt) public {
        for (uint256 k; k < LIFECYCLES; ++k) {
            uint256 seed = uint256(keccak256(abi.encode(salt, k)));
            h.lifecycle(seed);
            if (k % 3 == 0) h.warp(uint16(seed >> 100));
            if (k % 4 == 3) h.sweep(seed >> 7);
            if (k % 7 == 0) h.reserve(seed >> 30, uint96(seed >> 40));
            if (k % 11 == 0) h.release(seed >> 30, uint96(seed >> 40));
            if (k % 5 == 4) this.checkLanesAndCollateral();
        }
        this.checkLanesAndCollateral();
        _logCounts();
        assertGt(h.nReveal(), 0, "reveals happened");
        assertGt(h.nFulfill() + h.nSlash(), 0, "auctions were resolved");
    }

    function checkLanesAndCollateral() public view {
        assertEq(bytes(h.broken()).length, 0, h.broken());
        for (uint256 pi; pi < h.proverCount(); ++pi) {
            this.checkProver(pi);
        }
    }

    function checkProver(uint256 pi) external view {
        uint256 n = h.reqCount();
        {
            address p = h.provers(pi);
            uint256 outstanding;
            for (uint256 i; i < n; ++i) {
                T.Request memory r = h.reqAt(i);
                bytes32 id = keccak256(abi.encode(r));
                bool bestSeen;
                for (uint256 k; k < h.bidCount(i); ++k) {
                    BidLaneHandler.Bid memory b = h.bidAt(i, k);
                    if (b.prover != p) continue;
                    T.BidStatus st = market.bidStatus(id, p, b.lane, b.c);
                    if (st != T.BidStatus.None) outstanding += r.minCollateral;
                    if (st == T.BidStatus.Best) bestSeen = true;
                }
                T.RequestView memory v = market.requestState(id);
                if (!bestSeen && v.status == T.Status.Assigned && v.prover == p) outstanding += r.minCollateral;
            }
            assertEq(vault.lockedBalance(p, 0), market.bondBalance(p, 0) + outstanding, "locked == bond + outstanding");
            for (uint8 lane; lane < 6; ++lane) {
                if (market.bidLane(p, lane) <= 1) continue;
                uint256 owners;
                for (uint256 i; i < n; ++i) {
                    bytes32 id = keccak256(abi.encode(h.reqAt(i)));
                    for (uint256 k; k < h.bidCount(i); ++k) {
                        BidLaneHandler.Bid memory b = h.bidAt(i, k);
                        if (b.prover == p && b.lane == lane && market.bidStatus(id, p, lane, b.c) != T.BidStatus.None) {
                            ++owners;
                        }
                    }
                }
                assertEq(owners, 1, "busy lane owned by exactly one bid");
            }
        }
    }

    function _logCounts() internal {
        emit log_named_uint("reveal", h.nReveal());
        emit log_named_uint("fulfill", h.nFulfill());
        emit log_named_uint("takeoverFulfil", h.nTakeoverFulfil());
        emit log_named_uint("slash", h.nSlash());
        emit log_named_uint("forfeit", h.nForfeit());
        emit log_named_uint("cancel", h.nCancel());
        emit log_named_uint("commit", h.nCommit());
    }
}
