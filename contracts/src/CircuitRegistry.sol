// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitRegistry} from "./interfaces/ICircuitRegistry.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";

/// @title CircuitRegistry
/// @notice Rollups register circuits (verifier, artifacts, size). A verifier change is announced and takes effect
///         only after `UPGRADE_DELAY`, so requesters see it coming; requests also pin the verifier they expect.
contract CircuitRegistry is ICircuitRegistry {
    /// @notice Time between announcing a verifier upgrade and it taking effect.
    uint256 public immutable UPGRADE_DELAY;
    /// @notice Bounds on `UPGRADE_DELAY` fixed at deployment.
    uint256 public constant MIN_UPGRADE_DELAY = 1 hours;
    uint256 public constant MAX_UPGRADE_DELAY = 30 days;
    /// @notice Largest public input count accepted (keeps calldata and hashing bounded).
    uint256 public constant MAX_PUBLIC_INPUTS = 64;

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

    function _exists(uint32 circuitId) private view {
        if (circuitId == 0 || circuitId > _count) revert UnknownCircuit(circuitId);
    }

    function _ownedMeta(uint32 circuitId) private view returns (Meta storage m) {
        _exists(circuitId);
        m = _meta[circuitId];
        if (m.owner != msg.sender) revert NotCircuitOwner(circuitId, msg.sender);
    }

    function _checkVerifier(address verifier, uint16 publicInputCount, bytes32 artifactsHash) private view {
        if (artifactsHash == bytes32(0)) revert ZeroArtifactsHash();
        if (verifier.code.length == 0) revert VerifierHasNoCode(verifier);
        uint256 reported = IGroth16Verifier(verifier).publicInputCount();
        if (reported != publicInputCount) revert PublicInputCountMismatch(publicInputCount, reported);
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
