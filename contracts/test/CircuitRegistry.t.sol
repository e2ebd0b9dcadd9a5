// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {CircuitRegistry} from "../src/CircuitRegistry.sol";
import {ICircuitRegistry} from "../src/interfaces/ICircuitRegistry.sol";
import {MockVerifier} from "./mocks/MockVerifier.sol";
import {MultiplierVerifier} from "../src/verifiers/MultiplierVerifier.sol";
import {ComparatorsVerifier} from "../src/verifiers/ComparatorsVerifier.sol";
import {PoseidonChainVerifier} from "../src/verifiers/PoseidonChainVerifier.sol";
import {RollupBatchVerifier} from "../src/verifiers/RollupBatchVerifier.sol";

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

    // ---------------------------------------------------------------- verifier code pinning

    /// @dev Runtime code that answers every call with the word 3 (so publicInputCount() == 3):
    ///      PUSH1 3, PUSH1 0, MSTORE, PUSH1 0x20, PUSH1 0, RETURN.
    bytes internal constant RETURNS_THREE = hex"600360005260206000f3";

    /// @dev Etches `code` at a fresh address and returns it.
    function _etched(bytes memory code) internal returns (address a) {
        a = address(uint160(uint256(keccak256(code))));
        vm.etch(a, code);
    }

    function _expectNotPinnable(address verifier, uint8 opcode) internal {
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.VerifierNotPinnable.selector, verifier, opcode));
    }

    function test_register_pinsCodeHash() public {
        assertEq(reg.verifierCodeHash(address(v1)), bytes32(0), "not pinned before registration");
        vm.expectEmit(true, false, false, true, address(reg));
        emit ICircuitRegistry.VerifierPinned(address(v1), address(v1).codehash);
        _register();
        assertEq(reg.verifierCodeHash(address(v1)), address(v1).codehash);
        assertEq(reg.verifierCodeHash(address(v1)), keccak256(address(v1).code));
    }

    /// @dev The same verifier for a second circuit: the pin is checked, not rewritten, and no second event is emitted.
    function test_register_samePinnedVerifierAgainKeepsPin() public {
        _register();
        vm.recordLogs();
        vm.prank(rollup);
        reg.registerCircuit(address(v1), "ipfs://a2", keccak256("a2"), 7_000, 3);
        assertEq(vm.getRecordedLogs().length, 1, "only CircuitRegistered");
        assertEq(reg.verifierCodeHash(address(v1)), address(v1).codehash);
    }

    function test_propose_pinsCodeHash() public {
        uint32 id = _register();
        assertEq(reg.verifierCodeHash(address(v2)), bytes32(0));
        vm.expectEmit(true, false, false, true, address(reg));
        emit ICircuitRegistry.VerifierPinned(address(v2), address(v2).codehash);
        vm.prank(rollup);
        reg.proposeVerifierUpgrade(id, address(v2), "ipfs://b", keccak256("b"));
        assertEq(reg.verifierCodeHash(address(v2)), address(v2).codehash);
        assertEq(reg.verifierCodeHash(address(v1)), address(v1).codehash, "the active verifier keeps its pin");
    }

    /// @dev A pinned address whose code changed (RollupBatchVerifier also reports 3 inputs) is refused at
    ///      registration and at proposal; its pin is kept.
    function test_register_refusesChangedCodeHash() public {
        uint32 id = _register();
        bytes32 pinned = address(v1).codehash;
        vm.etch(address(v1), address(new RollupBatchVerifier()).code);
        bytes32 actual = address(v1).codehash;
        assertTrue(actual != pinned, "the code changed");
        bytes memory err =
            abi.encodeWithSelector(ICircuitRegistry.VerifierCodeChanged.selector, address(v1), pinned, actual);

        vm.prank(rollup);
        vm.expectRevert(err);
        reg.registerCircuit(address(v1), "ipfs://a", keccak256("a"), 5_000, 3);

        // Propose it as an upgrade of a circuit whose active verifier is another one.
        vm.prank(rollup);
        uint32 other = reg.registerCircuit(address(v2), "ipfs://b", keccak256("b"), 5_000, 3);
        vm.prank(rollup);
        vm.expectRevert(err);
        reg.proposeVerifierUpgrade(other, address(v1), "ipfs://c", keccak256("c"));

        assertEq(reg.verifierCodeHash(address(v1)), pinned, "the pin is kept");
        (, bytes32 codeHash) = reg.fulfilmentTerms(id, address(v1));
        assertEq(codeHash, pinned, "the market keeps seeing the pinned hash, and will refuse the new code");
    }

    /// @dev Changing the code back to the pinned code makes the address acceptable again.
    function test_register_acceptsCodeRestoredToPin() public {
        _register();
        bytes memory code = address(v1).code;
        vm.etch(address(v1), address(new RollupBatchVerifier()).code);
        vm.etch(address(v1), code);
        vm.prank(rollup);
        reg.registerCircuit(address(v1), "ipfs://a", keccak256("a"), 5_000, 3);
    }

    /// @dev An EIP-7702 delegated account (code 0xef0100 || delegate) runs its delegate's code, which can change.
    function test_register_refuses7702Designator() public {
        address delegated = _etched(abi.encodePacked(hex"ef0100", address(v1)));
        _expectNotPinnable(delegated, 0xef);
        reg.registerCircuit(delegated, "u", keccak256("a"), 1, 3);

        uint32 id = _register();
        vm.prank(rollup);
        _expectNotPinnable(delegated, 0xef);
        reg.proposeVerifierUpgrade(id, delegated, "u", keccak256("b"));
        assertEq(reg.verifierCodeHash(delegated), bytes32(0), "never pinned");
    }

    /// @dev DELEGATECALL, CALLCODE and SELFDESTRUCT are refused wherever execution can reach them: as the first
    ///      instruction, after other code, after a PUSH's data, and after a JUMPDEST that follows a halting opcode.
    function test_register_refusesEachForbiddenOpcode() public {
        uint8[3] memory ops = [0xf4, 0xf2, 0xff];
        for (uint256 k; k < ops.length; ++k) {
            bytes1 op = bytes1(ops[k]);
            bytes[4] memory codes = [
                bytes.concat(op, RETURNS_THREE),
                bytes.concat(RETURNS_THREE, hex"5b", op), // JUMPDEST after RETURN: reachable by a jump
                bytes.concat(hex"61f4f2", op, RETURNS_THREE), // PUSH2 0xf4f2, then the opcode
                bytes.concat(hex"6000600057", op, RETURNS_THREE) // JUMPI falls through
            ];
            for (uint256 c; c < codes.length; ++c) {
                address verifier = _etched(codes[c]);
                _expectNotPinnable(verifier, ops[k]);
                reg.registerCircuit(verifier, "u", keccak256("a"), 1, 3);
            }
        }
        uint32 id = _register();
        address bad = _etched(bytes.concat(hex"5f5f5f5f5f5f", hex"f4", RETURNS_THREE));
        vm.prank(rollup);
        _expectNotPinnable(bad, 0xf4);
        reg.proposeVerifierUpgrade(id, bad, "u", keccak256("b"));
    }

    /// @dev Bytes equal to 0xf4 / 0xf2 / 0xff inside PUSH1..PUSH32 data are data, not opcodes; so are such bytes where
    ///      execution cannot reach them (after a halting opcode, with no JUMPDEST before them).
    function test_register_pushDataIsNotMistakenForOpcodes() public {
        bytes memory code = bytes.concat(
            hex"60f450", // PUSH1 0xf4, POP
            hex"61f2ff50", // PUSH2 0xf2ff, POP
            hex"7f", // PUSH32 0xff..ff, POP
            bytes32(type(uint256).max),
            hex"50",
            hex"7ff4f2fff4f2fff4f2fff4f2fff4f2fff4f2fff4f2fff4f2fff4f2fff4f2fff4f250", // PUSH32 f4f2ff.., POP
            RETURNS_THREE,
            hex"f4f2fffe5600ff", // unreachable: after RETURN, no JUMPDEST
            hex"7f" // a PUSH32 cut short by the end of the code
        );
        address verifier = _etched(code);
        vm.prank(rollup);
        uint32 id = reg.registerCircuit(verifier, "u", keccak256("a"), 1, 3);
        assertEq(reg.verifierCodeHash(verifier), keccak256(code));
        (address active,) = reg.circuitTerms(id);
        assertEq(active, verifier);
    }

    /// @dev Every verifier the repo deploys is pinnable: the four generated ones and the mock.
    function test_register_acceptsTheRepoVerifiers() public {
        address[5] memory verifiers = [
            address(new MultiplierVerifier()),
            address(new ComparatorsVerifier()),
            address(new PoseidonChainVerifier()),
            address(new RollupBatchVerifier()),
            address(new MockVerifier(2))
        ];
        uint16[5] memory counts = [uint16(2), 4, 2, 3, 2];
        for (uint256 k; k < verifiers.length; ++k) {
            vm.prank(rollup);
            reg.registerCircuit(verifiers[k], "u", keccak256("a"), 1, counts[k]);
            assertEq(reg.verifierCodeHash(verifiers[k]), verifiers[k].codehash);
        }
    }

    function test_verifierCodeHash_zeroWhenNeverPinned() public view {
        assertEq(reg.verifierCodeHash(address(v1)), bytes32(0));
        assertEq(reg.verifierCodeHash(address(0)), bytes32(0));
    }

    function test_fulfilmentTerms_unitsAndPin() public {
        uint32 id = _register();
        (uint64 units, bytes32 codeHash) = reg.fulfilmentTerms(id, address(v1));
        assertEq(units, 5_000);
        assertEq(codeHash, address(v1).codehash);
        (units, codeHash) = reg.fulfilmentTerms(id, address(v2));
        assertEq(units, 5_000);
        assertEq(codeHash, bytes32(0), "zero for a verifier never pinned");

        vm.prank(rollup);
        reg.proposeVerifierUpgrade(id, address(v2), "ipfs://b", keccak256("b"));
        (, codeHash) = reg.fulfilmentTerms(id, address(v2));
        assertEq(codeHash, address(v2).codehash, "pinned at proposal, before the upgrade takes effect");
    }

    function test_fulfilmentTerms_unknownCircuitReverts() public {
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.UnknownCircuit.selector, uint32(0)));
        reg.fulfilmentTerms(0, address(v1));
        _register();
        vm.expectRevert(abi.encodeWithSelector(ICircuitRegistry.UnknownCircuit.selector, uint32(2)));
        reg.fulfilmentTerms(2, address(v1));
    }
}
