// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DeliveryFixture} from "../utils/DeliveryFixture.sol";
import {IProverMarket, IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";
import {MockRequester} from "../mocks/MockRequester.sol";

/// @notice Attacks through the requester callback, the one untrusted call on the delivery paths, which carry no
///         reentrancy lock: a requester (possibly a prover too) re-entering the market from `onProofFulfilled` to be
///         paid twice, to withdraw before its balance is right, to undo or reroute the delivered job, or to disturb the
///         rest of a batch. Each finds the delivered request Fulfilled (final) and every balance already written, so
///         each either fails (the callback then fails: `CallbackFailed`, the delivery stands) or is an ordinary call on
///         consistent state.
contract CallbackAttacksTest is DeliveryFixture {
    MockRequester internal rollup;
    uint32 internal constant CB_GAS = 500_000;

    function setUp() public override {
        super.setUp();
        rollup = new MockRequester(market);
        vm.deal(address(rollup), 100 ether);
        // The rollup can act as a prover too (attacks where requester and prover are one).
        rollup.execute(address(vault), 10 ether, abi.encodeCall(ICollateralVault.depositEth, ()));
    }

    /// @dev A Dutch request of the rollup with a callback, locked by `prover` (p1 or the rollup itself).
    function _rollupDutch(address prover) internal returns (T.Request memory r, bytes32 id) {
        r = _req(T.Mode.Dutch);
        r.requester = address(rollup);
        r.callbackGasLimit = CB_GAS;
        id = rollup.submit(r, pubs);
        if (prover == address(rollup)) {
            rollup.execute(address(market), 0, abi.encodeCall(IProverMarket.lockDutch, (r)));
        } else {
            vm.prank(prover);
            market.lockDutch(r);
        }
    }

    /// @dev The proof is built before the prank (building it is a call, which would use the prank up).
    function _fulfillAs(address prover, T.Request memory r) internal {
        uint256[8] memory proof = _proof();
        vm.prank(prover);
        market.fulfill(r, proof, pubs);
    }

    function _fulfillCall(T.Request memory r) internal view returns (bytes memory) {
        return abi.encodeCall(IProverMarket.fulfill, (r, _proof(), pubs));
    }

    function _batchCall(T.Request memory r) internal view returns (bytes memory) {
        T.Request[] memory rs = new T.Request[](1);
        rs[0] = r;
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(1);
        return abi.encodeCall(IProverMarket.fulfillBatch, (rs, proofs, inputs));
    }

    /// @dev The re-entry the callback made failed with `selector`.
    function _assertReentryFailedWith(bytes4 selector) internal view {
        assertFalse(rollup.reenterOk(), "the re-entry succeeded");
        assertEq(bytes4(rollup.reenterResult()), selector, "the re-entry's error");
    }

    /// @dev The requester withdraws inside its callback: its refund is already credited, so it gets exactly that.
    function test_attack_callbackWithdrawsDuringDelivery() public {
        (T.Request memory r,) = _rollupDutch(p1);
        uint256 refund = MAX_FEE - market.dutchPrice(r);
        rollup.setReenter(address(market), abi.encodeCall(IProverMarket.withdraw, (refund, address(rollup))));
        uint256 before = address(rollup).balance;
        _fulfillAs(p1, r);
        assertTrue(rollup.reenterOk(), "the withdrawal inside the callback");
        assertEq(address(rollup).balance - before, refund, "exactly the refund");
        assertEq(market.balanceOf(address(rollup)), 0);
        assertEq(address(market).balance, market.balanceOf(p1), "the market holds exactly what it owes");
    }

    /// @dev Withdrawing more than the refund from the callback fails like anywhere else.
    function test_attack_callbackWithdrawsMoreThanOwed() public {
        (T.Request memory r,) = _rollupDutch(p1);
        uint256 refund = MAX_FEE - market.dutchPrice(r);
        rollup.setReenter(address(market), abi.encodeCall(IProverMarket.withdraw, (refund + 1, address(rollup))));
        _fulfillAs(p1, r);
        _assertReentryFailedWith(T.InsufficientBalance.selector);
        assertEq(market.balanceOf(address(rollup)), refund);
    }

    /// @dev A requester that is also the assigned prover tries to be paid twice: the callback delivers the same
    ///      request again (by `fulfill` and by `fulfillBatch`). It is already Fulfilled.
    function test_attack_proverRequesterRedeliversFromCallback() public {
        (T.Request memory r, bytes32 id) = _rollupDutch(address(rollup));
        rollup.setReenter(address(market), _fulfillCall(r));
        rollup.execute(address(market), 0, _fulfillCall(r));
        _assertReentryFailedWith(T.WrongStatus.selector);
        assertEq(market.balanceOf(address(rollup)), MAX_FEE, "price once plus refund once");
        assertEq(_backing(address(rollup), 0), 0, "collateral returned once");

        (T.Request memory r2, bytes32 id2) = _rollupDutch(address(rollup));
        rollup.setReenter(address(market), _batchCall(r2));
        rollup.execute(address(market), 0, _batchCall(r2));
        _assertReentryFailedWith(T.WrongStatus.selector);
        assertEq(market.balanceOf(address(rollup)), 2 * MAX_FEE, "the second job paid once too");
        assertEq(uint256(_state(id).status), uint256(T.Status.Fulfilled));
        assertEq(uint256(_state(id2).status), uint256(T.Status.Fulfilled));
    }

    /// @dev The callback tries to undo the delivered job: cancel it (refund the escrow), expire it, slash its prover.
    function test_attack_callbackCannotUndoTheDelivery() public {
        (T.Request memory r,) = _rollupDutch(p1);
        uint256 price = market.dutchPrice(r);
        rollup.setReenter(address(market), abi.encodeCall(IProverMarket.cancelRequest, (r)));
        _fulfillAs(p1, r);
        _assertReentryFailedWith(T.WrongStatus.selector);

        (T.Request memory r2,) = _rollupDutch(p1);
        rollup.setReenter(address(market), abi.encodeCall(IProverMarket.expire, (r2)));
        _fulfillAs(p1, r2);
        _assertReentryFailedWith(T.NotExpirable.selector);

        (T.Request memory r3,) = _rollupDutch(p1);
        rollup.setReenter(address(market), abi.encodeCall(IProverMarket.slash, (r3)));
        _fulfillAs(p1, r3);
        _assertReentryFailedWith(T.WrongStatus.selector);
        assertEq(market.balanceOf(p1), 3 * price, "each delivery paid");
        assertEq(_backing(p1, 0), 0, "no collateral left backing anything");
    }

    /// @dev A callback running an ordinary delivery of another job (the rollup proves someone else's request) nests
    ///      cleanly: both paid once, both called back.
    function test_attack_callbackDeliversAnotherJobNested() public {
        (T.Request memory mine,) = _rollupDutch(p1);
        // Someone else's job, locked by the rollup as prover.
        T.Request memory theirs = _req(T.Mode.Dutch);
        bytes32 theirsId = _submit(theirs);
        rollup.execute(address(market), 0, abi.encodeCall(IProverMarket.lockDutch, (theirs)));
        uint256 theirPrice = market.dutchPrice(theirs);
        uint256 myPrice = market.dutchPrice(mine);
        rollup.setReenter(address(market), _fulfillCall(theirs));
        _fulfillAs(p1, mine);
        assertTrue(rollup.reenterOk(), "the nested delivery");
        assertEq(uint256(_state(theirsId).status), uint256(T.Status.Fulfilled));
        assertEq(market.balanceOf(p1), myPrice);
        assertEq(market.balanceOf(address(rollup)), theirPrice + (MAX_FEE - myPrice), "its pay and its refund");
        assertEq(market.balanceOf(requester), MAX_FEE - theirPrice);
    }

    /// @dev In a batch, the first request's callback tries to deliver a later request of the same batch again (by
    ///      then Fulfilled) and to withdraw the prover's pay for it twice: nothing of the batch is left to disturb.
    function test_attack_batchCallbackTouchesTheRestOfTheBatch() public {
        _callbackGasForNextRequests = CB_GAS;
        Kind[] memory kinds = new Kind[](2);
        (kinds[0], kinds[1]) = (Kind.DutchLocked, Kind.DutchLocked);
        (T.Request[] memory rs, bytes32[] memory ids) = _assignedTo(address(rollup), kinds, address(rollup));
        rollup.setReenter(address(market), _fulfillCall(rs[1]));
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(2);
        rollup.execute(address(market), 0, abi.encodeCall(IProverMarket.fulfillBatch, (rs, proofs, inputs)));
        _assertReentryFailedWith(T.WrongStatus.selector);
        assertEq(rollup.calls(), 2, "both called back");
        assertEq(uint256(_state(ids[1]).status), uint256(T.Status.Fulfilled));
        assertEq(market.balanceOf(address(rollup)), 2 * MAX_FEE, "two jobs, each paid once");
        assertEq(_backing(address(rollup), 0), 0);
    }

    /// @dev A callback that reverts after its re-entry leaves no trace of the re-entry: a withdrawal inside a failed
    ///      callback is undone with it (the market's books and ETH still agree).
    function test_attack_failedCallbackUndoesItsReentry() public {
        (T.Request memory r, bytes32 id) = _rollupDutch(p1);
        uint256 refund = MAX_FEE - market.dutchPrice(r);
        // Withdraw, then revert: the whole callback frame is undone.
        rollup.setBehaviour(MockRequester.Behaviour.ReenterThenRevert);
        rollup.setReenter(address(market), abi.encodeCall(IProverMarket.withdraw, (refund, address(rollup))));
        uint256 before = address(rollup).balance;
        vm.expectEmit(true, true, false, true, address(market));
        emit T.CallbackFailed(id, address(rollup));
        _fulfillAs(p1, r);
        assertEq(address(rollup).balance, before, "no ETH left the market");
        assertEq(market.balanceOf(address(rollup)), refund, "the refund is still owed");
    }
}
