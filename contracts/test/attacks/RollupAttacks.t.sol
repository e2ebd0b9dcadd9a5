// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RollupFixture} from "../examples/RollupFixture.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {ExampleRollup} from "../../src/examples/ExampleRollup.sol";
import {IExampleRollup} from "../../src/examples/interfaces/IExampleRollup.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarketTypes.sol";

/// @notice Plays the market towards a rollup: calls its callback, as a contract that is not the market.
contract FakeMarket {
    function callBack(IExampleRollup rollup, bytes32 requestId, uint256[] calldata publicInputs) external {
        rollup.onProofFulfilled(requestId, publicInputs);
    }
}

/// @notice Who can use the rollup against whom: strangers calling the callback, a fake market, draining the escrow
///         through reposts, griefing finalization, stale or foreign requests posing as a batch's.
contract RollupAttacksTest is RollupFixture {
    /// @dev A stranger calls the callback with a batch's exact request id and public inputs: refused.
    function test_attack_strangerCallsOnProofFulfilled() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotMarket.selector, stranger));
        rollup.onProofFulfilled(p.id, p.pubs);
        assertEq(uint256(_status(0)), uint256(IExampleRollup.BatchStatus.Pending));
        assertEq(rollup.finalizedRoot(), genesis);
    }

    /// @dev A contract posing as the market: the rollup trusts only the market it was deployed with.
    function test_attack_fakeMarketCallsBack() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        FakeMarket fake = new FakeMarket();
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotMarket.selector, address(fake)));
        fake.callBack(rollup, p.id, p.pubs);
    }

    /// @dev The attacker gets a request with the batch's public inputs fulfilled through the real market, against a
    ///      verifier of its own: that request is not the batch's (its id binds requester, circuit and verifier), so
    ///      neither the callback nor the sync path accepts it, and no one can post a request in the rollup's name.
    function test_attack_foreignRequestWithTheBatchInputs() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        // The attacker's own circuit with a verifier it controls, and a request carrying the batch's public inputs.
        MockVerifier lax = new MockVerifier(3);
        vm.prank(stranger);
        uint32 cid = registry.registerCircuit(address(lax), "ipfs://attacker", keccak256("attacker"), UNITS, 3);
        T.Request memory r = p.request;
        r.circuitId = cid;
        r.verifier = address(lax);
        r.requester = stranger;
        r.nonce = 999;
        vm.prank(stranger);
        bytes32 foreign = market.submitRequest{value: r.maxFee}(r, _input(0), "", p.pubs);
        uint256[8] memory proof = lax.validProof(p.pubs);
        _commitRollupProof(foreign, p1, proof);
        vm.roll(block.number + 1);
        vm.prank(p1);
        market.revealProof(r, proof, p.pubs); // the callback goes to the requester, the attacker (an EOA)
        assertEq(uint256(market.requestState(foreign).status), uint256(T.Status.Fulfilled));

        // Neither path lets that request stand for the batch.
        vm.prank(address(market));
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.UnknownRequest.selector, foreign));
        rollup.onProofFulfilled(foreign, p.pubs);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.RequestNotFulfilled.selector, p.id, T.Status.Open));
        rollup.syncProof(0);
        // And nobody can post a request in the rollup's name.
        r.requester = address(rollup);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(T.NotRequester.selector, stranger));
        market.submitRequest{value: r.maxFee}(r, _input(0), "", p.pubs);
        assertEq(rollup.finalizedRoot(), genesis);
    }

    /// @dev Reposting in a loop, as soon as each request expires: the rollup's funds (balance, market balance, escrow
    ///      in its live request) never shrink, and the caller cannot set the price.
    function test_attack_drainEscrowViaRepost() public {
        Posted memory p = _commitBatch(0, T.Mode.Dutch);
        Posted[] memory live = new Posted[](1);
        live[0] = p;
        uint256 funds = _rollupFunds(live);
        IExampleRollup.ProofTerms memory greedy = _terms(T.Mode.Dutch);
        greedy.maxFee = uint96(ESCROW - MAX_FEE);
        greedy.minFee = uint96(ESCROW - MAX_FEE);
        for (uint256 i; i < 10; ++i) {
            vm.warp(uint256(p.request.bidDeadline) + 1);
            vm.prank(stranger);
            vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotSequencer.selector, stranger));
            rollup.repostBatchWithTerms(0, p.request, _input(0), "", greedy);
            p = _repost(p, stranger, 0);
            assertEq(uint256(p.request.maxFee), MAX_FEE, "the stored price");
            live[0] = p;
            assertEq(_rollupFunds(live), funds, "funds conserved");
        }
        // Reposting a live request is refused (the market will not expire it), so there is never a second escrow.
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(T.NotExpirable.selector, p.id));
        rollup.repostBatch(0, p.request, _input(0), "");
        assertEq(address(rollup).balance, ESCROW - MAX_FEE, "exactly one escrow out");
    }

    /// @dev Reposting a batch whose proof was delivered (its callback failed) would pay a second prover: refused.
    function test_attack_repostAfterDeliveryToPayTwice() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        vmx.mockCallRevert(address(rollup), abi.encodeWithSelector(rollup.onProofFulfilled.selector), "boom");
        _deliver(p, p1);
        vmx.clearMockedCalls();
        vm.warp(block.timestamp + 30 days);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.RequestFulfilled.selector, p.id));
        rollup.repostBatch(0, p.request, _input(0), "");
        rollup.syncProof(0);
        assertEq(rollup.finalizedBatches(), 1);
    }

    /// @dev A repost handed forged terms as the "previous" request (to expire something else, or to skip the status
    ///      check) is refused: the terms must hash to the batch's request id.
    function test_attack_repostWithForgedPreviousRequest() public {
        Posted memory p = _commitBatch(0, T.Mode.Dutch);
        T.Request memory forged = p.request;
        forged.nonce = 12345;
        bytes32 forgedId = market.requestIdOf(forged);
        vm.warp(uint256(p.request.bidDeadline) + 1);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.PreviousRequestMismatch.selector, 0, forgedId, p.id));
        rollup.repostBatch(0, forged, _input(0), "");
    }

    /// @dev Reposting a URI batch with the attacker's URI (pointing provers at other data) is refused.
    function test_attack_repostSwapsTheInputUri() public {
        T.Request memory r = _expiredUriBatch();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.InputMismatch.selector, 0));
        rollup.repostBatch(0, r, "", "https://attacker.example/batch-0");
    }

    /// @dev An attacker proves a long run of later batches first (paying nothing but gas: open race), so the proof of
    ///      batch 0 would have to finalize them all: the callback's work is bounded, so it neither runs out of gas nor
    ///      fails, and `finalize` completes the rest for anyone.
    function test_attack_griefFinalizationWithOutOfOrderFlood() public {
        uint256 n = 40;
        Posted[] memory ps = new Posted[](n);
        for (uint256 k; k < n; ++k) {
            ps[k] = _commitBatch(k, T.Mode.OpenRace);
        }
        for (uint256 k = n - 1; k >= 1; --k) {
            _deliver(ps[k], p4);
        }
        vmx.cool(address(rollup));
        vm.recordLogs();
        _deliver(ps[0], p1);
        (bool failed,) = _findLog(vm.getRecordedLogs(), address(market), T.CallbackFailed.selector, ps[0].id);
        assertFalse(failed, "the callback ran within its gas");
        assertEq(rollup.finalizedBatches(), rollup.MAX_FINALIZE_PER_CALL(), "bounded, and the callback succeeded");
        vm.prank(stranger);
        rollup.finalize(n);
        assertEq(rollup.finalizedBatches(), n);
        assertEq(rollup.finalizedRoot(), _newRoot(n - 1));
    }

    /// @dev finalize(0) or calls with nothing proven change nothing.
    function test_attack_finalizeNoOps() public {
        _commitBatch(0, T.Mode.OpenRace);
        vm.startPrank(stranger);
        assertEq(rollup.finalize(0), 0);
        assertEq(rollup.finalize(type(uint256).max), 0);
        vm.stopPrank();
        assertEq(rollup.finalizedRoot(), genesis);
    }

    /// @dev The market replaying a callback (or a second callback for a reposted batch's old request) cannot prove a
    ///      batch twice or prove the batch that replaced a reverted one.
    function test_attack_staleRequestOfRevertedBatch() public {
        Posted memory b0 = _commitBatch(0, T.Mode.OpenRace);
        vm.prank(sequencer);
        rollup.revertBatches(0);
        Posted memory c0 = _commitBatch(7, T.Mode.OpenRace); // a different batch 0
        vm.prank(address(market));
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.UnknownRequest.selector, b0.id));
        rollup.onProofFulfilled(b0.id, b0.pubs);
        // Its delivery through the market pays its prover and proves nothing (the rollup refuses the callback).
        vm.recordLogs();
        _deliver(b0, p1);
        (bool failed,) = _findLog(vm.getRecordedLogs(), address(market), T.CallbackFailed.selector, b0.id);
        assertTrue(failed, "the stale request's callback was refused");
        assertEq(rollup.finalizedBatches(), 0);
        _deliver(c0, p2);
        assertEq(rollup.finalizedRoot(), _newRoot(7));
    }

    /// @dev The sequencer's key is the only one that spends: the owner cannot commit, a stranger cannot revert batches
    ///      or take the role.
    function test_attack_rolesHold() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotSequencer.selector, stranger));
        rollup.commitBatch(_newRoot(0), _batchHash(0), keccak256(_input(0)), _input(0), "", _terms(T.Mode.Dutch));
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotSequencerOrOwner.selector, stranger));
        rollup.setSequencer(stranger);
        vm.stopPrank();
        assertEq(rollup.sequencer(), sequencer);
    }
}
