// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitRegistry} from "./interfaces/ICircuitRegistry.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";

/// @title CircuitRegistry
/// @notice Rollups register circuits (verifier, artifacts, size). A verifier change is announced and takes effect
///         only after `UPGRADE_DELAY`, so requesters see it coming; requests also pin the verifier they expect, and
///         the registry pins each verifier's code hash (see ICircuitRegistry), which the market checks at fulfilment.
contract CircuitRegistry is ICircuitRegistry {
    /// @notice Time between announcing a verifier upgrade and it taking effect.
    uint256 public immutable UPGRADE_DELAY;
    /// @notice Bounds on `UPGRADE_DELAY` fixed at deployment.
    uint256 public constant MIN_UPGRADE_DELAY = 1 hours;
    uint256 public constant MAX_UPGRADE_DELAY = 30 days;
    /// @notice Largest public input count accepted (keeps calldata and hashing bounded).
    uint256 public constant MAX_PUBLIC_INPUTS = 64;

    /// @dev Bit `op` is set for the opcodes that make a verifier unpinnable: CALLCODE 0xf2, DELEGATECALL 0xf4 (run
    ///      another contract's code, which can change) and SELFDESTRUCT 0xff.
    uint256 private constant _FORBIDDEN_OPCODES = 0x8014000000000000000000000000000000000000000000000000000000000000;
    /// @dev Bit `op` is set for the opcodes after which execution never reaches the next byte: STOP 0x00, JUMP 0x56,
    ///      RETURN 0xf3, REVERT 0xfd, INVALID 0xfe. (Undefined opcodes also halt; leaving them out only makes the scan
    ///      more conservative.)
    uint256 private constant _HALTING_OPCODES = 0x6008000000000000000000000000000000000000004000000000000000000001;

    /// @dev Hot slot read by the market: verifier | provingUnits | publicInputCount | hasPending. `hasPending` is set
    ///      exactly while `_pending` holds an upgrade, so `circuitTerms` reads that second slot only then.
    struct Terms {
        address verifier;
        uint64 provingUnits;
        uint16 publicInputCount;
        bool hasPending;
    }

    /// @dev Scheduled upgrade: verifier | activatesAt.
    struct Pending {
        address verifier;
        uint40 activatesAt;
    }

    struct Meta {
        address owner;
        bytes32 artifactsHash;
        bytes32 pendingArtifactsHash;
        string artifactsURI;
        string pendingArtifactsURI;
    }

    uint32 private _count;
    mapping(uint32 => Terms) private _terms;
    mapping(uint32 => Pending) private _pending;
    mapping(uint32 => Meta) private _meta;
    /// @dev Code hash of each verifier ever registered or proposed, recorded the first time (zero: never pinned).
    mapping(address verifier => bytes32 codeHash) private _verifierCodeHash;

    /// @param upgradeDelay Verifier upgrade delay, within [MIN_UPGRADE_DELAY, MAX_UPGRADE_DELAY].
    constructor(uint256 upgradeDelay) {
        if (upgradeDelay < MIN_UPGRADE_DELAY || upgradeDelay > MAX_UPGRADE_DELAY) {
            revert UpgradeDelayOutOfRange(upgradeDelay);
        }
        UPGRADE_DELAY = upgradeDelay;
    }

    /// @inheritdoc ICircuitRegistry
    function registerCircuit(
        address verifier,
        string calldata artifactsURI,
        bytes32 artifactsHash,
        uint64 provingUnits,
        uint16 publicInputCount
    ) external returns (uint32 circuitId) {
        if (provingUnits == 0) revert ZeroProvingUnits();
        if (publicInputCount == 0 || publicInputCount > MAX_PUBLIC_INPUTS) {
            revert BadPublicInputCount(publicInputCount);
        }
        _checkVerifier(verifier, publicInputCount, artifactsHash);
        circuitId = ++_count;
        _terms[circuitId] = Terms(verifier, provingUnits, publicInputCount, false);
        Meta storage m = _meta[circuitId];
        m.owner = msg.sender;
        m.artifactsHash = artifactsHash;
        m.artifactsURI = artifactsURI;
        emit CircuitRegistered(
            circuitId, msg.sender, verifier, provingUnits, publicInputCount, artifactsHash, artifactsURI
        );
    }

    /// @inheritdoc ICircuitRegistry
    function proposeVerifierUpgrade(
        uint32 circuitId,
        address newVerifier,
        string calldata artifactsURI,
        bytes32 artifactsHash
    ) external {
        Meta storage m = _ownedMeta(circuitId);
        _activateIfDue(circuitId);
        _checkVerifier(newVerifier, _terms[circuitId].publicInputCount, artifactsHash);
        uint40 activatesAt = uint40(block.timestamp + UPGRADE_DELAY);
        _pending[circuitId] = Pending(newVerifier, activatesAt);
        _terms[circuitId].hasPending = true;
        m.pendingArtifactsHash = artifactsHash;
        m.pendingArtifactsURI = artifactsURI;
        emit VerifierUpgradeProposed(circuitId, newVerifier, activatesAt, artifactsHash, artifactsURI);
    }

    /// @inheritdoc ICircuitRegistry
    function cancelVerifierUpgrade(uint32 circuitId) external {
        Meta storage m = _ownedMeta(circuitId);
        Pending memory p = _pending[circuitId];
        if (p.verifier == address(0)) revert NoPendingUpgrade(circuitId);
        if (block.timestamp >= p.activatesAt) revert UpgradeNotReady(circuitId, p.activatesAt); // already in effect
        delete _pending[circuitId];
        _terms[circuitId].hasPending = false;
        delete m.pendingArtifactsHash;
        delete m.pendingArtifactsURI;
        emit VerifierUpgradeCancelled(circuitId, p.verifier);
    }

    /// @inheritdoc ICircuitRegistry
    function activateVerifierUpgrade(uint32 circuitId) external {
        _exists(circuitId);
        Pending memory p = _pending[circuitId];
        if (p.verifier == address(0)) revert NoPendingUpgrade(circuitId);
        if (block.timestamp < p.activatesAt) revert UpgradeNotReady(circuitId, p.activatesAt);
        _activateIfDue(circuitId);
    }

    /// @inheritdoc ICircuitRegistry
    function transferCircuitOwnership(uint32 circuitId, address newOwner) external {
        Meta storage m = _ownedMeta(circuitId);
        if (newOwner == address(0)) revert ZeroOwner();
        emit CircuitOwnershipTransferred(circuitId, m.owner, newOwner);
        m.owner = newOwner;
    }

    /// @inheritdoc ICircuitRegistry
    function circuit(uint32 circuitId) external view returns (Circuit memory c) {
        _exists(circuitId);
        Terms memory t = _terms[circuitId];
        Pending memory p = _pending[circuitId];
        Meta storage m = _meta[circuitId];
        c.owner = m.owner;
        c.provingUnits = t.provingUnits;
        c.publicInputCount = t.publicInputCount;
        if (p.verifier != address(0) && block.timestamp >= p.activatesAt) {
            c.verifier = p.verifier;
            c.artifactsHash = m.pendingArtifactsHash;
            c.artifactsURI = m.pendingArtifactsURI;
        } else {
            c.verifier = t.verifier;
            c.artifactsHash = m.artifactsHash;
            c.artifactsURI = m.artifactsURI;
            c.pendingVerifier = p.verifier;
            c.pendingActivatesAt = p.activatesAt;
            c.pendingArtifactsHash = m.pendingArtifactsHash;
            c.pendingArtifactsURI = m.pendingArtifactsURI;
        }
    }

    /// @inheritdoc ICircuitRegistry
    function circuitTerms(uint32 circuitId) external view returns (address verifier, uint64 provingUnits) {
        Terms memory t = _terms[circuitId];
        if (t.verifier == address(0)) revert UnknownCircuit(circuitId);
        verifier = t.verifier;
        if (t.hasPending) {
            Pending memory p = _pending[circuitId];
            if (block.timestamp >= p.activatesAt) verifier = p.verifier;
        }
        provingUnits = t.provingUnits;
    }

    /// @inheritdoc ICircuitRegistry
    function circuitCount() external view returns (uint32) {
        return _count;
    }

    /// @inheritdoc ICircuitRegistry
    function verifierCodeHash(address verifier) external view returns (bytes32) {
        return _verifierCodeHash[verifier];
    }

    /// @inheritdoc ICircuitRegistry
    function fulfilmentTerms(uint32 circuitId, address verifier)
        external
        view
        returns (uint64 provingUnits, bytes32 codeHash)
    {
        Terms memory t = _terms[circuitId]; // one SLOAD: the packed hot slot
        if (t.verifier == address(0)) revert UnknownCircuit(circuitId);
        return (t.provingUnits, _verifierCodeHash[verifier]);
    }

    function _exists(uint32 circuitId) private view {
        if (circuitId == 0 || circuitId > _count) revert UnknownCircuit(circuitId);
    }

    function _ownedMeta(uint32 circuitId) private view returns (Meta storage m) {
        _exists(circuitId);
        m = _meta[circuitId];
        if (m.owner != msg.sender) revert NotCircuitOwner(circuitId, msg.sender);
    }

    /// @dev Checks a verifier about to be registered or proposed, pinning its code hash first (before any call into
    ///      it, so an unpinnable contract is never called).
    function _checkVerifier(address verifier, uint16 publicInputCount, bytes32 artifactsHash) private {
        if (artifactsHash == bytes32(0)) revert ZeroArtifactsHash();
        if (verifier.code.length == 0) revert VerifierHasNoCode(verifier);
        _pinVerifier(verifier);
        uint256 reported = IGroth16Verifier(verifier).publicInputCount();
        if (reported != publicInputCount) revert PublicInputCountMismatch(publicInputCount, reported);
    }

    /// @dev Records `verifier`'s code hash the first time (after checking it is pinnable); afterwards only checks that
    ///      the code hash is still the pinned one. The code is scanned once per address: the same hash means the same
    ///      code.
    function _pinVerifier(address verifier) private {
        bytes32 actual = verifier.codehash;
        bytes32 pinned = _verifierCodeHash[verifier];
        if (pinned == actual) return;
        if (pinned != bytes32(0)) revert VerifierCodeChanged(verifier, pinned, actual);
        uint8 opcode = _unpinnableOpcode(verifier);
        if (opcode != 0) revert VerifierNotPinnable(verifier, opcode);
        _verifierCodeHash[verifier] = actual;
        emit VerifierPinned(verifier, actual);
    }

    /// @dev Why `verifier`'s code cannot be pinned, or 0 if it can: 0xef for an EIP-7702 delegation designator (code
    ///      starting with 0xef0100), else the first reachable CALLCODE (0xf2), DELEGATECALL (0xf4) or SELFDESTRUCT
    ///      (0xff). The code is walked instruction by instruction as the EVM's JUMPDEST analysis does: the immediate
    ///      bytes of PUSH1..PUSH32 are data, never opcodes. Bytes that execution cannot reach are not held against the
    ///      code: after a halting opcode (STOP, JUMP, RETURN, REVERT, INVALID) the walk marks the code dead until the
    ///      next JUMPDEST, the only place where execution can resume. This spares the trailing data solc appends (the
    ///      CBOR metadata after the final INVALID, whose hash bytes are random) while staying sound: every instruction
    ///      execution can reach is checked. It is conservative: a JUMPDEST byte in such data revives the walk there.
    ///      Bounded by the code size (at most 24,576 bytes, EIP-170); scanned once per verifier address.
    function _unpinnableOpcode(address verifier) private view returns (uint8 opcode) {
        assembly ("memory-safe") {
            let size := extcodesize(verifier)
            // Scratch from the free memory pointer on, not allocated: nothing else uses memory until we return.
            let code := mload(0x40)
            extcodecopy(verifier, code, 0, size)
            switch and(gt(size, 2), eq(shr(232, mload(code)), 0xef0100))
            case 1 { opcode := 0xef }
            default {
                let end := add(code, size)
                let live := 1
                for { let p := code } lt(p, end) { p := add(p, 1) } {
                    let op := byte(0, mload(p))
                    if eq(op, 0x5b) { live := 1 } // JUMPDEST
                    if and(live, and(shr(op, _FORBIDDEN_OPCODES), 1)) {
                        opcode := op
                        break
                    }
                    if and(shr(op, _HALTING_OPCODES), 1) { live := 0 }
                    // PUSH1..PUSH32 (0x60..0x7f) carry op - 0x5f immediate bytes; for op < 0x60 the subtraction wraps
                    // to a huge number, so the test is false. Skipping past `end` just ends the loop.
                    if lt(sub(op, 0x60), 0x20) { p := add(p, sub(op, 0x5f)) }
                }
            }
        }
    }

    /// @dev Moves an elapsed upgrade into the active slot and clears the schedule.
    function _activateIfDue(uint32 circuitId) private {
        Pending memory p = _pending[circuitId];
        if (p.verifier == address(0) || block.timestamp < p.activatesAt) return;
        Terms storage t = _terms[circuitId];
        t.verifier = p.verifier;
        t.hasPending = false;
        Meta storage m = _meta[circuitId];
        m.artifactsHash = m.pendingArtifactsHash;
        m.artifactsURI = m.pendingArtifactsURI;
        delete m.pendingArtifactsHash;
        delete m.pendingArtifactsURI;
        delete _pending[circuitId];
        emit VerifierUpgradeActivated(circuitId, p.verifier, m.artifactsHash, m.artifactsURI);
    }
}
