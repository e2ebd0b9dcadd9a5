// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {CircuitRegistry} from "../src/CircuitRegistry.sol";
import {ICircuitRegistry} from "../src/interfaces/ICircuitRegistry.sol";
import {MockVerifier} from "./mocks/MockVerifier.sol";

contract CircuitRegistryTest is Test {
    CircuitRegistry reg;
    MockVerifier v1;
    MockVerifier v2;
    address rollup = address(0xA11CE);

    function setUp() public {
        vm.warp(1_000_000);
        reg = new CircuitRegistry(1 days);
        v1 = new MockVerifier(3);
        v2 = new MockVerifier(3);
    }

    function _register() internal returns (uint32 id) {
        vm.prank(rollup);
        id = reg.registerCircuit(address(v1), "ipfs://a", keccak256("a"), 5_000, 3);
    }

    function test_register_storesAndEmits() public {
        vm.expectEmit(true, true, false, true, address(reg));
        emit ICircuitRegistry.CircuitRegistered(1, rollup, address(v1), 5_000, 3, keccak256("a"), "ipfs://a");
        uint32 id = _register();
        assertEq(id, 1);
        assertEq(reg.circuitCount(), 1);
        ICircuitRegistry.Circuit memory c = reg.circuit(id);
        assertEq(c.owner, rollup);
        assertEq(c.verifier, address(v1));
        assertEq(c.provingUnits, 5_000);
        assertEq(c.publicInputCount, 3);
        assertEq(c.artifactsHash, keccak256("a"));
        assertEq(keccak256(bytes(c.artifactsURI)), keccak256("ipfs://a"));
        (address v, uint64 units) = reg.circuitTerms(id);
        assertEq(v, address(v1));
        assertEq(units, 5_000);
    }

    function test_register_rejectsBadInput() public {
        vm.expectRevert(ICircuitRegistry.ZeroProvingUnits.selector);
        reg.registerCircuit(address(v1), "u", keccak256("a"), 0, 3);
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.BadPublicInputCount.selector, 0));
        reg.registerCircuit(address(v1), "u", keccak256("a"), 1, 0);
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.BadPublicInputCount.selector, 65));
        reg.registerCircuit(address(v1), "u", keccak256("a"), 1, 65);
        vm.expectRevert(ICircuitRegistry.ZeroArtifactsHash.selector);
        reg.registerCircuit(address(v1), "u", bytes32(0), 1, 3);
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.VerifierHasNoCode.selector, address(0xdead)));
        reg.registerCircuit(address(0xdead), "u", keccak256("a"), 1, 3);
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.PublicInputCountMismatch.selector, 2, 3));
        reg.registerCircuit(address(v1), "u", keccak256("a"), 1, 2);
    }

    function test_constructor_boundsDelay() public {
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.UpgradeDelayOutOfRange.selector, 59 minutes));
        new CircuitRegistry(59 minutes);
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.UpgradeDelayOutOfRange.selector, 31 days));
        new CircuitRegistry(31 days);
    }

    function test_upgrade_visibleDuringDelayThenActive() public {
        uint32 id = _register();
        vm.expectEmit(true, true, false, true, address(reg));
        emit ICircuitRegistry.VerifierUpgradeProposed(
            id, address(v2), uint40(block.timestamp + 1 days), keccak256("b"), "ipfs://b"
        );
        vm.prank(rollup);
        reg.proposeVerifierUpgrade(id, address(v2), "ipfs://b", keccak256("b"));

        ICircuitRegistry.Circuit memory c = reg.circuit(id);
        assertEq(c.verifier, address(v1), "old verifier still active");
        assertEq(c.pendingVerifier, address(v2), "requesters see the upgrade");
        assertEq(c.pendingActivatesAt, block.timestamp + 1 days);
        (address v,) = reg.circuitTerms(id);
        assertEq(v, address(v1));

        vm.expectRevert(
            abi.encodeWithSelector(ICircuitRegistry.UpgradeNotReady.selector, id, uint40(block.timestamp + 1 days))
        );
        reg.activateVerifierUpgrade(id);

        vm.warp(block.timestamp + 1 days);
        (v,) = reg.circuitTerms(id);
        assertEq(v, address(v2), "active once the delay elapsed");
        c = reg.circuit(id);
        assertEq(c.artifactsHash, keccak256("b"));
        assertEq(c.pendingVerifier, address(0));

        reg.activateVerifierUpgrade(id); // anyone may write it into storage
        (v,) = reg.circuitTerms(id);
        assertEq(v, address(v2));
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.NoPendingUpgrade.selector, id));
        reg.activateVerifierUpgrade(id);
    }

    function test_upgrade_onlyOwnerAndCancellable() public {
        uint32 id = _register();
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.NotCircuitOwner.selector, id, address(this)));
        reg.proposeVerifierUpgrade(id, address(v2), "ipfs://b", keccak256("b"));
        vm.startPrank(rollup);
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.NoPendingUpgrade.selector, id));
        reg.cancelVerifierUpgrade(id);
        reg.proposeVerifierUpgrade(id, address(v2), "ipfs://b", keccak256("b"));
        reg.cancelVerifierUpgrade(id);
        vm.stopPrank();
        vm.warp(block.timestamp + 2 days);
        (address v,) = reg.circuitTerms(id);
        assertEq(v, address(v1), "cancelled upgrade never applies");
    }

    /// @dev A second proposal after the first took effect: the first is written into the terms, the second pends.
    function test_upgrade_secondProposalAfterFirstTookEffect() public {
        uint32 id = _register();
        MockVerifier v3 = new MockVerifier(3);
        vm.startPrank(rollup);
        reg.proposeVerifierUpgrade(id, address(v2), "ipfs://b", keccak256("b"));
        vm.warp(block.timestamp + 1 days);
        reg.proposeVerifierUpgrade(id, address(v3), "ipfs://c", keccak256("c"));
        vm.stopPrank();
        (address v,) = reg.circuitTerms(id);
        assertEq(v, address(v2), "first upgrade in effect");
        vm.warp(block.timestamp + 1 days);
        (v,) = reg.circuitTerms(id);
        assertEq(v, address(v3), "second upgrade in effect after its delay");
        reg.activateVerifierUpgrade(id);
        (v,) = reg.circuitTerms(id);
        assertEq(v, address(v3));
    }

    function test_upgrade_newVerifierMustMatchInputCount() public {
        uint32 id = _register();
        MockVerifier other = new MockVerifier(4);
        vm.prank(rollup);
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.PublicInputCountMismatch.selector, 3, 4));
        reg.proposeVerifierUpgrade(id, address(other), "u", keccak256("c"));
    }

    function test_ownership_transfer() public {
        uint32 id = _register();
        vm.prank(rollup);
        vm.expectRevert(ICircuitRegistry.ZeroOwner.selector);
        reg.transferCircuitOwnership(id, address(0));
        vm.prank(rollup);
        reg.transferCircuitOwnership(id, address(this));
        assertEq(reg.circuit(id).owner, address(this));
        reg.proposeVerifierUpgrade(id, address(v2), "u", keccak256("c"));
    }

    function test_unknownCircuit_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.UnknownCircuit.selector, uint32(7)));
        reg.circuit(7);
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.UnknownCircuit.selector, uint32(7)));
        reg.circuitTerms(7);
    }
}
