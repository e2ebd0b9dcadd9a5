// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DeliveryFixture} from "../utils/DeliveryFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {IProverMarket, IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {IProofCallback} from "../../src/interfaces/IProofCallback.sol";
import {MockRequester} from "../mocks/MockRequester.sol";

/// @notice Requester callbacks (`Request.callbackGasLimit`, `IProofCallback`): called once per delivery on every path,
///         after the state and payments are final, with exactly the configured gas; a failing callback never blocks the
///         payment; a deliverer that sends too little gas for it cannot deliver.
contract ProverMarketCallbackTest is DeliveryFixture {
    MockRequester internal rollup;
    uint32 internal constant CB_GAS = 300_000;
    /// @dev Runtime code that stores the gas it starts with in slot 0 and stops: GAS PUSH1 0 SSTORE STOP. GAS costs 2
    ///      and pushes what is left after it, so slot 0 holds the call's gas limit minus 2.
    bytes internal constant GAS_PROBE = hex"5a60005500";

    function setUp() public override {
        super.setUp();
        rollup = new MockRequester(market);
        vm.deal(address(rollup), 100 ether);
    }

    function _cbReq(T.Mode mode, uint32 gasLimit) internal returns (T.Request memory r) {
        r = _req(mode);
        r.requester = address(rollup);
        r.callbackGasLimit = gasLimit;
    }

    /// @dev A Dutch request of `requester_` with a callback, locked by p1.
    function _lockedDutch(address requester_, uint32 gasLimit) internal returns (T.Request memory r, bytes32 id) {
        r = _req(T.Mode.Dutch);
        r.requester = requester_;
        r.callbackGasLimit = gasLimit;
        id = _submitAs(r);
        vm.prank(p1);
        market.lockDutch(r);
    }

    function _fulfill(T.Request memory r, address prover) internal {
        uint256[8] memory proof = _proof();
        vm.prank(prover);
        market.fulfill(r, proof, pubs);
    }

    /// @dev How many `CallbackFailed` logs for `id` the last recording holds.
    function _callbackFailures(Vm.Log[] memory logs, bytes32 id) internal view returns (uint256 n) {
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(market) && logs[i].topics.length == 3
                    && logs[i].topics[0] == T.CallbackFailed.selector && logs[i].topics[1] == id
            ) ++n;
        }
    }

    // =================================================================== submission

    function test_submit_refusesCallbackGasAboveMax() public {
        uint32 max = market.MAX_CALLBACK_GAS();
        assertEq(max, 1_000_000);
        T.Request memory r = _cbReq(T.Mode.Dutch, max + 1);
        vm.expectRevert(abi.encodeWithSelector(T.CallbackGasTooHigh.selector, uint256(max) + 1, uint256(max)));
        rollup.submit(r, pubs);
        r.callbackGasLimit = max; // the bound itself is accepted
        rollup.submit(r, pubs);
    }

    /// @dev The callback gas is part of the terms: delivering with other terms (no callback) finds no request.
    function test_callbackGasLimit_isPartOfTheId() public {
        (T.Request memory r, bytes32 id) = _lockedDutch(address(rollup), CB_GAS);
        T.Request memory noCallback = r;
        noCallback.callbackGasLimit = 0;
        bytes32 other = market.requestIdOf(noCallback);
        assertTrue(other != id, "the id covers callbackGasLimit");
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.UnknownRequest.selector, other));
        market.fulfill(noCallback, proof, pubs);
    }

    // =================================================================== the call

    function test_fulfill_callsBackAfterStateAndPaymentAreFinal() public {
        (T.Request memory r, bytes32 id) = _lockedDutch(address(rollup), CB_GAS);
        rollup.setWatchProver(p1);
        uint256 price = market.dutchPrice(r);
        vm.expectCall(address(rollup), abi.encodeCall(IProofCallback.onProofFulfilled, (id, pubs)), 1);
        _fulfill(r, p1);
        assertEq(rollup.calls(), 1, "called once");
        assertEq(rollup.lastId(), id);
        assertEq(rollup.lastInputsHash(), r.publicInputsHash, "the public inputs the proof matched");
        assertEq(rollup.lastCaller(), address(market));
        assertEq(uint256(rollup.statusSeen()), uint256(T.Status.Fulfilled), "the callback sees the request fulfilled");
        assertEq(rollup.proverBalanceSeen(), price, "and the prover already paid");
        // gasleft() at the callback's first statement: the limit less the callee's own dispatch and decoding.
        emit log_named_uint("gasleft() at the callback's first statement", rollup.gasAtEntry());
        assertLe(rollup.gasAtEntry(), CB_GAS, "never more than the limit");
        assertGe(rollup.gasAtEntry(), CB_GAS - 1_000, "the limit less the callee's dispatch");
    }

    event log_named_uint(string key, uint256 val);

    function test_fulfill_noCallbackWhenLimitIsZero() public {
        (T.Request memory r,) = _lockedDutch(address(rollup), 0);
        vm.expectCall(address(rollup), abi.encodeWithSelector(IProofCallback.onProofFulfilled.selector), 0);
        _fulfill(r, p1);
        assertEq(rollup.calls(), 0);
    }

    /// @dev An EOA requester with a callback limit: there is nothing to call, and the delivery goes through.
    function test_fulfill_eoaRequesterWithCallbackGasSucceeds() public {
        (T.Request memory r, bytes32 id) = _lockedDutch(requester, CB_GAS);
        vm.recordLogs();
        _fulfill(r, p1);
        assertEq(_callbackFailures(vm.getRecordedLogs(), id), 0, "no CallbackFailed");
        assertEq(uint256(_state(id).status), uint256(T.Status.Fulfilled));
    }

    /// @dev Exact gas: the callee starts with exactly `callbackGasLimit` (the probe stores its first GAS reading).
    function test_fulfill_callbackGetsExactlyItsGasLimit() public {
        address probe = makeAddr("probe");
        vm.etch(probe, GAS_PROBE);
        (T.Request memory r,) = _lockedDutch(probe, 50_000);
        _fulfill(r, p1);
        assertEq(uint256(vm.load(probe, bytes32(0))), 50_000 - 2, "gas at the callee's first opcode");
    }

    /// @dev Whatever gas the deliverer sends, the delivery either reverts or the callback got its whole limit: there is
    ///      no amount at which the callback is starved into failing while the delivery stands.
    function testFuzz_fulfill_callbackNeverStarved(uint256 seed) public {
        address probe = makeAddr("probe");
        vm.etch(probe, GAS_PROBE);
        uint32 limit = 200_000;
        (T.Request memory r,) = _lockedDutch(probe, limit);
        uint256[8] memory proof = _proof();
        bytes memory call = abi.encodeCall(IProverMarket.fulfill, (r, proof, pubs));
        // Sends from just enough for the market's own work to well above what the callback needs.
        uint256 gas = bound(seed, 60_000, 400_000);
        vm.prank(p1);
        (bool ok, bytes memory ret) = address(market).call{gas: gas}(call);
        if (ok) {
            assertEq(uint256(vm.load(probe, bytes32(0))), limit - 2, "delivered: the callback had its whole limit");
        } else {
            assertEq(uint256(vm.load(probe, bytes32(0))), 0, "reverted: nothing stays");
            if (ret.length != 0) {
                assertEq(bytes4(ret), T.CallbackGasShort.selector, "the only refusal: too little gas");
            }
        }
    }

    /// @dev A deliverer sending too little gas gets `CallbackGasShort` (naming what it had and needs), not a delivery
    ///      with a failed callback.
    function test_fulfill_tooLittleGasForCallbackReverts() public {
        rollup.setBehaviour(MockRequester.Behaviour.BurnGas);
        (T.Request memory r, bytes32 id) = _lockedDutch(address(rollup), 500_000);
        uint256[8] memory proof = _proof();
        bytes memory call = abi.encodeCall(IProverMarket.fulfill, (r, proof, pubs));
        vm.prank(p1);
        (bool ok, bytes memory ret) = address(market).call{gas: 300_000}(call);
        assertFalse(ok, "delivered with a starved callback");
        assertEq(bytes4(ret), T.CallbackGasShort.selector);
        (bytes32 named,, uint256 needed) = abi.decode(_args(ret), (bytes32, uint256, uint256));
        assertEq(named, id);
        assertGt(needed, 500_000, "needs the limit and more");
        assertEq(uint256(_state(id).status), uint256(T.Status.Assigned), "still assigned");
        // With enough gas the same delivery stands, even though this callback burns all of its gas.
        vm.prank(p1);
        (ok,) = address(market).call{gas: 1_000_000}(call);
        assertTrue(ok, "delivered");
        assertEq(uint256(_state(id).status), uint256(T.Status.Fulfilled));
    }

    function _args(bytes memory revertData) internal pure returns (bytes memory a) {
        a = new bytes(revertData.length - 4);
        for (uint256 i; i < a.length; ++i) {
            a[i] = revertData[i + 4];
        }
    }

    // =================================================================== failing callbacks never block payment

    function _failingCallbackStillPays(MockRequester.Behaviour b) internal {
        rollup.setBehaviour(b);
        (T.Request memory r, bytes32 id) = _lockedDutch(address(rollup), CB_GAS);
        uint256 price = market.dutchPrice(r);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.CallbackFailed(id, address(rollup));
        _fulfill(r, p1);
        assertEq(uint256(_state(id).status), uint256(T.Status.Fulfilled));
        assertEq(market.balanceOf(p1), price, "prover paid");
        assertEq(market.balanceOf(address(rollup)), MAX_FEE - price, "requester refunded");
        assertEq(_backing(p1, 0), 0, "collateral back");
    }

    function test_fulfill_revertingCallbackStillPays() public {
        _failingCallbackStillPays(MockRequester.Behaviour.Revert);
    }

    function test_fulfill_gasBurningCallbackStillPays() public {
        _failingCallbackStillPays(MockRequester.Behaviour.BurnGas);
    }

    /// @dev A callback reverting with a 200 kB buffer (about 95,000 gas of its own memory): still paid.
    function test_fulfill_revertBombCallbackStillPays() public {
        rollup.setBombSize(200_000);
        _failingCallbackStillPays(MockRequester.Behaviour.RevertBomb);
    }

    /// @dev A callback returning a 640 kB buffer (about 840,000 gas of its own memory, within the largest limit)
    ///      succeeds, and the deliverer pays no more than the limit for it: copying the buffer into the market's memory
    ///      would cost about as much again.
    function test_fulfill_returnBombCostsTheDelivererNoMoreThanTheLimit() public {
        uint32 limit = market.MAX_CALLBACK_GAS();
        (T.Request memory quiet,) = _lockedDutch(address(rollup), limit);
        (T.Request memory r, bytes32 id) = _lockedDutch(address(rollup), limit);
        uint256[8] memory proof = _proof();
        rollup.setBehaviour(MockRequester.Behaviour.Revert);
        vm.prank(p1);
        uint256 before = gasleft();
        market.fulfill(quiet, proof, pubs);
        uint256 quietCost = before - gasleft();
        rollup.setBehaviour(MockRequester.Behaviour.ReturnBomb);
        rollup.setBombSize(640_000);
        vm.recordLogs();
        vm.prank(p1);
        before = gasleft();
        market.fulfill(r, proof, pubs);
        uint256 bombCost = before - gasleft();
        assertEq(_callbackFailures(vm.getRecordedLogs(), id), 0, "the bomb returned: no CallbackFailed");
        assertGt(bombCost, quietCost + 700_000, "the callee paid for its buffer");
        assertLe(bombCost, quietCost + limit, "the deliverer paid at most the limit for it");
        assertEq(uint256(_state(id).status), uint256(T.Status.Fulfilled));
    }

    // =================================================================== every delivery path calls back

    function _deliverEachKindSingly(Kind k) internal returns (bytes32 id) {
        Kind[] memory kinds = new Kind[](1);
        kinds[0] = k;
        (T.Request[] memory rs, bytes32[] memory ids) = _assignedToWithCallback(p1, kinds);
        _fulfill(rs[0], p1);
        id = ids[0];
    }

    /// @dev `_assignedTo` for the mock rollup with `CB_GAS` (the builder reads `callbackGasLimit` from `_req`).
    function _assignedToWithCallback(address prover, Kind[] memory kinds)
        internal
        returns (T.Request[] memory rs, bytes32[] memory ids)
    {
        _callbackGasForNextRequests = CB_GAS;
        (rs, ids) = _assignedTo(prover, kinds, address(rollup));
        _callbackGasForNextRequests = 0;
    }

    function test_callback_everyFulfillPath() public {
        Kind[] memory kinds = _everyKind();
        for (uint256 i; i < kinds.length; ++i) {
            uint256 calls = rollup.calls();
            bytes32 id = _deliverEachKindSingly(kinds[i]);
            assertEq(rollup.calls(), calls + 1, string.concat("kind ", vm.toString(i), ": called back"));
            assertEq(rollup.lastId(), id, string.concat("kind ", vm.toString(i), ": its id"));
            assertEq(uint256(rollup.statusSeen()), uint256(T.Status.Fulfilled));
        }
    }

    function test_callback_revealProofOpenRace() public {
        T.Request memory r = _cbReq(T.Mode.OpenRace, CB_GAS);
        bytes32 id = rollup.submit(r, pubs);
        rollup.setWatchProver(p2);
        _deliverTwoStep(r, id, p2);
        assertEq(rollup.calls(), 1);
        assertEq(rollup.lastId(), id);
        assertEq(uint256(rollup.statusSeen()), uint256(T.Status.Fulfilled));
        assertEq(rollup.proverBalanceSeen(), MAX_FEE, "paid before the callback");
    }

    function test_callback_revealProofSecondary() public {
        (T.Request memory r, bytes32 id) = _lockedDutch(address(rollup), CB_GAS);
        vm.warp(block.timestamp + r.provingWindow + 1);
        market.slash(r);
        _deliverTwoStep(r, id, p2);
        assertEq(rollup.calls(), 1);
        assertEq(rollup.lastId(), id);
        assertEq(uint256(rollup.statusSeen()), uint256(T.Status.Fulfilled));
    }

    function test_callback_revealProofFailingCallbackStillPays() public {
        rollup.setBehaviour(MockRequester.Behaviour.Revert);
        T.Request memory r = _cbReq(T.Mode.OpenRace, CB_GAS);
        bytes32 id = rollup.submit(r, pubs);
        uint256[8] memory proof = _proof();
        _commitProof(id, p2, proof);
        vm.roll(block.number + 1);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.CallbackFailed(id, address(rollup));
        vm.prank(p2);
        market.revealProof(r, proof, pubs);
        assertEq(market.balanceOf(p2), MAX_FEE);
    }

    function test_callback_revealProofTooLittleGasReverts() public {
        T.Request memory r = _cbReq(T.Mode.OpenRace, 600_000);
        bytes32 id = rollup.submit(r, pubs);
        uint256[8] memory proof = _proof();
        _commitProof(id, p2, proof);
        vm.roll(block.number + 1);
        vm.prank(p2);
        (bool ok, bytes memory ret) =
            address(market).call{gas: 400_000}(abi.encodeCall(IProverMarket.revealProof, (r, proof, pubs)));
        assertFalse(ok, "revealed with a starved callback");
        assertEq(bytes4(ret), T.CallbackGasShort.selector);
        assertEq(uint256(_state(id).status), uint256(T.Status.Open));
    }

    /// @dev Every request of a batch is called back once, in order, each after every request is paid.
    function test_callback_fulfillBatchCallsEachRequest() public {
        Kind[] memory kinds = _everyKind();
        (T.Request[] memory rs, bytes32[] memory ids) = _assignedToWithCallback(p1, kinds);
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(rs.length);
        for (uint256 i; i < ids.length; ++i) {
            vm.expectCall(address(rollup), abi.encodeCall(IProofCallback.onProofFulfilled, (ids[i], pubs)), 1);
        }
        rollup.setWatchProver(p1);
        vm.prank(p1);
        market.fulfillBatch(rs, proofs, inputs);
        assertEq(rollup.calls(), rs.length);
        assertEq(rollup.lastId(), ids[ids.length - 1]);
        assertEq(rollup.proverBalanceSeen(), market.balanceOf(p1), "the batch's whole pay was credited first");
    }

    function test_callback_fulfillBatchFailingCallbackStillPays() public {
        rollup.setBehaviour(MockRequester.Behaviour.BurnGas);
        Kind[] memory kinds = new Kind[](2);
        (kinds[0], kinds[1]) = (Kind.DutchLocked, Kind.DutchLocked);
        (T.Request[] memory rs, bytes32[] memory ids) = _assignedToWithCallback(p1, kinds);
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(2);
        vm.expectEmit(true, true, false, true, address(market));
        emit T.CallbackFailed(ids[0], address(rollup));
        vm.expectEmit(true, true, false, true, address(market));
        emit T.CallbackFailed(ids[1], address(rollup));
        vm.prank(p1);
        market.fulfillBatch(rs, proofs, inputs);
        assertEq(uint256(_state(ids[1]).status), uint256(T.Status.Fulfilled));
    }

    /// @dev The deliverer of a batch must bring every callback's gas: short for the last one, the whole batch reverts.
    function test_callback_fulfillBatchTooLittleGasForAllReverts() public {
        Kind[] memory kinds = new Kind[](3);
        (kinds[0], kinds[1], kinds[2]) = (Kind.DutchLocked, Kind.DutchLocked, Kind.DutchLocked);
        (T.Request[] memory rs, bytes32[] memory ids) = _assignedToWithCallback(p1, kinds);
        rollup.setBehaviour(MockRequester.Behaviour.BurnGas);
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        bytes memory call = abi.encodeCall(IProverMarket.fulfillBatch, (rs, proofs, inputs));
        // Enough for the deliveries and two burning callbacks (300,000 each), not for the third.
        vm.prank(p1);
        (bool ok, bytes memory ret) = address(market).call{gas: 850_000}(call);
        assertFalse(ok, "delivered with a starved callback");
        assertEq(bytes4(ret), T.CallbackGasShort.selector);
        (bytes32 named,,) = abi.decode(_args(ret), (bytes32, uint256, uint256));
        assertEq(named, ids[2], "names the request whose callback could not get its gas");
        assertEq(uint256(_state(ids[0]).status), uint256(T.Status.Assigned), "nothing delivered");
    }
}
