// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProofCallback} from "../../interfaces/IProofCallback.sol";
import {IProverMarketTypes} from "../../interfaces/IProverMarketTypes.sol";

/// @title IExampleRollup
/// @notice A validity rollup that outsources its proving to the prover market (Prover-Validator Separation): its
///         sequencer commits batches (a state transition `oldRoot -> newRoot` over a list of transfers hashed into
///         `batchHash`), the rollup itself requests each batch's Groth16 proof from the market and pays for it from an
///         ETH escrow it holds, and the finalized state root advances batch by batch, strictly in order, as proofs
///         arrive.
/// @dev Batches form a chain: batch k's old root is batch k-1's new root (the genesis root for batch 0), so a proof
///      of batch k says nothing about the state unless every batch before it is proven too; that is why a proof that
///      arrives out of order only marks its batch proven, and the finalized root moves only over an unbroken run of
///      proven batches from the last finalized one.
///
///      A batch becomes proven in one of two ways:
///      - the market's `onProofFulfilled` callback (only from the market, for the request the batch is waiting on,
///        with exactly that batch's public inputs). The callback is given `CALLBACK_GAS` gas, so it finalizes at most
///        `MAX_FINALIZE_PER_CALL` batches; `finalize` finishes the rest.
///      - `syncProof`, permissionless: the market reports the batch's request `Fulfilled`. Since the request's id binds
///        the verifier the rollup pinned and the batch's `publicInputsHash`, the market verified a proof of exactly this
///        batch; this path covers a callback that failed (the market still pays the prover and emits
///        `CallbackFailed`).
///
///      Liveness: a batch whose request ended unproven (expired, which also covers a slashed prover whose secondary
///      delivery window passed, or cancelled) can be requested again by anyone (`repostBatch`), with the terms stored
///      for that batch and the rollup's escrow. A caller never chooses the price: only the sequencer, who spends the
///      escrow anyway, may change a batch's terms (`repostBatchWithTerms`). Every repost first makes sure the previous
///      request's escrow came back (it expires the request if needed and pulls the rollup's market balance), so
///      reposting moves the same funds around and cannot drain them; the only payment a batch can cause is the one
///      for a proof of it.
///
///      Trust: the market is fixed at deployment (its callback and its `requestState` are believed). The verifier is
///      pinned at deployment to the circuit's active verifier in the market's registry; if the circuit's owner
///      upgrades it there, new requests revert (`VerifierNotActive`) until the rollup's owner adopts the new one
///      (`adoptActiveVerifier`). The sequencer decides what is committed and at what price; the circuit decides what
///      a valid batch is.
interface IExampleRollup is IProofCallback {
    /// @notice The proving terms of a batch, relative to the moment its request is posted (a repost gets fresh
    ///         deadlines with the same windows).
    /// @param mode The market's allocation mode.
    /// @param onMiss What happens after a missed deadline (RunnerUp applies to a sealed bid only).
    /// @param assetId Collateral asset in the vault (0 = ETH).
    /// @param bidWindow Sealed: the commit phase; Dutch: the price ramp (seconds after posting). Ignored otherwise.
    /// @param revealWindow Sealed: the reveal phase after the commit phase (at least the market's
    ///        `MIN_REVEAL_WINDOW`). Ignored otherwise.
    /// @param provingWindow The market's `provingWindow`.
    /// @param maxFee The most the batch's proof may cost; escrowed from the rollup's balance at each posting.
    /// @param minFee Dutch start price.
    /// @param minCollateral Collateral of the assigned prover (and a sealed bid's bond: at least `maxFee`).
    /// @param latencyWeight Sealed: wei per second of promised latency in a bid's score.
    struct ProofTerms {
        IProverMarketTypes.Mode mode;
        IProverMarketTypes.OnMiss onMiss;
        uint8 assetId;
        uint32 bidWindow;
        uint32 revealWindow;
        uint32 provingWindow;
        uint96 maxFee;
        uint96 minFee;
        uint96 minCollateral;
        uint64 latencyWeight;
    }

