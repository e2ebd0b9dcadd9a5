// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttackFixture} from "./AttackFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";

/// @notice Attacks on proof delivery: a cancellation front-running a race proof (4), a block builder holding the
///         first reveal back, a slashed prover recovering its collateral (7), and a verifier replaced in place.
contract ProofAttacksTest is AttackFixture {
    /// @dev Attack 4 (open race) as reviewed: the requester sees `revealProof` in the mempool and gets
    ///      `cancelRequest` in first; the proof is public and it pays nothing. Now a proof commitment blocks
    ///      cancellation, so the reveal lands and is paid.
    function test_attack_cancelFrontRunsRaceProof() public {
        T.Request memory r = _req(T.Mode.OpenRace);
        bytes32 id = _submit(r);
        uint256[8] memory proof = _proof();
        _commitProof(id, p1, proof);
        vm.roll(block.number + 1);
        // The requester's front-running cancel:
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.CommitmentsExist.selector, id));
        market.cancelRequest(r);
        vm.prank(p1);
        market.revealProof(r, proof, pubs);
        assertEq(market.balanceOf(p1), MAX_FEE, "the prover is paid");
        // Before any commitment the requester may still cancel.
        T.Request memory r2 = _req(T.Mode.OpenRace);
        _submit(r2);
        vm.prank(requester);
        market.cancelRequest(r2);
    }

    /// @dev A block builder sees the first prover's reveal, holds it back, copies the proof into its own later
    ///      commitment and reveals that first. Now the first commitment has PROOF_REVEAL_BLOCKS to reveal: the
    ///      copy's reveal is refused in that window and the honest reveal, landing within it, is paid.
    function test_attack_builderHoldsRevealBack() public {
        T.Request memory r = _req(T.Mode.OpenRace);
        bytes32 id = _submit(r);
        uint256[8] memory proof = _proof();
        _commitProof(id, p1, proof);
        uint256 first = block.number;
        vm.roll(block.number + 1); // the honest reveal is withheld from this block by the builder
        _commitProof(id, shill, proof);
        vm.roll(block.number + 1);
        uint256 window = market.PROOF_REVEAL_BLOCKS(); // read before the prank
        vm.prank(shill);
        vm.expectRevert(abi.encodeWithSelector(T.EarlierCommitmentPending.selector, id, first, first + window + 1));
        market.revealProof(r, proof, pubs);
        vm.roll(first + market.PROOF_REVEAL_BLOCKS()); // last block of the window
        vm.prank(p1);
        market.revealProof(r, proof, pubs);
        assertEq(market.balanceOf(p1), MAX_FEE, "the first committer wins");
        assertEq(market.balanceOf(shill), 0);
    }

    /// @dev A first commitment that is never revealed only delays the others by PROOF_REVEAL_BLOCKS.
    function test_attack_junkFirstCommitmentOnlyDelays() public {
        T.Request memory r = _req(T.Mode.OpenRace);
        bytes32 id = _submit(r);
        vm.prank(shill);
        market.commitProof(id, keccak256("junk"));
        uint256 first = block.number;
        uint256[8] memory proof = _proof();
        vm.roll(block.number + 1);
        _commitProof(id, p1, proof);
        vm.roll(first + market.PROOF_REVEAL_BLOCKS() + 1);
        vm.prank(p1);
        market.revealProof(r, proof, pubs);
        assertEq(market.balanceOf(p1), MAX_FEE);
    }

    /// @dev Attack 7 as reviewed: after being slashed (even by itself), a prover delivered late through secondary
    ///      fulfilment and collected the fee plus the bounty, half of its own collateral. Now half is burnt whoever
    ///      delivers, the slashed address cannot deliver, and through a second address it recovers at most the
    ///      bounty (a quarter).
    function test_attack_selfSlashRecoversCollateral() public {
        T.Request memory r = _req(T.Mode.Dutch);
        bytes32 id = _submit(r);
        uint256 before = _worth(p1) + _worth(shill);
        vm.prank(p1);
        market.lockDutch(r);
        uint256 price = market.dutchPrice(r);
        vm.warp(block.timestamp + r.provingWindow + 1);
        vm.prank(p1);
        market.slash(r); // slashes itself
        uint256[8] memory proof = _proof();
        bytes32 c = market.proofCommitment(id, p1, proof);
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.SlashedProverExcluded.selector, p1));
        market.commitProof(id, c);
        // Through its second address it wins its own bounty back, and the fee it would have earned anyway.
        _deliverTwoStep(r, id, shill);
        uint256 afterAll = _worth(p1) + _worth(shill);
        uint256 loss = before + price - afterAll; // against delivering on time
        assertEq(loss, COLLATERAL * 3 / 4, "burnt half + the requester's quarter");
        assertGe(loss, COLLATERAL * market.SLASH_BURN_BPS() / 10_000, "at least the stated share");
    }

    /// @dev Attack 7b as reviewed: with OnMiss.RunnerUp a winner that misses on purpose handed the job to a runner-up
    ///      it controls, which is paid its own (higher) fee. Now the takeover has no bounty: the winner loses its whole
    ///      collateral (at least maxFee), more than the takeover can gain (at most maxFee - payment).
    function test_attack_runnerUpHandOff() public {
        T.Request memory r = _req(T.Mode.SealedBid);
        r.onMiss = T.OnMiss.RunnerUp;
        _submit(r);
        _commit(r, p1, 0.01 ether, 100);
        _commit(r, shill, MAX_FEE, 100);
        _toReveal(r);
        _reveal(r, p1, 0.01 ether, 100);
        _reveal(r, shill, MAX_FEE, 100);
        uint256 before = _worth(p1) + _worth(shill);
        vm.warp(uint256(r.revealDeadline) + 101);
        market.slash(r); // p1 missed on purpose: the shill takes over at its own fee
        uint256[8] memory proof = _proof();
        vm.prank(shill);
        market.fulfill(r, proof, pubs);
        uint256 afterAll = _worth(p1) + _worth(shill);
        assertEq(before - afterAll + MAX_FEE, COLLATERAL, "the whole collateral lost, maxFee gained");
        assertGt(COLLATERAL, MAX_FEE, "more lost than gained");
        assertEq(vault.claimableBalance(shill, 0), 0, "no bounty on a takeover");
    }

    /// @dev A verifier whose code changes after it was pinned (e.g. redeployed in place) fails fulfilment instead of
    ///      accepting a proof under new rules.
    function test_attack_verifierCodeSwapped() public {
        T.Request memory r = _req(T.Mode.Dutch);
        _submit(r);
        vm.prank(p1);
        market.lockDutch(r);
        bytes32 pinned = address(verifier).codehash;
        vm.etch(address(verifier), hex"6001600055");
        uint256[8] memory proof;
        vm.prank(p1);
        vm.expectRevert(
            abi.encodeWithSelector(
                T.VerifierCodeChanged.selector, address(verifier), pinned, keccak256(hex"6001600055")
            )
        );
        market.fulfill(r, proof, pubs);
    }
}
