// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IExampleRollup} from "./interfaces/IExampleRollup.sol";
import {IProofCallback} from "../interfaces/IProofCallback.sol";
import {IProverMarket} from "../interfaces/IProverMarket.sol";
import {IProverMarketTypes} from "../interfaces/IProverMarketTypes.sol";
import {ICircuitRegistry} from "../interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {Owned} from "../utils/Owned.sol";

/// @title ExampleRollup
/// @notice A validity rollup whose batch proofs are bought on the prover market, for circuits/rollup_batch.circom
///         (public signals [oldRoot, newRoot, batchHash]). See `IExampleRollup` for the protocol and its trust model.
/// @dev Gas: a commit writes six slots of its batch (the URI hash only for a URI batch) and the request's batch index;
///      the callback reads the batch, writes its status and finalizes at most `MAX_FINALIZE_PER_CALL` batches (two cold
///      reads and an event each, no write: a batch below `finalizedBatches` reads as `Finalized`), within
///      `CALLBACK_GAS` (measured in contracts/test/examples/ExampleRollup.t.sol, `test_callback_gasWithinLimit`).
///      No reentrancy lock: the only contracts called are the market and its vault, fixed at deployment; their
///      `withdraw` and `claim` send ETH here, and `receive` only emits an event.
contract ExampleRollup is IExampleRollup, Owned {
    /// @inheritdoc IExampleRollup
    uint32 public constant CALLBACK_GAS = 100_000;
    /// @inheritdoc IExampleRollup
    uint256 public constant MAX_FINALIZE_PER_CALL = 8;
    /// @dev BN254 scalar field order: public inputs must be below it.
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev The vault's asset id of ETH.
    uint8 internal constant ETH_ASSET = 0;
    /// @dev [oldRoot, newRoot, batchHash].
    uint256 internal constant PUBLIC_INPUT_COUNT = 3;

    IProverMarket internal immutable _market;
    ICircuitRegistry internal immutable _registry;
    ICollateralVault internal immutable _vault;
    /// @inheritdoc IExampleRollup
    uint32 public immutable circuitId;
    /// @inheritdoc IExampleRollup
    bytes32 public immutable genesisRoot;

    /// @dev A batch in storage: roots and hashes, then one slot of status, terms and attempts, one of fees.
    struct StoredBatch {
        bytes32 newRoot;
        bytes32 batchHash;
        bytes32 requestId;
        bytes32 inputHash;
        bytes32 uriHash;
        BatchStatus status;
        IProverMarketTypes.Mode mode;
        IProverMarketTypes.OnMiss onMiss;
        uint8 assetId;
        uint32 bidWindow;
        uint32 revealWindow;
        uint32 provingWindow;
        uint96 maxFee;
        uint32 attempts;
        uint96 minFee;
        uint96 minCollateral;
        uint64 latencyWeight;
    }

    /// @inheritdoc IExampleRollup
    address public sequencer;
    /// @inheritdoc IExampleRollup
    address public verifier;
    /// @dev Batches committed (the next index), batches finalized, requests posted (their nonces): one slot.
    uint64 internal _committed;
    uint64 internal _finalized;
    uint64 internal _nonce;
    /// @inheritdoc IExampleRollup
    bytes32 public finalizedRoot;

    mapping(uint256 index => StoredBatch) internal _batches;
    /// @dev The batch index + 1 of each request the rollup posted and has not replaced by a repost (0: none).
    mapping(bytes32 requestId => uint256 indexPlusOne) internal _requestBatch;

    /// @param initialOwner May move the sequencer role and adopt a new verifier.
    /// @param initialSequencer Commits batches.
    /// @param market_ The prover market (its registry holds the circuit).
    /// @param circuitId_ The rollup's circuit: 3 public inputs [oldRoot, newRoot, batchHash].
    /// @param genesisRoot_ The state root before batch 0 (a BN254 scalar field element).
    constructor(
        address initialOwner,
        address initialSequencer,
        IProverMarket market_,
        uint32 circuitId_,
        bytes32 genesisRoot_
    ) Owned(initialOwner) {
        if (initialOwner == address(0) || initialSequencer == address(0) || address(market_) == address(0)) {
            revert ZeroAddress();
        }
        _checkField(genesisRoot_);
        ICircuitRegistry registry_ = ICircuitRegistry(market_.registry());
        ICircuitRegistry.Circuit memory c = registry_.circuit(circuitId_);
        if (c.publicInputCount != PUBLIC_INPUT_COUNT) revert CircuitMismatch(circuitId_, c.publicInputCount);
        uint256 maxGas = market_.MAX_CALLBACK_GAS();
        if (CALLBACK_GAS > maxGas) revert CallbackGasAboveMarketMax(CALLBACK_GAS, maxGas);
        _market = market_;
        _registry = registry_;
        _vault = ICollateralVault(market_.vault());
        circuitId = circuitId_;
        genesisRoot = genesisRoot_;
        finalizedRoot = genesisRoot_;
        sequencer = initialSequencer;
        verifier = c.verifier;
        emit SequencerSet(address(0), initialSequencer);
        emit VerifierAdopted(address(0), c.verifier);
    }

    modifier onlySequencer() {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        _;
    }

    modifier onlySequencerOrOwner() {
        if (msg.sender != sequencer && msg.sender != owner) revert NotSequencerOrOwner(msg.sender);
        _;
    }

    /// @notice Escrow deposits; refunds from the market and slash proceeds from the vault land here too
    ///         (`RefundsPulled` reports those).
    receive() external payable {
        if (msg.sender != address(_market) && msg.sender != address(_vault)) emit EscrowDeposited(msg.sender, msg.value);
    }

    // ------------------------------------------------------------------ sequencer

    /// @inheritdoc IExampleRollup
    function commitBatch(
        bytes32 newRoot,
        bytes32 batchHash,
        bytes32 inputHash,
        bytes calldata input,
        string calldata inputUri,
        ProofTerms calldata terms
    ) external onlySequencer returns (uint256 index, bytes32 requestId) {
        _checkField(newRoot);
        _checkField(batchHash);
        bool inlineInput = input.length != 0;
        if (inlineInput == (bytes(inputUri).length != 0)) revert InputNotExactlyOne(input.length, bytes(inputUri).length);
        index = _committed;
        bytes32 oldRoot = _rootBefore(index);
        StoredBatch storage b = _batches[index];
        b.newRoot = newRoot;
        b.batchHash = batchHash;
        b.inputHash = inputHash;
        // A reverted batch's slots are reused: clear what this batch does not set.
        b.uriHash = inlineInput ? bytes32(0) : keccak256(bytes(inputUri));
        b.status = BatchStatus.Pending;
        b.attempts = 0;
        _storeTerms(b, terms);
        // index < committed + 1 <= 2^64: a commit per transaction cannot reach 2^64 batches.
        unchecked {
            _committed = uint64(index + 1);
        }
        emit BatchCommitted(index, oldRoot, newRoot, batchHash, inputHash);
        requestId = _post(index, b, input, inputUri);
    }

    /// @inheritdoc IExampleRollup
    function repostBatchWithTerms(
        uint256 index,
        IProverMarketTypes.Request calldata previous,
        bytes calldata input,
        string calldata inputUri,
        ProofTerms calldata terms
    ) external onlySequencer returns (bytes32 requestId) {
        StoredBatch storage b = _pendingBatch(index);
        _storeTerms(b, terms);
        return _repost(index, b, previous, input, inputUri);
    }

    /// @inheritdoc IExampleRollup
    function revertBatches(uint256 fromBatch) external onlySequencerOrOwner {
        uint256 committed = _committed;
        uint256 finalized = _finalized;
        if (fromBatch < finalized || fromBatch >= committed) revert NotRevertible(fromBatch, finalized, committed);
        _committed = uint64(fromBatch); // fromBatch < committed < 2^64
        emit BatchesReverted(fromBatch, committed);
    }

    /// @inheritdoc IExampleRollup
    function setSequencer(address newSequencer) external onlySequencerOrOwner {
        if (newSequencer == address(0)) revert ZeroAddress();
        emit SequencerSet(sequencer, newSequencer);
        sequencer = newSequencer;
    }

    /// @inheritdoc IExampleRollup
    function adoptActiveVerifier() external onlyOwner {
        (address active,) = _registry.circuitTerms(circuitId);
        emit VerifierAdopted(verifier, active);
        verifier = active;
    }

    // ------------------------------------------------------------------ market

    /// @inheritdoc IProofCallback
    /// @dev Trusts only the market: it calls this after verifying a proof of the request's public inputs with the
    ///      pinned verifier. The batch and inputs are checked all the same, so nothing else the market might call here
    ///      (a request of another batch, a stale request of a reverted batch) can mark a batch proven.
    function onProofFulfilled(bytes32 requestId, uint256[] calldata publicInputs) external {
        if (msg.sender != address(_market)) revert NotMarket(msg.sender);
        uint256 index = _batchOf(requestId);
        StoredBatch storage b = _batches[index];
        if (
            publicInputs.length != PUBLIC_INPUT_COUNT || publicInputs[0] != uint256(_rootBefore(index))
                || publicInputs[1] != uint256(b.newRoot) || publicInputs[2] != uint256(b.batchHash)
        ) revert PublicInputsMismatch(index);
        _prove(index, b, requestId, true);
    }

    // ------------------------------------------------------------------ permissionless

    /// @inheritdoc IExampleRollup
    function repostBatch(
        uint256 index,
        IProverMarketTypes.Request calldata previous,
        bytes calldata input,
        string calldata inputUri
    ) external returns (bytes32 requestId) {
        return _repost(index, _pendingBatch(index), previous, input, inputUri);
    }

    /// @inheritdoc IExampleRollup
    function syncProof(uint256 index) external {
        StoredBatch storage b = _pendingBatch(index);
        bytes32 requestId = b.requestId;
        IProverMarketTypes.Status status = _market.requestState(requestId).status;
        if (status != IProverMarketTypes.Status.Fulfilled) revert RequestNotFulfilled(requestId, status);
        _prove(index, b, requestId, false);
    }

    /// @inheritdoc IExampleRollup
    function finalize(uint256 maxBatches) external returns (uint256 finalized) {
        return _finalize(maxBatches);
    }

    /// @inheritdoc IExampleRollup
    function deposit() external payable {
        emit EscrowDeposited(msg.sender, msg.value);
    }

    /// @inheritdoc IExampleRollup
    function pullRefunds() external returns (uint256 amount) {
        return _pullRefunds();
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IExampleRollup
    function market() external view returns (address) {
        return address(_market);
    }

    /// @inheritdoc IExampleRollup
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IExampleRollup
    function finalizedBatches() external view returns (uint256) {
        return _finalized;
    }

    /// @inheritdoc IExampleRollup
    function committedBatches() external view returns (uint256) {
        return _committed;
    }

    /// @inheritdoc IExampleRollup
    function headRoot() external view returns (bytes32) {
        return _rootBefore(_committed);
    }

    /// @inheritdoc IExampleRollup
    function batch(uint256 index) external view returns (BatchView memory v) {
        if (index >= _committed) revert UnknownBatch(index);
        StoredBatch storage b = _batches[index];
        v.oldRoot = _rootBefore(index);
        v.newRoot = b.newRoot;
        v.batchHash = b.batchHash;
        v.inputHash = b.inputHash;
        v.uriHash = b.uriHash;
        v.requestId = b.requestId;
        v.status = index < _finalized ? BatchStatus.Finalized : b.status;
        v.attempts = b.attempts;
        v.terms = _termsOf(b);
    }

    /// @inheritdoc IExampleRollup
    function batchOfRequest(bytes32 requestId) external view returns (uint256) {
        return _batchOf(requestId);
    }

    /// @inheritdoc IExampleRollup
    function publicInputsOf(uint256 index) external view returns (uint256[] memory) {
        if (index >= _committed) revert UnknownBatch(index);
        StoredBatch storage b = _batches[index];
        return _publicInputs(_rootBefore(index), b.newRoot, b.batchHash);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Retires the batch's request `previous` (expiring it when its deadline passed, refused while it is live or
    ///      once it is fulfilled), pulls the refunds back, and posts the batch again with its stored terms.
    function _repost(
        uint256 index,
        StoredBatch storage b,
        IProverMarketTypes.Request calldata previous,
        bytes calldata input,
        string calldata inputUri
    ) internal returns (bytes32) {
        bytes32 id = b.requestId;
        bytes32 given = _market.requestIdOf(previous);
        if (given != id) revert PreviousRequestMismatch(index, given, id);
        IProverMarketTypes.Status status = _market.requestState(id).status;
        if (status == IProverMarketTypes.Status.Fulfilled) revert RequestFulfilled(id);
        if (status != IProverMarketTypes.Status.Expired && status != IProverMarketTypes.Status.Cancelled) {
            _market.expire(previous); // the market refuses (NotExpirable, ...) while the request can still be delivered
        }
        delete _requestBatch[id];
        // The same input as at the commit: inline bytes (the market checks their hash), or the stored URI.
        if (b.uriHash == bytes32(0)) {
            if (input.length == 0 || bytes(inputUri).length != 0) revert InputMismatch(index);
        } else if (input.length != 0 || keccak256(bytes(inputUri)) != b.uriHash) {
            revert InputMismatch(index);
        }
        _pullRefunds();
        return _post(index, b, input, inputUri);
    }

    /// @dev Posts batch `index`'s request with its stored terms, escrowing `maxFee` from the rollup's balance.
    function _post(uint256 index, StoredBatch storage b, bytes calldata input, string calldata inputUri)
        internal
        returns (bytes32 requestId)
    {
        (IProverMarketTypes.Request memory r, uint256[] memory publicInputs) = _request(index, b);
        _ensureEscrow(r.maxFee);
        requestId = _market.submitRequest{value: r.maxFee}(r, input, inputUri, publicInputs);
        b.requestId = requestId;
        _requestBatch[requestId] = index + 1; // index < 2^64
        uint32 attempt = b.attempts + 1; // a repost needs its previous request to end: never 2^32 of them
        b.attempts = attempt;
        emit BatchRequested(index, requestId, attempt, r.mode, r.maxFee, msg.sender);
    }

    /// @dev The market request for batch `index` posted now, and its public inputs: the rollup as requester, fresh
    ///      deadlines from the stored windows, the pinned verifier, the batch's public inputs hash and the rollup's
    ///      callback gas.
    function _request(uint256 index, StoredBatch storage b)
        internal
        returns (IProverMarketTypes.Request memory r, uint256[] memory publicInputs)
    {
        publicInputs = _publicInputs(_rootBefore(index), b.newRoot, b.batchHash);
        r.requester = address(this);
        r.circuitId = circuitId;
        r.mode = b.mode;
        r.onMiss = b.onMiss;
        r.assetId = b.assetId;
        // Windows are uint32 and block.timestamp < 2^40 for millennia: the sums fit in uint40.
        uint256 bidDeadline = block.timestamp + b.bidWindow;
        r.bidDeadline = uint40(bidDeadline);
        r.revealDeadline = uint40(bidDeadline + b.revealWindow);
        r.provingWindow = b.provingWindow;
        r.verifier = verifier;
        r.maxFee = b.maxFee;
        r.minFee = b.minFee;
        r.minCollateral = b.minCollateral;
        r.latencyWeight = b.latencyWeight;
        r.nonce = ++_nonce;
        r.inputHash = b.inputHash;
        r.publicInputsHash = keccak256(abi.encodePacked(publicInputs));
        r.protocolFeeBps = _market.effectiveProtocolFee();
        r.callbackGasLimit = CALLBACK_GAS;
    }

    /// @dev Makes sure the balance covers `maxFee`, pulling refunds from the market when it does not.
    function _ensureEscrow(uint256 maxFee) internal {
        if (address(this).balance < maxFee) _pullRefunds();
        if (address(this).balance < maxFee) revert InsufficientEscrow(maxFee, address(this).balance);
    }

    /// @dev Marks a pending batch proven and finalizes what now can be.
    function _prove(uint256 index, StoredBatch storage b, bytes32 requestId, bool byCallback) internal {
        BatchStatus status = b.status;
        if (status != BatchStatus.Pending) revert BatchNotPending(index, status);
        b.status = BatchStatus.Proven;
        emit BatchProven(index, requestId, byCallback);
        _finalize(MAX_FINALIZE_PER_CALL);
    }

    /// @dev Advances the finalized root over at most `maxBatches` proven batches from the first unfinalized one.
    function _finalize(uint256 maxBatches) internal returns (uint256 count) {
        uint256 next = _finalized;
        uint256 end = _committed;
        if (end - next > maxBatches) end = next + maxBatches; // end >= next: finalized never passes committed
        bytes32 root;
        while (next < end) {
            StoredBatch storage b = _batches[next];
            if (b.status != BatchStatus.Proven) break;
            root = b.newRoot;
            emit BatchFinalized(next, root);
            // next < end <= 2^64.
            unchecked {
                ++next;
            }
        }
        // next >= _finalized (it only grew).
        unchecked {
            count = next - _finalized;
        }
        if (count != 0) {
            _finalized = uint64(next);
            finalizedRoot = root;
        }
    }

    /// @dev The batch a live request belongs to; reverts for any other id.
    function _batchOf(bytes32 requestId) internal view returns (uint256 index) {
        uint256 stored = _requestBatch[requestId];
        if (stored == 0) revert UnknownRequest(requestId);
        // stored >= 1.
        unchecked {
            index = stored - 1;
        }
        // A reverted batch's request (or one of a batch reposted since) no longer counts.
        if (index >= _committed || _batches[index].requestId != requestId) revert UnknownRequest(requestId);
    }

    /// @dev A committed, pending batch.
    function _pendingBatch(uint256 index) internal view returns (StoredBatch storage b) {
        if (index >= _committed) revert UnknownBatch(index);
        b = _batches[index];
        BatchStatus status = b.status;
        if (status != BatchStatus.Pending) revert BatchNotPending(index, status);
    }

    /// @dev The state root before batch `index`: the previous batch's new root, or the genesis root.
    function _rootBefore(uint256 index) internal view returns (bytes32) {
        // index >= 1 in the subtraction.
        unchecked {
            return index == 0 ? genesisRoot : _batches[index - 1].newRoot;
        }
    }

    /// @dev The rollup's market balance (refunds, unspent escrow) and its ETH slash proceeds in the vault (a requester's
    ///      share of a slashed prover's collateral), into the escrow.
    function _pullRefunds() internal returns (uint256 amount) {
        amount = _market.balanceOf(address(this));
        if (amount != 0) _market.withdraw(amount, address(this));
        uint256 slashed = _vault.claimableBalance(address(this), ETH_ASSET);
        if (slashed != 0) _vault.claim(ETH_ASSET, slashed, address(this));
        amount += slashed; // both are ETH amounts far below 2^255
        if (amount != 0) emit RefundsPulled(amount);
    }

    function _storeTerms(StoredBatch storage b, ProofTerms calldata t) internal {
        b.mode = t.mode;
        b.onMiss = t.onMiss;
        b.assetId = t.assetId;
        b.bidWindow = t.bidWindow;
        b.revealWindow = t.revealWindow;
        b.provingWindow = t.provingWindow;
        b.maxFee = t.maxFee;
        b.minFee = t.minFee;
        b.minCollateral = t.minCollateral;
        b.latencyWeight = t.latencyWeight;
    }

    function _termsOf(StoredBatch storage b) internal view returns (ProofTerms memory t) {
        t.mode = b.mode;
        t.onMiss = b.onMiss;
        t.assetId = b.assetId;
        t.bidWindow = b.bidWindow;
        t.revealWindow = b.revealWindow;
        t.provingWindow = b.provingWindow;
        t.maxFee = b.maxFee;
        t.minFee = b.minFee;
        t.minCollateral = b.minCollateral;
        t.latencyWeight = b.latencyWeight;
    }

    function _publicInputs(bytes32 oldRoot, bytes32 newRoot, bytes32 batchHash)
        internal
        pure
        returns (uint256[] memory p)
    {
        p = new uint256[](PUBLIC_INPUT_COUNT);
        p[0] = uint256(oldRoot);
        p[1] = uint256(newRoot);
        p[2] = uint256(batchHash);
    }

    function _checkField(bytes32 value) internal pure {
        if (uint256(value) >= SCALAR_FIELD) revert NotAFieldElement(value);
    }
}