    /// @notice Where a batch stands. None: not committed (or reverted). Pending: committed, its proof requested.
    ///         Proven: a proof was delivered; waiting for the batches before it. Finalized: its new root is (or was) the
    ///         finalized root.
    enum BatchStatus {
        None,
        Pending,
        Proven,
        Finalized
    }

    /// @notice A batch, as `batch` returns it.
    /// @param oldRoot The state root before the batch (the previous batch's new root, or the genesis root).
    /// @param newRoot The state root after the batch.
    /// @param batchHash The circuit's hash chain over the batch's transfers.
    /// @param inputHash keccak256 of the proving input (the circuit's input JSON).
    /// @param uriHash keccak256 of the input's URI when the input was not posted inline; zero otherwise.
    /// @param requestId The market request the batch waits on (its latest posting).
    /// @param status See `BatchStatus`.
    /// @param attempts How many times the batch's proof was requested.
    /// @param terms The terms every posting of the batch uses.
    struct BatchView {
        bytes32 oldRoot;
        bytes32 newRoot;
        bytes32 batchHash;
        bytes32 inputHash;
        bytes32 uriHash;
        bytes32 requestId;
        BatchStatus status;
        uint32 attempts;
        ProofTerms terms;
    }

    // ------------------------------------------------------------------ events
    /// @notice The sequencer committed batch `batch`: `oldRoot -> newRoot` over the transfers hashed into `batchHash`.
    event BatchCommitted(
        uint256 indexed batch, bytes32 oldRoot, bytes32 newRoot, bytes32 batchHash, bytes32 inputHash
    );
    /// @notice The rollup posted request `requestId` for batch `batch`'s proof (`attempt` 1 at the commit), escrowing
    ///         `maxFee`. `poster` is the sequencer at a commit, or whoever reposted.
    event BatchRequested(
        uint256 indexed batch,
        bytes32 indexed requestId,
        uint32 attempt,
        IProverMarketTypes.Mode mode,
        uint256 maxFee,
        address indexed poster
    );
    /// @notice Batch `batch` is proven by the market's request `requestId`; `byCallback` false: through `syncProof`.
    event BatchProven(uint256 indexed batch, bytes32 indexed requestId, bool byCallback);
    /// @notice The finalized root advanced to batch `batch`'s `newRoot`.
    event BatchFinalized(uint256 indexed batch, bytes32 newRoot);
    /// @notice The unfinalized batches `fromBatch` .. `toBatch - 1` were dropped (their requests, if still live, no
    ///         longer count); the next commit is batch `fromBatch`.
    event BatchesReverted(uint256 fromBatch, uint256 toBatch);
    /// @notice The sequencer role moved from `previous` to `sequencer`.
    event SequencerSet(address indexed previous, address indexed sequencer);
    /// @notice The rollup now pins `verifier` (the circuit's active verifier in the registry) in its requests.
    event VerifierAdopted(address indexed previous, address indexed verifier);
    /// @notice `from` added `amount` wei to the proving escrow.
    event EscrowDeposited(address indexed from, uint256 amount);
    /// @notice `amount` wei came back into the escrow: refunds from the rollup's market balance (expired requests,
    ///         unspent escrow) and its ETH slash proceeds from the vault.
    event RefundsPulled(uint256 amount);

