// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RollupFixture} from "./RollupFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {ExampleRollup} from "../../src/examples/ExampleRollup.sol";
import {IExampleRollup} from "../../src/examples/interfaces/IExampleRollup.sol";
import {IProofCallback} from "../../src/interfaces/IProofCallback.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarketTypes.sol";
import {Owned} from "../../src/utils/Owned.sol";
import {RollupBatchVerifier} from "../../src/verifiers/RollupBatchVerifier.sol";
import {RollupBatchFixture} from "../fixtures/RollupBatchFixture.sol";

contract ExampleRollupTest is RollupFixture {
    // ------------------------------------------------------------------ construction

    function test_constructor_pinsActiveVerifierAndGenesis() public view {
        assertEq(rollup.verifier(), address(rollupVerifier));
        assertEq(rollup.market(), address(market));
        assertEq(rollup.registry(), address(registry));
        assertEq(uint256(rollup.circuitId()), uint256(rollupCircuit));
        assertEq(rollup.genesisRoot(), genesis);
        assertEq(rollup.finalizedRoot(), genesis);
        assertEq(rollup.headRoot(), genesis);
        assertEq(rollup.committedBatches(), 0);
        assertEq(rollup.finalizedBatches(), 0);
        assertEq(rollup.sequencer(), sequencer);
        assertEq(rollup.owner(), rollupOwner);
        assertLe(rollup.CALLBACK_GAS(), market.MAX_CALLBACK_GAS(), "callback gas within the market's bound");
    }

    function test_constructor_rejectsCircuitWithOtherPublicInputs() public {
        // MarketFixture's circuit has 2 public inputs.
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.CircuitMismatch.selector, circuitId, 2));
        new ExampleRollup(rollupOwner, sequencer, market, circuitId, genesis);
    }

    function test_constructor_rejectsZeroAddressesAndGenesisOutsideField() public {
        vm.expectRevert(IExampleRollup.ZeroAddress.selector);
        new ExampleRollup(rollupOwner, address(0), market, rollupCircuit, genesis);
        vm.expectRevert(IExampleRollup.ZeroAddress.selector);
        new ExampleRollup(address(0), sequencer, market, rollupCircuit, genesis);
        bytes32 big = bytes32(SCALAR_FIELD);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotAFieldElement.selector, big));
        new ExampleRollup(rollupOwner, sequencer, market, rollupCircuit, big);
    }

    // ------------------------------------------------------------------ commits

    function test_commitBatch_requestsProofAsRequesterFromEscrow() public {
        uint256 before = address(rollup).balance;
        bytes memory input = _input(0);
        IExampleRollup.ProofTerms memory terms = _terms(T.Mode.Dutch);
        vm.expectEmit(true, false, false, true, address(rollup));
        emit IExampleRollup.BatchCommitted(0, genesis, _newRoot(0), _batchHash(0), keccak256(input));
        Posted memory p = _commitBatch(0, terms);

        T.Request memory r = p.request;
        assertEq(r.requester, address(rollup), "the rollup is the requester");
        assertEq(uint256(r.circuitId), uint256(rollupCircuit));
        assertEq(r.verifier, address(rollupVerifier), "pinned verifier");
        assertEq(uint256(r.callbackGasLimit), uint256(rollup.CALLBACK_GAS()));
        assertEq(r.publicInputsHash, keccak256(abi.encodePacked(genesis, _newRoot(0), _batchHash(0))));
        assertEq(r.inputHash, keccak256(input));
        assertEq(uint256(r.maxFee), uint256(terms.maxFee));
        assertEq(uint256(r.bidDeadline), block.timestamp + terms.bidWindow);
        assertEq(address(rollup).balance, before - terms.maxFee, "maxFee escrowed from the rollup's balance");
        assertEq(uint256(market.requestState(p.id).status), uint256(T.Status.Open));

        IExampleRollup.BatchView memory b = rollup.batch(0);
        assertEq(b.oldRoot, genesis);
        assertEq(b.newRoot, _newRoot(0));
        assertEq(b.requestId, p.id);
        assertEq(uint256(b.attempts), 1);
        assertEq(uint256(b.status), uint256(IExampleRollup.BatchStatus.Pending));
        assertEq(uint256(b.terms.maxFee), uint256(terms.maxFee));
        assertEq(rollup.batchOfRequest(p.id), 0);
        assertEq(rollup.headRoot(), _newRoot(0));
    }

    function test_commitBatch_chainsRoots() public {
        _commitBatch(0, T.Mode.Dutch);
        Posted memory p1_ = _commitBatch(1, T.Mode.Dutch);
        assertEq(rollup.batch(1).oldRoot, _newRoot(0), "batch 1 starts at batch 0's new root");
        assertEq(p1_.pubs[0], uint256(_newRoot(0)));
        assertEq(p1_.pubs[1], uint256(_newRoot(1)));
        assertEq(p1_.pubs[2], uint256(_batchHash(1)));
        assertEq(rollup.committedBatches(), 2);
    }

    function test_commitBatch_onlySequencer() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotSequencer.selector, stranger));
        rollup.commitBatch(_newRoot(0), _batchHash(0), keccak256(_input(0)), _input(0), "", _terms(T.Mode.Dutch));
        vm.prank(rollupOwner);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotSequencer.selector, rollupOwner));
        rollup.commitBatch(_newRoot(0), _batchHash(0), keccak256(_input(0)), _input(0), "", _terms(T.Mode.Dutch));
    }

    function test_commitBatch_rejectsValuesOutsideTheField() public {
        bytes32 big = bytes32(SCALAR_FIELD + 1);
        vm.startPrank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotAFieldElement.selector, big));
        rollup.commitBatch(big, _batchHash(0), keccak256(_input(0)), _input(0), "", _terms(T.Mode.Dutch));
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotAFieldElement.selector, big));
        rollup.commitBatch(_newRoot(0), big, keccak256(_input(0)), _input(0), "", _terms(T.Mode.Dutch));
        vm.stopPrank();
    }

    function test_commitBatch_needsExactlyOneOfInputAndUri() public {
        vm.startPrank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.InputNotExactlyOne.selector, 0, 0));
        rollup.commitBatch(_newRoot(0), _batchHash(0), keccak256(_input(0)), "", "", _terms(T.Mode.Dutch));
        bytes memory input = _input(0);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.InputNotExactlyOne.selector, input.length, 8));
        rollup.commitBatch(_newRoot(0), _batchHash(0), keccak256(input), input, "ipfs://x", _terms(T.Mode.Dutch));
        // The market checks inline input against its hash.
        vm.expectRevert(T.InputHashMismatch.selector);
        rollup.commitBatch(_newRoot(0), _batchHash(0), keccak256("other"), input, "", _terms(T.Mode.Dutch));
        vm.stopPrank();
    }

    function test_commitBatch_uriInputIsStoredByHash() public {
        vm.prank(sequencer);
        (uint256 index,) = rollup.commitBatch(
            _newRoot(0), _batchHash(0), keccak256("content"), "", "ipfs://batch-0", _terms(T.Mode.Dutch)
        );
        assertEq(rollup.batch(index).uriHash, keccak256("ipfs://batch-0"));
    }

    function test_commitBatch_insufficientEscrowReverts() public {
        IExampleRollup.ProofTerms memory terms = _terms(T.Mode.Dutch);
        terms.maxFee = uint96(ESCROW + 1);
        terms.minCollateral = uint96(ESCROW + 1);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.InsufficientEscrow.selector, ESCROW + 1, ESCROW));
        rollup.commitBatch(_newRoot(0), _batchHash(0), keccak256(_input(0)), _input(0), "", terms);
    }

    function test_deposit_anyoneFundsTheEscrow() public {
        vm.prank(stranger);
        vm.expectEmit(true, false, false, true, address(rollup));
        emit IExampleRollup.EscrowDeposited(stranger, 1 ether);
        (bool ok,) = address(rollup).call{value: 1 ether}("");
        assertTrue(ok);
        assertEq(address(rollup).balance, ESCROW + 1 ether);
    }

    // ------------------------------------------------------------------ every mode finalizes

    function test_finalize_sealedBid() public {
        _finalizesIn(T.Mode.SealedBid);
    }

    function test_finalize_dutch() public {
        _finalizesIn(T.Mode.Dutch);
    }

    function test_finalize_standingAsk() public {
        _postRollupAsk(p2);
        _finalizesIn(T.Mode.StandingAsk);
    }

    function test_finalize_openRace() public {
        _finalizesIn(T.Mode.OpenRace);
    }

    function _finalizesIn(T.Mode mode) internal {
        Posted memory p = _commitBatch(0, mode);
        vm.recordLogs();
        _deliver(p, p2);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (bool found, bytes memory data) = _findLog(logs, address(rollup), IExampleRollup.BatchProven.selector, bytes32(0));
        assertTrue(found, "BatchProven");
        assertTrue(abi.decode(data, (bool)), "by the market's callback");
        (found, data) = _findLog(logs, address(rollup), IExampleRollup.BatchFinalized.selector, bytes32(0));
        assertTrue(found, "BatchFinalized");
        assertEq(abi.decode(data, (bytes32)), _newRoot(0));
        assertEq(uint256(market.requestState(p.id).status), uint256(T.Status.Fulfilled));
        assertEq(rollup.finalizedBatches(), 1, "finalized by the callback");
        assertEq(rollup.finalizedRoot(), _newRoot(0));
        assertEq(uint256(_status(0)), uint256(IExampleRollup.BatchStatus.Finalized));
    }

    /// @dev Four batches, one per mode, proven as they come: the finalized root follows each.
    function test_finalize_everyModeInOneChain() public {
        _postRollupAsk(p3);
        T.Mode[4] memory modes = [T.Mode.SealedBid, T.Mode.Dutch, T.Mode.StandingAsk, T.Mode.OpenRace];
        for (uint256 k; k < 4; ++k) {
            Posted memory p = _commitBatch(k, modes[k]);
            _deliver(p, modes[k] == T.Mode.StandingAsk ? p3 : p1);
            assertEq(rollup.finalizedBatches(), k + 1);
            assertEq(rollup.finalizedRoot(), _newRoot(k));
        }
        assertEq(rollup.headRoot(), rollup.finalizedRoot());
    }

    // ------------------------------------------------------------------ order

    function test_outOfOrderProof_waitsForItsPredecessor() public {
        Posted memory b0 = _commitBatch(0, T.Mode.OpenRace);
        Posted memory b1 = _commitBatch(1, T.Mode.OpenRace);
        _deliver(b1, p1);
        assertEq(uint256(_status(1)), uint256(IExampleRollup.BatchStatus.Proven), "proven");
        assertEq(rollup.finalizedBatches(), 0, "but not finalized before batch 0");
        assertEq(rollup.finalizedRoot(), genesis);
        assertEq(rollup.finalize(10), 0, "nothing to finalize yet");

        _deliver(b0, p2);
        assertEq(rollup.finalizedBatches(), 2, "batch 0's proof finalizes both");
        assertEq(rollup.finalizedRoot(), _newRoot(1));
    }

    function test_finalize_boundedPerCallThenPermissionless() public {
        uint256 n = 20;
        Posted[] memory ps = new Posted[](n);
        for (uint256 k; k < n; ++k) {
            ps[k] = _commitBatch(k, T.Mode.OpenRace);
        }
        for (uint256 k = n - 1; k >= 1; --k) {
            _deliver(ps[k], p1);
        }
        assertEq(rollup.finalizedBatches(), 0);
        _deliver(ps[0], p2);
        uint256 max = rollup.MAX_FINALIZE_PER_CALL();
        assertEq(rollup.finalizedBatches(), max, "the callback finalizes a bounded run");
        assertEq(rollup.finalizedRoot(), _newRoot(max - 1));

        vm.prank(stranger);
        assertEq(rollup.finalize(5), 5);
        assertEq(rollup.finalizedBatches(), max + 5);
        vm.prank(stranger);
        assertEq(rollup.finalize(type(uint256).max), n - max - 5);
        assertEq(rollup.finalizedBatches(), n);
        assertEq(rollup.finalizedRoot(), _newRoot(n - 1));
        assertEq(rollup.finalize(1), 0);
    }

    // ------------------------------------------------------------------ callback checks

    function test_onProofFulfilled_refusesWrongPublicInputs() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        _commitBatch(1, T.Mode.OpenRace);
        uint256[] memory other = rollup.publicInputsOf(1);
        vm.prank(address(market));
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.PublicInputsMismatch.selector, 0));
        rollup.onProofFulfilled(p.id, other);
        uint256[] memory short_ = new uint256[](2);
        vm.prank(address(market));
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.PublicInputsMismatch.selector, 0));
        rollup.onProofFulfilled(p.id, short_);
    }

    function test_onProofFulfilled_refusesUnknownRequest() public {
        _commitBatch(0, T.Mode.OpenRace);
        bytes32 unknown = keccak256("unknown");
        uint256[] memory inputs = rollup.publicInputsOf(0);
        vm.prank(address(market));
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.UnknownRequest.selector, unknown));
        rollup.onProofFulfilled(unknown, inputs);
    }

    function test_onProofFulfilled_onlyOncePerBatch() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        _deliver(p, p1);
        vm.prank(address(market));
        vm.expectRevert(
            abi.encodeWithSelector(IExampleRollup.BatchNotPending.selector, 0, IExampleRollup.BatchStatus.Proven)
        );
        rollup.onProofFulfilled(p.id, p.pubs);
    }

    /// @dev The worst case the callback has to pay for: MAX_FINALIZE_PER_CALL - 1 later batches proven and waiting, all
    ///      storage cold (as in the delivery's own transaction). Measured through the market's own call, with exactly
    ///      CALLBACK_GAS.
    function test_callback_gasWithinLimit() public {
        uint256 max = rollup.MAX_FINALIZE_PER_CALL();
        Posted[] memory ps = new Posted[](max + 1);
        for (uint256 k; k <= max; ++k) {
            ps[k] = _commitBatch(k, T.Mode.OpenRace);
        }
        for (uint256 k = 1; k <= max; ++k) {
            _deliver(ps[k], p1);
        }
        // The measurement: the callback alone, called as the market calls it, on cold storage.
        uint256 snap = vm.snapshotState();
        uint256 limit = rollup.CALLBACK_GAS();
        vmx.cool(address(rollup));
        vm.prank(address(market));
        uint256 g = gasleft();
        rollup.onProofFulfilled{gas: limit}(ps[0].id, ps[0].pubs);
        uint256 used = g - gasleft();
        emit log_named_uint("callback gas, worst case (finalizes MAX_FINALIZE_PER_CALL batches)", used);
        assertEq(rollup.finalizedBatches(), max);
        assertLe(used, limit, "fits the callback gas limit");
        vm.revertToState(snap);

        // And the real delivery: the market's callback does not fail.
        vmx.cool(address(rollup));
        vm.recordLogs();
        _deliver(ps[0], p2);
        assertEq(rollup.finalizedBatches(), max, "finalized by the market's callback");
        _assertNoCallbackFailed();
    }

    /// @dev The common case: one batch, proven in order.
    function test_callback_gasInOrder() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        vmx.cool(address(rollup));
        vm.prank(address(market));
        uint256 g = gasleft();
        rollup.onProofFulfilled(p.id, p.pubs);
        emit log_named_uint("callback gas, one batch in order", g - gasleft());
        assertEq(rollup.finalizedBatches(), 1);
    }

    function _assertNoCallbackFailed() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics.length != 0) assertTrue(logs[i].topics[0] != T.CallbackFailed.selector, "CallbackFailed");
        }
    }

    // ------------------------------------------------------------------ callback failure, sync

    function test_callbackFailure_thenSyncProof() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.RequestNotFulfilled.selector, p.id, T.Status.Open));
        rollup.syncProof(0);

        vmx.mockCallRevert(address(rollup), abi.encodeWithSelector(IProofCallback.onProofFulfilled.selector), "boom");
        vm.recordLogs();
        _deliver(p, p1);
        vmx.clearMockedCalls();
        (bool failed,) = _findLog(vm.getRecordedLogs(), address(market), T.CallbackFailed.selector, p.id);
        assertTrue(failed, "CallbackFailed");
        assertEq(uint256(market.requestState(p.id).status), uint256(T.Status.Fulfilled), "the delivery stands");
        assertEq(uint256(_status(0)), uint256(IExampleRollup.BatchStatus.Pending), "the rollup did not hear of it");

        vm.expectEmit(true, true, false, true, address(rollup));
        emit IExampleRollup.BatchProven(0, p.id, false);
        vm.prank(stranger);
        rollup.syncProof(0);
        assertEq(rollup.finalizedBatches(), 1);
        assertEq(rollup.finalizedRoot(), _newRoot(0));

        vm.expectRevert(
            abi.encodeWithSelector(IExampleRollup.BatchNotPending.selector, 0, IExampleRollup.BatchStatus.Proven)
        );
        rollup.syncProof(0);
    }

    function test_syncProof_unknownBatch() public {
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.UnknownBatch.selector, 0));
        rollup.syncProof(0);
    }

    // ------------------------------------------------------------------ liveness: reposts

    function test_repost_afterExpiry_byAnyone() public {
        Posted memory p = _commitBatch(0, T.Mode.Dutch);
        Posted[] memory live = new Posted[](1);
        live[0] = p;
        uint256 funds = _rollupFunds(live);
        vm.warp(uint256(p.request.bidDeadline) + 1); // nobody locked: the ramp is over

        vm.expectEmit(true, false, true, false, address(rollup));
        emit IExampleRollup.BatchRequested(0, bytes32(0), 2, T.Mode.Dutch, MAX_FEE, stranger);
        Posted memory q = _repost(p, stranger, 0);
        assertTrue(q.id != p.id, "a new request");
        assertEq(uint256(market.requestState(p.id).status), uint256(T.Status.Expired), "the old one was expired");
        assertEq(market.balanceOf(address(rollup)), 0, "its refund pulled back");
        assertEq(uint256(q.request.maxFee), uint256(p.request.maxFee), "the stored terms");
        assertEq(uint256(q.request.bidDeadline), block.timestamp + 100, "fresh deadlines");
        assertEq(q.request.publicInputsHash, p.request.publicInputsHash);
        assertEq(uint256(rollup.batch(0).attempts), 2);
        assertEq(rollup.batch(0).requestId, q.id);
        assertEq(rollup.batchOfRequest(q.id), 0);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.UnknownRequest.selector, p.id));
        rollup.batchOfRequest(p.id);
        live[0] = q;
        assertEq(_rollupFunds(live), funds, "reposting moved the same funds");

        _deliver(q, p1);
        assertEq(rollup.finalizedBatches(), 1);
    }

    function test_repost_ofAnAlreadyExpiredRequest() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        vm.warp(block.timestamp + p.request.provingWindow + 1);
        market.expire(p.request); // someone expired it directly
        assertEq(market.balanceOf(address(rollup)), MAX_FEE);
        Posted memory q = _repost(p, stranger, 0);
        assertEq(market.balanceOf(address(rollup)), 0);
        _deliver(q, p1);
        assertEq(rollup.finalizedRoot(), _newRoot(0));
    }

    function test_repost_refusedWhileLive() public {
        Posted memory p = _commitBatch(0, T.Mode.Dutch);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(T.NotExpirable.selector, p.id));
        rollup.repostBatch(0, p.request, _input(0), "");
    }

    function test_repost_refusedOnceFulfilled() public {
        Posted memory p = _commitBatch(0, T.Mode.OpenRace);
        vmx.mockCallRevert(address(rollup), abi.encodeWithSelector(IProofCallback.onProofFulfilled.selector), "boom");
        _deliver(p, p1);
        vmx.clearMockedCalls();
        vm.warp(block.timestamp + 1 days);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.RequestFulfilled.selector, p.id));
        rollup.repostBatch(0, p.request, _input(0), "");
    }

    function test_repost_needsTheBatchInput() public {
        Posted memory p = _commitBatch(0, T.Mode.Dutch);
        vm.warp(uint256(p.request.bidDeadline) + 1);
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.InputMismatch.selector, 0));
        rollup.repostBatch(0, p.request, "", "ipfs://elsewhere");
        vm.expectRevert(T.InputHashMismatch.selector);
        rollup.repostBatch(0, p.request, "other input", "");
        vm.stopPrank();
    }

    function test_repost_uriBatchNeedsItsUri() public {
        T.Request memory r = _expiredUriBatch();
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.InputMismatch.selector, 0));
        rollup.repostBatch(0, r, "", "ipfs://attacker");
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.InputMismatch.selector, 0));
        rollup.repostBatch(0, r, "content", "");
        bytes32 id2 = rollup.repostBatch(0, r, "", "ipfs://batch-0");
        vm.stopPrank();
        assertEq(rollup.batch(0).requestId, id2);
    }

    function test_repostWithTerms_sequencerReprices() public {
        Posted memory p = _commitBatch(0, T.Mode.Dutch);
        vm.warp(uint256(p.request.bidDeadline) + 1);
        IExampleRollup.ProofTerms memory terms = _terms(T.Mode.OpenRace);
        terms.maxFee = 0.2 ether;
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotSequencer.selector, stranger));
        rollup.repostBatchWithTerms(0, p.request, _input(0), "", terms);

        vm.recordLogs();
        vm.prank(sequencer);
        bytes32 id = rollup.repostBatchWithTerms(0, p.request, _input(0), "", terms);
        T.Request memory r = _submitted(id);
        assertEq(uint256(r.maxFee), 0.2 ether);
        assertEq(uint256(r.mode), uint256(T.Mode.OpenRace));
        assertEq(uint256(rollup.batch(0).terms.maxFee), 0.2 ether, "stored for later reposts");
    }

    function test_repost_afterSlashAndMissedSecondary() public {
        Posted memory p = _commitBatch(0, T.Mode.Dutch);
        vm.prank(p1);
        market.lockDutch(p.request);
        vm.warp(block.timestamp + p.request.provingWindow + 1);
        market.slash(p.request); // p1 missed its deadline; secondary delivery opens
        vm.warp(block.timestamp + p.request.provingWindow + 1); // and nobody delivered
        Posted memory q = _repost(p, stranger, 0);
        _deliver(q, p2);
        assertEq(rollup.finalizedBatches(), 1);
        assertGt(address(rollup).balance, ESCROW - MAX_FEE, "the repost pulled the rollup's share of p1's collateral");
    }

    // ------------------------------------------------------------------ revert of unprovable batches

    function test_revertBatches_dropsTheTailAndItsStaleRequest() public {
        Posted memory b0 = _commitBatch(0, T.Mode.OpenRace);
        Posted memory b1 = _commitBatch(1, T.Mode.OpenRace); // say: unprovable
        _commitBatch(2, T.Mode.OpenRace);
        _deliver(b0, p1);

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotSequencerOrOwner.selector, stranger));
        rollup.revertBatches(1);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotRevertible.selector, 0, 1, 3));
        rollup.revertBatches(0); // finalized

        vm.expectEmit(false, false, false, true, address(rollup));
        emit IExampleRollup.BatchesReverted(1, 3);
        vm.prank(sequencer);
        rollup.revertBatches(1);
        assertEq(rollup.committedBatches(), 1);
        assertEq(rollup.headRoot(), _newRoot(0));
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.UnknownBatch.selector, 1));
        rollup.batch(1);

        Posted memory c1 = _commitBatch(11, T.Mode.OpenRace); // a new batch 1
        assertEq(c1.index, 1);
        assertEq(c1.pubs[0], uint256(_newRoot(0)));
        // The dropped batch 1's request is still delivered: its prover is paid, but it proves nothing here.
        vm.recordLogs();
        _deliver(b1, p2);
        (bool failed,) = _findLog(vm.getRecordedLogs(), address(market), T.CallbackFailed.selector, b1.id);
        assertTrue(failed, "the rollup refused the stale request's callback");
        assertEq(uint256(market.requestState(b1.id).status), uint256(T.Status.Fulfilled));
        assertEq(uint256(_status(1)), uint256(IExampleRollup.BatchStatus.Pending));
        assertEq(rollup.finalizedBatches(), 1);

        _deliver(c1, p3);
        assertEq(rollup.finalizedBatches(), 2);
        assertEq(rollup.finalizedRoot(), _newRoot(11));
    }

    // ------------------------------------------------------------------ roles

    function test_setSequencer_byOwnerOrSequencerOnly() public {
        address next = makeAddr("next");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotSequencerOrOwner.selector, stranger));
        rollup.setSequencer(next);

        vm.expectEmit(true, true, false, false, address(rollup));
        emit IExampleRollup.SequencerSet(sequencer, next);
        vm.prank(sequencer);
        rollup.setSequencer(next);
        assertEq(rollup.sequencer(), next);

        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(IExampleRollup.NotSequencerOrOwner.selector, sequencer));
        rollup.setSequencer(sequencer);

        vm.prank(rollupOwner);
        rollup.setSequencer(sequencer);
        assertEq(rollup.sequencer(), sequencer);

        vm.prank(rollupOwner);
        vm.expectRevert(IExampleRollup.ZeroAddress.selector);
        rollup.setSequencer(address(0));
    }

    function test_adoptActiveVerifier_ownerOnlyAfterTheRegistryUpgrade() public {
        MockVerifier next = new MockVerifier(3);
        vm.prank(rollupOwner);
        registry.proposeVerifierUpgrade(rollupCircuit, address(next), "ipfs://rollup2", keccak256("rollup2"));
        vm.warp(block.timestamp + UPGRADE_DELAY + 1);
        registry.activateVerifierUpgrade(rollupCircuit);

        // The rollup still pins the old verifier: the market refuses its requests until the owner adopts.
        vm.prank(sequencer);
        vm.expectRevert(
            abi.encodeWithSelector(T.VerifierNotActive.selector, address(rollupVerifier), address(next))
        );
        rollup.commitBatch(_newRoot(0), _batchHash(0), keccak256(_input(0)), _input(0), "", _terms(T.Mode.Dutch));

        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, sequencer));
        rollup.adoptActiveVerifier();
        vm.prank(rollupOwner);
        rollup.adoptActiveVerifier();
        assertEq(rollup.verifier(), address(next));
        Posted memory p = _commitBatch(0, T.Mode.Dutch);
        assertEq(p.request.verifier, address(next));
    }

    // ------------------------------------------------------------------ the real verifier

    /// @dev The committed fixture's proof of circuits/rollup_batch.circom, verified by the generated verifier through
    ///      the market, finalizes the fixture's new root.
    function test_realVerifier_fixtureProofFinalizes() public {
        RollupBatchVerifier real = new RollupBatchVerifier();
        vm.prank(rollupOwner);
        uint32 cid = registry.registerCircuit(address(real), "ipfs://rollup-real", keccak256("real"), 14_703, 3);
        uint256[] memory pubs_ = RollupBatchFixture.publicInputs();
        ExampleRollup r = new ExampleRollup(rollupOwner, sequencer, market, cid, bytes32(pubs_[0]));
        r.deposit{value: 1 ether}();

        vm.recordLogs();
        vm.prank(sequencer);
        (, bytes32 id) = r.commitBatch(
            bytes32(pubs_[1]), bytes32(pubs_[2]), keccak256("fixture input"), "fixture input", "", _terms(T.Mode.OpenRace)
        );
        T.Request memory req = _submitted(id);
        uint256[8] memory proof = RollupBatchFixture.proof();
        _commitRollupProof(id, p1, proof);
        vm.roll(block.number + 1);
        vm.prank(p1);
        market.revealProof(req, proof, pubs_);
        assertEq(r.finalizedBatches(), 1);
        assertEq(r.finalizedRoot(), bytes32(pubs_[1]));
    }
}
