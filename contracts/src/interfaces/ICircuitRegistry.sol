// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICircuitRegistry
/// @notice Registry of proof circuits. A rollup (the circuit owner) registers its verifier and proving artifacts; the
///         verifier can only change through a delay that requesters can see in `circuit(...)` and in events.
interface ICircuitRegistry {
    /// @notice A registered circuit, as returned by `circuit`.
    /// @param owner May propose verifier upgrades and transfer ownership.
    /// @param verifier The active verifier (an upgrade whose delay has elapsed is reported here already).
    /// @param provingUnits Size of the circuit (constraints); the market prices work per unit.
    /// @param publicInputCount Number of public inputs the verifier expects.
    /// @param artifactsHash Hash of the artifacts bundle (zkey + witness generator) at `artifactsURI`.
    /// @param pendingVerifier Proposed verifier, or zero when no upgrade is scheduled.
    /// @param pendingActivatesAt When `pendingVerifier` becomes active (0 when none).
    /// @param pendingArtifactsHash Artifacts hash that goes with `pendingVerifier`.
    /// @param artifactsURI Where provers fetch the artifacts.
    /// @param pendingArtifactsURI Artifacts location that goes with `pendingVerifier`.
    struct Circuit {
        address owner;
        address verifier;
        uint64 provingUnits;
        uint16 publicInputCount;
        bytes32 artifactsHash;
        address pendingVerifier;
        uint40 pendingActivatesAt;
        bytes32 pendingArtifactsHash;
        string artifactsURI;
        string pendingArtifactsURI;
    }

    /// @notice A circuit was registered.
    event CircuitRegistered(
        uint32 indexed circuitId,
        address indexed owner,
        address verifier,
        uint64 provingUnits,
        uint16 publicInputCount,
        bytes32 artifactsHash,
        string artifactsURI
    );
    /// @notice An upgrade was scheduled; requesters can see it `activatesAt - now` seconds in advance.
    event VerifierUpgradeProposed(
        uint32 indexed circuitId,
        address indexed newVerifier,
        uint40 activatesAt,
        bytes32 artifactsHash,
        string artifactsURI
    );
    /// @notice A scheduled upgrade was withdrawn by the owner before it took effect.
    event VerifierUpgradeCancelled(uint32 indexed circuitId, address indexed cancelledVerifier);
    /// @notice A scheduled upgrade was written into the active slot (its delay had elapsed).
    event VerifierUpgradeActivated(
        uint32 indexed circuitId, address indexed verifier, bytes32 artifactsHash, string artifactsURI
    );
    /// @notice Circuit ownership changed.
    event CircuitOwnershipTransferred(
        uint32 indexed circuitId, address indexed previousOwner, address indexed newOwner
    );

    /// @notice No circuit has this id.
    error UnknownCircuit(uint32 circuitId);
    /// @notice The caller is not the circuit's owner.
    error NotCircuitOwner(uint32 circuitId, address caller);
    /// @notice The verifier address has no code.
    error VerifierHasNoCode(address verifier);
    /// @notice The verifier reports a different number of public inputs than declared.
    error PublicInputCountMismatch(uint256 declared, uint256 verifierReports);
    /// @notice Proving units must be positive.
    error ZeroProvingUnits();
    /// @notice Public input count must be in [1, MAX_PUBLIC_INPUTS].
    error BadPublicInputCount(uint256 count);
    /// @notice The artifacts hash must be non-zero.
    error ZeroArtifactsHash();
    /// @notice No upgrade is scheduled for this circuit.
    error NoPendingUpgrade(uint32 circuitId);
    /// @notice The scheduled upgrade's delay has not elapsed yet.
    error UpgradeNotReady(uint32 circuitId, uint40 activatesAt);
    /// @notice The upgrade delay given at deployment is outside [MIN_UPGRADE_DELAY, MAX_UPGRADE_DELAY].
    error UpgradeDelayOutOfRange(uint256 delay);
    /// @notice The new owner is the zero address.
    error ZeroOwner();

    /// @notice Registers a circuit owned by the caller.
    /// @return circuitId Sequential id, starting at 1.
    function registerCircuit(
        address verifier,
        string calldata artifactsURI,
        bytes32 artifactsHash,
        uint64 provingUnits,
        uint16 publicInputCount
    ) external returns (uint32 circuitId);

    /// @notice Schedules a verifier (and artifacts) upgrade that takes effect after `UPGRADE_DELAY`.
    /// @dev Replaces any previously scheduled upgrade and restarts the delay.
    function proposeVerifierUpgrade(
        uint32 circuitId,
        address newVerifier,
        string calldata artifactsURI,
        bytes32 artifactsHash
    ) external;

    /// @notice Withdraws a scheduled upgrade (owner only).
    function cancelVerifierUpgrade(uint32 circuitId) external;

    /// @notice Writes an elapsed upgrade into the active slot. Permissionless; views already report it as active.
    function activateVerifierUpgrade(uint32 circuitId) external;

    /// @notice Transfers circuit ownership.
    function transferCircuitOwnership(uint32 circuitId, address newOwner) external;

    /// @notice Full description of a circuit, with any elapsed upgrade reported as active.
    function circuit(uint32 circuitId) external view returns (Circuit memory);

    /// @notice What the market needs to price and verify a job: active verifier and proving units.
    function circuitTerms(uint32 circuitId) external view returns (address verifier, uint64 provingUnits);

    /// @notice The pinned code hash of `verifier` (0: never pinned).
    function verifierCodeHash(address verifier) external view returns (bytes32);

    /// @notice What the market needs at fulfilment: the circuit's proving units and the pinned code hash of `verifier`.
    function fulfilmentTerms(uint32 circuitId, address verifier)
        external
        view
        returns (uint64 provingUnits, bytes32 codeHash);

    /// @notice Number of circuits registered so far (ids are 1..count).
    function circuitCount() external view returns (uint32);
}