    // ------------------------------------------------------------------ errors
    /// @notice The caller is not the sequencer.
    error NotSequencer(address caller);
    /// @notice The caller is neither the sequencer nor the owner.
    error NotSequencerOrOwner(address caller);
    /// @notice `onProofFulfilled` was not called by the market.
    error NotMarket(address caller);
    /// @notice An address that must be set is zero.
    error ZeroAddress();
    /// @notice The registry's circuit `circuitId` does not have the 3 public inputs [oldRoot, newRoot, batchHash].
    error CircuitMismatch(uint32 circuitId, uint256 publicInputCount);
    /// @notice `CALLBACK_GAS` is above the market's `MAX_CALLBACK_GAS`.
    error CallbackGasAboveMarketMax(uint256 callbackGas, uint256 marketMax);
    /// @notice A root or batch hash is not below the BN254 scalar field: no proof of it could ever verify.
    error NotAFieldElement(bytes32 value);
    /// @notice No committed batch has this index.
    error UnknownBatch(uint256 batch);
    /// @notice `requestId` is not the request any committed batch waits on.
    error UnknownRequest(bytes32 requestId);
    /// @notice The batch is not `Pending` (already proven, or finalized).
    error BatchNotPending(uint256 batch, BatchStatus status);
    /// @notice The public inputs of a callback are not the batch's [oldRoot, newRoot, batchHash].
    error PublicInputsMismatch(uint256 batch);
    /// @notice The batch's request is not `Fulfilled` (for `syncProof`).
    error RequestNotFulfilled(bytes32 requestId, IProverMarketTypes.Status status);
    /// @notice The batch's request was fulfilled: call `syncProof` instead of reposting.
    error RequestFulfilled(bytes32 requestId);
    /// @notice `previous` (given to a repost) is not the request the batch waits on.
    error PreviousRequestMismatch(uint256 batch, bytes32 given, bytes32 expected);
    /// @notice A repost's input is not the batch's: inline input for an inline batch (the market checks its hash), the
    ///         stored URI for a URI batch.
    error InputMismatch(uint256 batch);
    /// @notice A commit needs exactly one of inline input and an input URI (`inputLength` bytes and a URI of
    ///         `uriLength` bytes were given).
    error InputNotExactlyOne(uint256 inputLength, uint256 uriLength);
    /// @notice The escrow (balance, with the market balance pulled back) cannot cover `maxFee`.
    error InsufficientEscrow(uint256 needed, uint256 available);
    /// @notice `fromBatch` is finalized or not committed (`revertBatches`).
    error NotRevertible(uint256 fromBatch, uint256 finalizedBatches, uint256 committedBatches);

    // ------------------------------------------------------------------ sequencer
    /// @notice Commits the next batch on top of the last committed root and requests its proof from the market,
    ///         escrowing `terms.maxFee` from the rollup's balance (refunds are pulled from the market first when short).
    /// @param newRoot The state root after the batch (a BN254 scalar field element).
    /// @param batchHash The circuit's batch hash (a field element).
    /// @param inputHash keccak256 of the proving input (the market checks it against inline input).
    /// @param input The proving input inline, or empty when `inputUri` is used (exactly one of them).
    /// @param inputUri Where provers fetch the input when it is not inline (its content must hash to `inputHash`).
    /// @param terms The batch's proving terms (see `ProofTerms`); kept for reposts.
    /// @return index The batch's index.
    /// @return requestId The market request.
    function commitBatch(
        bytes32 newRoot,
        bytes32 batchHash,
        bytes32 inputHash,
        bytes calldata input,
        string calldata inputUri,
        ProofTerms calldata terms
    ) external returns (uint256 index, bytes32 requestId);

    /// @notice Like `repostBatch`, with new terms for the batch (stored for later reposts). Sequencer only: it is the
    ///         escrow's spender.
    function repostBatchWithTerms(
        uint256 index,
        IProverMarketTypes.Request calldata previous,
        bytes calldata input,
        string calldata inputUri,
        ProofTerms calldata terms
    ) external returns (bytes32 requestId);

    /// @notice Drops the unfinalized batches from `fromBatch` on (sequencer or owner), e.g. after a batch that no
    ///         prover can prove: batches chain, so nothing after it could finalize either. Their live requests stay in
    ///         the market (their escrow comes back at expiry, `pullRefunds`), but no longer count for any batch.
    function revertBatches(uint256 fromBatch) external;

