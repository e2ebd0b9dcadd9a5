// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DeliveryFixture} from "./utils/DeliveryFixture.sol";
import {IProverMarketTypes as T, IProverMarket} from "../src/interfaces/IProverMarket.sol";
import {RollupBatchVerifier} from "../src/verifiers/RollupBatchVerifier.sol";
import {RollupBatchBatchFixture} from "./fixtures/RollupBatchBatchFixture.sol";

/// @notice Gas of one request's whole lifecycle per allocation mode, every participant's transaction counted, with
///         the mock verifier (so the ~180k-250k pairing check is excluded). Run under the `gas` profile
///         (`isolate = true`: every call is its own transaction, so no storage is warm by accident).
/// @dev Writes `snapshots/lifecycle.json`. Under isolation each recorded figure is a whole transaction's gas
///      (21000 intrinsic + calldata + execution - refunds), so `<mode>/total` is what all participants pay together.
///      `<mode>/...` is first use of everything: the circuit's first request, and provers who only deposited in the
///      vault (every balance slot starts at zero; their first release creates their bond-balance slot).
///      `<mode>NewUsers/...` is an established circuit and participants new to the market, whose provers set up the
///      as an operator does (and `pmc demo`): a vault deposit and `reserveCollateral` (set-up, like the deposit, not
///      counted).
///      `<mode>Steady/...` repeats the lifecycle for participants who already hold a market balance (a returning
///      prover/requester), which saves the zero-to-non-zero SSTOREs of the payouts.
///      `batch/...`: `fulfillBatch` of n sealed-bid requests (the default mode, each settled on the way) for the
///      rollup_batch circuit with the REAL verifier (`RollupBatchVerifier.verifyProofBatch`, 3 public inputs, 32 distinct
///      proofs), returning users; `n<k>` is the whole transaction, `n<k>PerRequest` that divided by k, and
///      `n<k>CalldataPerRequest` the calldata's share of it (16 gas a non-zero byte, 4 a zero one). `batchDutch/...`:
///      the same with Dutch requests (locked while the ramp started at `minFee`: the cheapest form).
///      `callback/...`: a single returning-user Dutch `fulfill` whose requester has a callback that does nothing (STOP):
///      the market's side of a callback (the exact-gas check and the CALL), to set beside `dutchSteady/fulfill`.
contract GasSnapshotTest is DeliveryFixture {
    string constant G = "lifecycle";

    /// @dev Figures are only meaningful (and only written) under the isolating `gas` profile; any other run (e.g. a
    ///      `--no-match-contract` override of the default profile) exercises the same paths without touching the file.
    bool internal _recording;
    uint256 internal _total;
    uint256 internal _txs;
    uint256 internal _calldata;

    /// @dev Records the last call's gas under `mode/step` and adds it to the lifecycle total.
    function setUp() public override {
        super.setUp();
        _recording = keccak256(bytes(vm.envOr("FOUNDRY_PROFILE", string("")))) == keccak256("gas");
    }

    function _snap(string memory name) internal returns (uint256) {
        return _recording ? vm.snapshotGasLastCall(G, name) : 0;
    }

    function _value(string memory name, uint256 value) internal {
        if (_recording) vm.snapshotValue(G, name, value);
    }

    function _record(string memory mode, string memory step, bytes memory data) internal {
        _total += _snap(string.concat(mode, "/", step));
        ++_txs;
        for (uint256 i; i < data.length; ++i) {
            _calldata += data[i] == 0 ? 4 : 16;
        }
    }

    /// @dev `total`: all transactions. `execution`: the same minus 21000 and the calldata cost per transaction, i.e.
    ///      the gas the contracts themselves spend (comparable to a per-call `gasleft()` difference).
    function _totals(string memory mode) internal {
        _value(string.concat(mode, "/total"), _total);
        _value(string.concat(mode, "/totalExecution"), _recording ? _total - 21_000 * _txs - _calldata : 0);
        _value(string.concat(mode, "/transactions"), _txs);
        _total = 0;
        _txs = 0;
        _calldata = 0;
    }

    /// @dev Someone else's request initialises the circuit's reserve-price slot (a one-time cost per circuit), so the
    ///      measured participants are new but the circuit is not.
    function _primeCircuit() internal {
        address other = makeAddr("otherRequester");
        vm.deal(other, 1 ether);
        T.Request memory r = _req(T.Mode.OpenRace);
        r.requester = other;
        _submit(r);
    }

    /// @dev Each prover moves part of its vault deposit into its market bond balance and prepares a bid lane (an
    ///      operator's set-up steps after the vault deposit; `pmc demo` and `pmc worker` do both).
    function _reserveCollateral() internal {
        address[3] memory ps = [p1, p2, p3];
        for (uint256 i; i < 3; ++i) {
            vm.startPrank(ps[i]);
            market.reserveCollateral(0, 5 ether);
            market.openBidLanes(0, 1);
            vm.stopPrank();
        }
    }

    /// @dev One unmeasured Dutch lifecycle per prover so that they and the requester hold non-zero balances, after one
    ///      unmeasured sealed auction among the three (so each has bid before, in lane 0); the provers set up as
    ///      operators do (`_reserveCollateral`, which also prepares lane 0: the earlier auction reuses it anyway).
    function _returningUsers() internal {
        _reserveCollateral();
        T.Request memory a = _req(T.Mode.SealedBid);
        _submit(a);
        _unmeasuredAuction(a);
        address[3] memory ps = [p1, p2, p3];
        uint256[8] memory won = _proof();
        vm.prank(p1);
        market.fulfill(a, won, pubs);
        for (uint256 i; i < 3; ++i) {
            T.Request memory r = _req(T.Mode.Dutch);
            _submit(r);
            vm.prank(ps[i]);
            market.lockDutch(r);
            uint256[8] memory proof = _proof();
            vm.prank(ps[i]);
            market.fulfill(r, proof, pubs);
        }
    }

    /// @dev p1, p2, p3 bid 0.05, 0.06, 0.07 ether (latency 100) on a submitted sealed request, reveal in that order;
    ///      returns after the reveal phase.
    function _unmeasuredAuction(T.Request memory r) internal {
        address[3] memory ps = [p1, p2, p3];
        for (uint256 i; i < 3; ++i) {
            _commit(r, ps[i], uint96(0.05 ether + i * 0.01 ether), 100);
        }
        _toReveal(r);
        for (uint256 i; i < 3; ++i) {
            _reveal(r, ps[i], uint96(0.05 ether + i * 0.01 ether), 100);
        }
        _toSettle(r);
    }

    function _submitMeasured(string memory mode, T.Request memory r) internal returns (bytes32 id) {
        vm.prank(requester);
        id = market.submitRequest{value: r.maxFee}(r, "input", "", pubs);
        _record(mode, "submit", abi.encodeCall(IProverMarket.submitRequest, (r, "input", "", pubs)));
    }

    function _fulfillMeasured(string memory mode, T.Request memory r, address prover) internal {
        uint256[8] memory proof = _proof();
        vm.prank(prover);
        market.fulfill(r, proof, pubs);
        _record(mode, "fulfill", abi.encodeCall(IProverMarket.fulfill, (r, proof, pubs)));
    }

    function test_gas_sealedBid_threeBidders() public {
        _sealed("sealedBid3");
    }

    function test_gas_sealedBid_threeBidders_newUsersEstablishedCircuit() public {
        _primeCircuit();
        _reserveCollateral();
        _sealed("sealedBid3NewUsers");
    }

    function test_gas_sealedBid_threeBidders_returningUsers() public {
        _returningUsers();
        _sealed("sealedBid3Steady");
    }

    /// @dev The costliest reveal order: the best bid is revealed last (each reveal first leads, then is beaten).
    function test_gas_sealedBid_threeBidders_returningUsers_bestRevealedLast() public {
        _returningUsers();
        _sealedInOrder("sealedBid3SteadyBestLast", [uint256(2), 1, 0]);
    }

    function _sealed(string memory m) internal {
        _sealedInOrder(m, [uint256(0), 1, 2]);
    }

    /// @dev p1, p2, p3 bid 0.05, 0.06, 0.07 ether; they reveal in `order` (indices into that list).
    function _sealedInOrder(string memory m, uint256[3] memory order) internal {
        uint256 paidBefore = market.balanceOf(p1);
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submitMeasured(m, r);
        address[3] memory ps = [p1, p2, p3];
        uint96[3] memory fees = [uint96(0.05 ether), 0.06 ether, 0.07 ether];
        for (uint256 i; i < 3; ++i) {
            bytes32 c = market.bidCommitment(id, ps[i], fees[i], 100, _salt(ps[i]));
            vm.prank(ps[i]);
            market.commitBid(r, c, 0);
            _record(
                m,
                string.concat("commit", vm.toString(i + 1)),
                abi.encodeCall(IProverMarket.commitBid, (r, c, uint8(0)))
            );
        }
        _toReveal(r);
        for (uint256 k; k < 3; ++k) {
            uint256 i = order[k];
            vm.prank(ps[i]);
            market.revealBid(r, fees[i], 100, _salt(ps[i]), 0);
            _record(
                m,
                string.concat("reveal", vm.toString(k + 1)),
                abi.encodeCall(IProverMarket.revealBid, (r, fees[i], 100, _salt(ps[i]), uint8(0)))
            );
        }
        _toSettle(r);
        // No settle transaction: the winner's fulfil settles deterministically on the way.
        _fulfillMeasured(m, r, p1);
        _totals(m);
        assertEq(market.balanceOf(p1) - paidBefore, 0.06 ether, "second-score price paid");
    }

    function test_gas_sealedBid_explicitSettle() public {
        string memory m = "sealedBid3Settle";
        T.Request memory r = _req(T.Mode.SealedBid);
        bytes32 id = _submit(r);
        _unmeasuredAuction(r);
        market.settle(r);
        _snap(string.concat(m, "/settle"));
        assertEq(uint256(_state(id).status), uint256(T.Status.Assigned));
    }

    function test_gas_dutch() public {
        _dutch("dutch");
    }

    function test_gas_dutch_newUsersEstablishedCircuit() public {
        _primeCircuit();
        _reserveCollateral();
        _dutch("dutchNewUsers");
    }

    function test_gas_dutch_returningUsers() public {
        _returningUsers();
        _dutch("dutchSteady");
    }

    function _dutch(string memory m) internal {
        T.Request memory r = _req(T.Mode.Dutch);
        _submitMeasured(m, r);
        vm.warp(block.timestamp + 30);
        vm.prank(p1);
        market.lockDutch(r);
        _record(m, "lock", abi.encodeCall(IProverMarket.lockDutch, (r)));
        _fulfillMeasured(m, r, p1);
        _totals(m);
    }

    function test_gas_standingAsk() public {
        _postThreeAsks(true);
        _standingAsk("standingAsk");
    }

    /// @dev Returning users (as for the other modes), with the asks already posted.
    function test_gas_standingAsk_returningUsers() public {
        _returningUsers();
        _postThreeAsks(false);
        _standingAsk("standingAskSteady");
    }

    function _postThreeAsks(bool measured) internal {
        uint40 expiry = uint40(block.timestamp + 7 days);
        vm.prank(p1);
        book.postAsk(circuitId, 50_000, 300, 5, 0, 2 ether, expiry, address(0));
        if (measured) _snap("standingAsk/postAsk(first)");
        vm.prank(p2);
        book.postAsk(circuitId, 40_000, 300, 5, 0, 2 ether, expiry, address(0));
        vm.prank(p3);
        book.postAsk(circuitId, 60_000, 300, 5, 0, 2 ether, expiry, p1);
        if (measured) _snap("standingAsk/postAsk(third,hinted)");
    }

    /// @dev Submission matches p2 at once; p2 accepts (its collateral is locked then), proves and is paid.
    function _standingAsk(string memory m) internal {
        T.Request memory r = _req(T.Mode.StandingAsk);
        _submitMeasured(m, r);
        vm.prank(p2);
        market.acceptMatch(r);
        _record(m, "acceptMatch", abi.encodeCall(IProverMarket.acceptMatch, (r)));
        _fulfillMeasured(m, r, p2);
        _totals(m);
    }

    function test_gas_openRace_threeProvers() public {
        string memory m = "openRace3";
        T.Request memory r = _req(T.Mode.OpenRace);
        bytes32 id = _submitMeasured(m, r);
        uint256[8] memory proof = _proof();
        address[3] memory ps = [p1, p2, p3];
        for (uint256 i; i < 3; ++i) {
            bytes32 c = market.proofCommitment(id, ps[i], proof);
            vm.prank(ps[i]);
            market.commitProof(id, c);
            _record(
                m, string.concat("commitProof", vm.toString(i + 1)), abi.encodeCall(IProverMarket.commitProof, (id, c))
            );
        }
        vm.roll(block.number + 1);
        vm.prank(p1);
        market.revealProof(r, proof, pubs);
        _record(m, "revealProof", abi.encodeCall(IProverMarket.revealProof, (r, proof, pubs)));
        _totals(m);
    }

    function test_gas_withdraw() public {
        T.Request memory r = _req(T.Mode.Dutch);
        _submit(r);
        vm.prank(requester);
        market.cancelRequest(r);
        _snap("other/cancelRequest");
        vm.prank(requester);
        market.withdraw(MAX_FEE, requester);
        _snap("other/withdraw");
        vm.prank(p1);
        market.reserveCollateral(0, 5 ether);
        _snap("other/reserveCollateral(first)");
        vm.prank(p1);
        market.openBidLanes(0, 1);
        _snap("other/openBidLanes(one lane)");
        vm.prank(p1);
        market.releaseCollateral(0, 1 ether);
        _snap("other/releaseCollateral");
    }

    // =================================================================== callbacks and batches

    /// @dev A returning-user Dutch delivery whose requester's callback is a STOP (100,000 gas allowed, a few used).
    function test_gas_fulfill_withCallback() public {
        _returningUsers();
        string memory m = "callback";
        address rollup = makeAddr("callbackRequester");
        vm.etch(rollup, hex"00");
        vm.deal(rollup, 10 ether);
        // A first delivery for the same requester, unmeasured: its refund balance is non-zero, like the requester's in
        // dutchSteady.
        for (uint256 k; k < 2; ++k) {
            T.Request memory r = _req(T.Mode.Dutch);
            r.requester = rollup;
            r.callbackGasLimit = 100_000;
            _submitAs(r);
            vm.warp(block.timestamp + 30);
            vm.prank(p1);
            market.lockDutch(r);
            uint256[8] memory proof = _proof();
            vm.prank(p1);
            market.fulfill(r, proof, pubs);
            if (k == 1) {
                _record(m, "fulfill(dutch,STOP callback)", abi.encodeCall(IProverMarket.fulfill, (r, proof, pubs)));
            }
        }
    }

    uint32 internal _rollupCircuit;
    address internal _rollupVerifier;

    /// @dev Registers rollup_batch with its real verifier and gives p1 and p2 room for 32 bids (bond balances, lanes).
    function _setUpRollupBatch() internal {
        _returningUsers();
        _rollupVerifier = address(new RollupBatchVerifier());
        vm.prank(makeAddr("rollup"));
        _rollupCircuit = registry.registerCircuit(
            _rollupVerifier, "ipfs://rollup_batch", keccak256("rollup_batch artifacts"), 50_000, 3
        );
        address[2] memory ps = [p1, p2];
        for (uint256 i; i < 2; ++i) {
            vm.deal(ps[i], 100 ether);
            vm.startPrank(ps[i]);
            vault.depositEth{value: 40 ether}();
            market.reserveCollateral(0, 40 ether);
            market.openBidLanes(0, 32);
            vm.stopPrank();
        }
    }

    /// @dev `n` requests for rollup_batch, one per fixture proof, assigned to p1: sealed auctions p1 won against p2
    ///      (not settled: the batch settles them), or Dutch locks.
    function _rollupAssigned(uint256 n, bool dutch)
        internal
        returns (T.Request[] memory rs, uint256[8][] memory proofs, uint256[][] memory inputs)
    {
        (proofs, inputs) = RollupBatchBatchFixture.batchProofs(n);
        rs = new T.Request[](n);
        for (uint256 i; i < n; ++i) {
            T.Request memory r = _req(dutch ? T.Mode.Dutch : T.Mode.SealedBid);
            r.circuitId = _rollupCircuit;
            r.verifier = _rollupVerifier;
            r.publicInputsHash = keccak256(abi.encodePacked(inputs[i]));
            vm.prank(requester);
            market.submitRequest{value: r.maxFee}(r, "input", "", inputs[i]);
            rs[i] = r;
            if (dutch) {
                vm.prank(p1);
                market.lockDutch(r);
            } else {
                _commit(r, p1, 0.05 ether, 100, uint8(i));
                _commit(r, p2, 0.06 ether, 100, uint8(i));
            }
        }
        if (dutch) return (rs, proofs, inputs);
        _toReveal(rs[0]);
        for (uint256 i; i < n; ++i) {
            _reveal(rs[i], p1, 0.05 ether, 100, uint8(i));
            _reveal(rs[i], p2, 0.06 ether, 100, uint8(i));
        }
        _toSettle(rs[0]);
    }

    function _batchMeasured(string memory m, uint256 n, bool dutch) internal {
        _setUpRollupBatch();
        (T.Request[] memory rs, uint256[8][] memory proofs, uint256[][] memory inputs) = _rollupAssigned(n, dutch);
        uint256 before = market.balanceOf(p1);
        vm.prank(p1);
        market.fulfillBatch(rs, proofs, inputs);
        uint256 gasUsed = _snap(string.concat(m, "/n", vm.toString(n)));
        _value(string.concat(m, "/n", vm.toString(n), "PerRequest"), gasUsed / n);
        // Of which calldata (16 gas a non-zero byte, 4 a zero byte), per request.
        bytes memory data = abi.encodeCall(IProverMarket.fulfillBatch, (rs, proofs, inputs));
        uint256 calldataGas;
        for (uint256 i; i < data.length; ++i) {
            calldataGas += data[i] == 0 ? 4 : 16;
        }
        _value(string.concat(m, "/n", vm.toString(n), "CalldataPerRequest"), calldataGas / n);
        assertEq(market.balanceOf(p1) - before, n * (dutch ? market.dutchPrice(rs[0]) : 0.06 ether), "each paid");
        if (_recording) {
            assertLe(gasUsed / n, n >= 32 ? 90_000 : n >= 16 ? 100_000 : type(uint256).max, "per-request budget");
        }
    }

    function test_gas_fulfillBatch_sealed_1() public {
        _batchMeasured("batch", 1, false);
    }

    function test_gas_fulfillBatch_sealed_4() public {
        _batchMeasured("batch", 4, false);
    }

    function test_gas_fulfillBatch_sealed_16() public {
        _batchMeasured("batch", 16, false);
    }

    function test_gas_fulfillBatch_sealed_32() public {
        _batchMeasured("batch", 32, false);
    }

    function test_gas_fulfillBatch_dutch_16() public {
        _batchMeasured("batchDutch", 16, true);
    }

    function test_gas_fulfillBatch_dutch_32() public {
        _batchMeasured("batchDutch", 32, true);
    }

    /// @dev The same rollup_batch proof delivered alone with `fulfill` (returning users, real verifier), to set beside
    ///      `batch/n1`.
    function test_gas_fulfill_sealed_realVerifier() public {
        _setUpRollupBatch();
        (T.Request[] memory rs, uint256[8][] memory proofs, uint256[][] memory inputs) = _rollupAssigned(1, false);
        vm.prank(p1);
        market.fulfill(rs[0], proofs[0], inputs[0]);
        _snap("batch/fulfill(single,realVerifier)");
    }
}
