// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "./utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../src/interfaces/IProverMarket.sol";
import {IGroth16Verifier} from "../src/interfaces/IGroth16Verifier.sol";
import {RollupBatchVerifier} from "../src/verifiers/RollupBatchVerifier.sol";
import {RollupBatchFixture} from "./fixtures/RollupBatchFixture.sol";
import {MultiplierVerifier} from "../src/verifiers/MultiplierVerifier.sol";
import {MultiplierFixture} from "./fixtures/MultiplierFixture.sol";

/// @notice The market with real Groth16 verifiers (generated from the circom circuits) and real snarkjs proofs.
contract EndToEndTest is MarketFixture {
    RollupBatchVerifier internal rollupVerifier;
    uint32 internal rollupCircuit;

    function setUp() public override {
        super.setUp();
        rollupVerifier = new RollupBatchVerifier();
        vm.prank(makeAddr("rollup"));
        rollupCircuit = registry.registerCircuit(
            address(rollupVerifier), "ipfs://rollup_batch", keccak256("rollup_batch artifacts"), 50_000, 3
        );
    }

    function _rollupRequest(T.Mode mode) internal returns (T.Request memory r, uint256[] memory inputs) {
        inputs = RollupBatchFixture.publicInputs();
        r = _req(mode);
        r.circuitId = rollupCircuit;
        r.verifier = address(rollupVerifier);
        r.publicInputsHash = keccak256(abi.encodePacked(inputs));
        r.protocolFeeBps = market.effectiveProtocolFee();
    }

    function test_e2e_sealedBidFulfilledWithRealProof() public {
        (T.Request memory r, uint256[] memory inputs) = _rollupRequest(T.Mode.SealedBid);
        r.inputHash = keccak256("batch");
        vm.prank(requester);
        bytes32 id = market.submitRequest{value: r.maxFee}(r, "batch", "", inputs);

        _commit(r, p1, 0.05 ether, 100);
        _commit(r, p2, 0.06 ether, 100);
        _commit(r, p3, 0.07 ether, 100);
        _toReveal(r);
        _reveal(r, p1, 0.05 ether, 100);
        _reveal(r, p2, 0.06 ether, 100);
        _reveal(r, p3, 0.07 ether, 100);
        _toSettle(r);

        uint256[8] memory proof = RollupBatchFixture.proof();
        uint256[8] memory tampered = RollupBatchFixture.proof(); // a fresh copy (memory arrays alias)
        (tampered[6], tampered[7]) = (proof[7], proof[6]);
        vm.prank(p1);
        vm.expectRevert();
        market.fulfill(r, tampered, inputs);

        uint256[] memory wrong = RollupBatchFixture.publicInputs();
        wrong[0] += 1;
        vm.prank(p1);
        vm.expectRevert(T.PublicInputsMismatch.selector);
        market.fulfill(r, proof, wrong);

        vm.prank(p1);
        market.fulfill(r, proof, inputs);
        assertEq(uint256(_state(id).status), uint256(T.Status.Fulfilled));
        assertEq(market.balanceOf(p1), 0.06 ether, "second-score price");
        assertEq(_backing(p1, 0), 0);
    }

    function test_e2e_raceWithRealProofAndFrontRunProtection() public {
        (T.Request memory r, uint256[] memory inputs) = _rollupRequest(T.Mode.OpenRace);
        vm.prank(requester);
        bytes32 id = market.submitRequest{value: r.maxFee}(r, "input", "", inputs);
        uint256[8] memory proof = RollupBatchFixture.proof();
        _commitProof(id, p2, proof);
        vm.roll(block.number + 1);
        bytes32 copierCommitment = market.proofCommitment(id, p3, proof);
        vm.prank(p3); // saw the proof, never committed
        vm.expectRevert(abi.encodeWithSelector(T.ProofNotCommitted.selector, copierCommitment));
        market.revealProof(r, proof, inputs);
        vm.prank(p2);
        market.revealProof(r, proof, inputs);
        assertEq(market.balanceOf(p2), MAX_FEE);
    }

    function test_e2e_verifierUpgradeIsPinnedPerRequest() public {
        MultiplierVerifier mult = new MultiplierVerifier();
        vm.prank(makeAddr("rollup"));
        uint32 mc = registry.registerCircuit(address(mult), "ipfs://mult", keccak256("mult"), 10, 2);
        T.Request memory r = _req(T.Mode.Dutch);
        uint256[] memory inputs = MultiplierFixture.publicInputs();
        r.circuitId = mc;
        r.verifier = address(mult);
        r.publicInputsHash = keccak256(abi.encodePacked(inputs));
        r.protocolFeeBps = market.effectiveProtocolFee();
        vm.prank(requester);
        market.submitRequest{value: r.maxFee}(r, "input", "", inputs);

        // The rollup schedules an upgrade; the request keeps the verifier it pinned.
        MultiplierVerifier next = new MultiplierVerifier();
        vm.prank(makeAddr("rollup"));
        registry.proposeVerifierUpgrade(mc, address(next), "ipfs://mult2", keccak256("mult2"));
        vm.prank(p1);
        market.lockDutch(r);
        vm.warp(block.timestamp + UPGRADE_DELAY);
        assertEq(registry.circuit(mc).verifier, address(next));

        // New requests must pin the new verifier.
        T.Request memory stale = r;
        stale.nonce += 1;
        stale.bidDeadline = uint40(block.timestamp + 100);
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(T.VerifierNotActive.selector, address(mult), address(next)));
        market.submitRequest{value: stale.maxFee}(stale, "input", "", inputs);
    }
}