    /// @notice Moves the sequencer role (the owner or the sequencer itself).
    function setSequencer(address sequencer) external;

    /// @notice Pins the circuit's current active verifier from the registry (owner only).
    function adoptActiveVerifier() external;

    // ------------------------------------------------------------------ permissionless
    /// @notice Requests batch `index`'s proof again after its request `previous` ended unproven (expired or
    ///         cancelled; a request whose deadline passed is expired here first), with the batch's stored terms and the
    ///         rollup's escrow. Anyone may call it: the price is not the caller's to choose.
    /// @param previous The batch's current request (its terms are in `RequestSubmitted`; checked against its id).
    /// @param input The batch's inline input (checked by the market against its hash), or empty for a URI batch.
    /// @param inputUri The batch's input URI (checked against the stored hash), or empty for an inline batch.
    function repostBatch(
        uint256 index,
        IProverMarketTypes.Request calldata previous,
        bytes calldata input,
        string calldata inputUri
    ) external returns (bytes32 requestId);

    /// @notice Marks batch `index` proven when the market reports its request `Fulfilled` (the callback failed or was
    ///         not run), then finalizes at most `MAX_FINALIZE_PER_CALL` batches. Permissionless.
    function syncProof(uint256 index) external;

    /// @notice Advances the finalized root over at most `maxBatches` proven batches, in order. Permissionless.
    /// @return finalized How many batches this call finalized.
    function finalize(uint256 maxBatches) external returns (uint256 finalized);

    /// @notice Adds `msg.value` to the proving escrow (a plain transfer does the same).
    function deposit() external payable;

    /// @notice Pulls the rollup's market balance (refunds) and its ETH slash proceeds (claimable in the vault) into the
    ///         escrow. Permissionless. (Slash proceeds in a collateral token stay claimable in the vault: this example
    ///         handles ETH only.)
    function pullRefunds() external returns (uint256 amount);

    // ------------------------------------------------------------------ views
    /// @notice The market the rollup requests proofs from.
    function market() external view returns (address);
    /// @notice The market's circuit registry.
    function registry() external view returns (address);
    /// @notice The rollup's circuit in the registry.
    function circuitId() external view returns (uint32);
    /// @notice The verifier pinned in the rollup's requests.
    function verifier() external view returns (address);
    /// @notice Who commits batches.
    function sequencer() external view returns (address);
    /// @notice The state root before batch 0.
    function genesisRoot() external view returns (bytes32);
    /// @notice The root after the last finalized batch (the genesis root before any).
    function finalizedRoot() external view returns (bytes32);
    /// @notice Batches finalized: batches 0 .. finalizedBatches - 1.
    function finalizedBatches() external view returns (uint256);
    /// @notice Batches committed (and not reverted): the next commit's index.
    function committedBatches() external view returns (uint256);
    /// @notice The root after the last committed batch: the next commit's old root.
    function headRoot() external view returns (bytes32);
    /// @notice Batch `index` (reverts `UnknownBatch` past the committed ones).
    function batch(uint256 index) external view returns (BatchView memory);
    /// @notice The batch whose current request is `requestId` (reverts `UnknownRequest` for any other id: a request
    ///         replaced by a repost, or one of a reverted batch).
    function batchOfRequest(bytes32 requestId) external view returns (uint256);
    /// @notice The public inputs a proof of batch `index` must have: [oldRoot, newRoot, batchHash].
    function publicInputsOf(uint256 index) external view returns (uint256[] memory);
    /// @notice Gas the rollup asks the market to give its callback (`Request.callbackGasLimit`).
    function CALLBACK_GAS() external view returns (uint32);
    /// @notice The most batches one callback or `syncProof` finalizes (a bound on the callback's gas).
    function MAX_FINALIZE_PER_CALL() external view returns (uint256);
}
