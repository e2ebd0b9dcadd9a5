// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICircuitRegistry
/// @notice Registry of proof circuits. A rollup (the circuit owner) registers its verifier and proving artifacts; the
///         verifier can only change through a delay that requesters can see in `circuit(...)` and in events.
/// @dev Verifier code pinning: the first time a verifier address is registered or proposed, the registry records its
///      code hash (`verifierCodeHash`), and from then on refuses that address if its code hash differs. The market
///      compares `verifier.codehash` with the pin at fulfilment (`fulfilmentTerms`). Verifiers that could change
///      behaviour without changing their code are refused (`VerifierNotPinnable`): an EIP-7702 delegation designator
///      (code `0xef0100 || delegate`), or code with a reachable DELEGATECALL (0xf4), CALLCODE (0xf2) or SELFDESTRUCT
///      (0xff). Residual risk: a pinned verifier can still behave differently over time if it reads state, i.e.
///      STATICCALLs (or CALLs) another contract whose state or code can change, reads its own storage written by some
///      other function, or reads the environment (block number, timestamp, balances). A pin fixes the code, not what
///      that code reads. Provers should compile the verifier from the circuit's artifacts and compare its runtime code
///      hash with `verifierCodeHash` before taking a job.
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
    /// @notice `verifier`'s code hash was recorded the first time it was registered or proposed; it is refused from
    ///         then on if its code hash differs.
    event VerifierPinned(address indexed verifier, bytes32 codeHash);
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
    /// @notice `verifier` was pinned with code hash `pinned`, but its code hash is now `actual`.
    error VerifierCodeChanged(address verifier, bytes32 pinned, bytes32 actual);
    /// @notice `verifier` could change behaviour without changing its code, so pinning its code hash would mean nothing.
    /// @param opcode The offending byte: 0xf4 (DELEGATECALL), 0xf2 (CALLCODE) or 0xff (SELFDESTRUCT) found as a
    ///        reachable instruction, or 0xef when the code is an EIP-7702 delegation designator (`0xef0100 || address`).
    error VerifierNotPinnable(address verifier, uint8 opcode);

    /// @notice Registers a circuit owned by the caller.
    /// @dev Pins `verifier`'s code hash if it was never pinned (emitting `VerifierPinned`), or checks it against the pin
    ///      (`VerifierCodeChanged`); refuses a verifier that is not pinnable (`VerifierNotPinnable`).
    /// @return circuitId Sequential id, starting at 1.
    function registerCircuit(
        address verifier,
        string calldata artifactsURI,
        bytes32 artifactsHash,
        uint64 provingUnits,
        uint16 publicInputCount
    ) external returns (uint32 circuitId);

    /// @notice Schedules a verifier (and artifacts) upgrade that takes effect after `UPGRADE_DELAY`.
    /// @dev Replaces any previously scheduled upgrade and restarts the delay. Pins or checks `newVerifier`'s code hash
    ///      as `registerCircuit` does.
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

    /// @notice The code hash pinned for `verifier` when it was first registered or proposed; zero if it never was.
    function verifierCodeHash(address verifier) external view returns (bytes32);

    /// @notice What the market needs at fulfilment, in one call: the circuit's proving units and the code hash pinned
    ///         for `verifier` (the verifier the request pinned), to compare with `verifier.codehash`.
    /// @dev Reverts UnknownCircuit for an unknown id. Does not check that `verifier` is or was this circuit's verifier;
    ///      `codeHash` is zero for an address that was never pinned. Two storage reads.
    function fulfilmentTerms(uint32 circuitId, address verifier)
        external
        view
        returns (uint64 provingUnits, bytes32 codeHash);

    /// @notice Number of circuits registered so far (ids are 1..count).
    function circuitCount() external view returns (uint32);
}
