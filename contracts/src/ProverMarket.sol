// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ProverMarketBase} from "./market/ProverMarketBase.sol";
import {ProverMarketExtension} from "./market/ProverMarketExtension.sol";
import {IProverMarket} from "./interfaces/IProverMarket.sol";
import {ICircuitRegistry} from "./interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {IAskBook} from "./interfaces/IAskBook.sol";
import {AskBook} from "./AskBook.sol";
import {AuctionLib} from "./libraries/AuctionLib.sol";
import {BidLane, BidLaneLib} from "./types/BidLane.sol";
import {RunnerUp, RunnerUpLib} from "./types/RunnerUp.sol";
import {RequestWord} from "./types/RequestWord.sol";

/// @title ProverMarket
/// @notice Allocates Groth16 proof jobs to provers (sealed-bid second-score auction, reverse Dutch, standing asks,
///         open race), escrows fees, verifies proofs through the circuit's verifier, pays by pull, and slashes
///         collateral in the `CollateralVault` when a deadline is missed. Its full ABI is `IProverMarket`.
/// @dev Reentrancy: the functions here move no ETH or tokens and call the vault, the registry and the ask book (trusted
///      code fixed at deployment) and the request's verifier through STATICCALL (a `view` interface: it cannot change
///      state). The one untrusted call is the requester's callback (`IProofCallback`, when the terms set
///      `callbackGasLimit`), made by `fulfill`, `revealProof` and `fulfillBatch` as their very last step: after the
///      proof is checked and every write of the delivery is done (the request Fulfilled, the prover, treasury and
///      requester credited, collateral and bids released, the reserve booked), and nothing is read or written after
///      it. A Fulfilled request is final (every function refuses it), so a callback that re-enters finds consistent
///      state and can do only what any caller can: deliver another job it is assigned, withdraw what it is already
///      owed, post or cancel its own requests (`CallbackAttacks` tries each). These functions therefore carry no lock
///      (about 300 gas a call): a lock would only stop such ordinary calls from a callback. Every function of the
///      extension, `withdraw` (the one ETH transfer) included, keeps its lock, which a delivery does not hold.
/// @dev The hot paths (submission, bidding, locking, proofs) live here; cancellation, expiry, bond settlement,
///      slashing, parameters and views live in `ProverMarketExtension`, and `fulfillBatch` in `ProverMarketBatch`, both
///      reached through `fallback` by DELEGATECALL (EIP-170 caps one contract at 24 KiB). All inherit
///      `ProverMarketBase`, hence the same storage layout.
contract ProverMarket is ProverMarketBase {
    /// @notice The standing-ask orderbook (deployed by this contract's constructor).
    IAskBook public immutable askBook;
    /// @notice Code for the cold paths, executed in this contract's context.
    address public immutable extension;
    /// @dev Code of `fulfillBatch`, executed in this contract's context: the extension's `ProverMarketBatch` (`batch()`).
    address internal immutable _batch;

    /// @notice The extension was built for a different registry, vault or storage layout (or is not a contract).
    error ExtensionMismatch(address extension);

    /// @param initialOwner Owner of the bounded parameters.
    /// @param registry_ Circuit registry.
    /// @param vault_ Collateral vault (must be bound to this market with `setMarket`).
    /// @param treasury_ Receives the protocol fee and unclaimed bounties.
    /// @param extension_ A `ProverMarketExtension` built for the same registry and vault.
    constructor(
        address initialOwner,
        ICircuitRegistry registry_,
        ICollateralVault vault_,
        address treasury_,
        address extension_
    ) ProverMarketBase(initialOwner, registry_, vault_) {
        if (treasury_ == address(0)) revert ZeroAddress();
        if (
            extension_.code.length == 0 || ProverMarketBase(extension_).registry() != registry_
                || ProverMarketBase(extension_).vault() != vault_
                || ProverMarketBase(extension_).STORAGE_LAYOUT() != STORAGE_LAYOUT
        ) revert ExtensionMismatch(extension_);
        extension = extension_;
        _batch = ProverMarketExtension(extension_).batch();
        askBook = new AskBook(registry_, vault_, address(this));
        _params = Params({
            treasury: treasury_,
            protocolFeeBps: 0,
            pendingProtocolFeeBps: 0,
            reservePeriod: 1 hours,
            pendingActivatesAt: 0
        });
        _reserve = ReserveParams({minPerUnit: 1, maxPerUnit: MAX_RESERVE_PER_UNIT, defaultTargetUnits: 1 << 24});
        emit TreasurySet(treasury_);
        emit ProtocolFeeSet(0);
        emit ReserveParamsSet(1 hours, 1, MAX_RESERVE_PER_UNIT, 1 << 24);
    }

    /// @notice Runs every other `IProverMarket` function from the extension's code on this contract's storage, and
    ///         `fulfillBatch` from `ProverMarketBatch`'s.
    /// @dev Not payable: no extension function takes ETH, so plain transfers and value sent to them revert (and the
    ///      compiler has no payable fallback without a receive function to warn about). `fulfillBatch` would not fit
    ///      here beside the single-delivery paths (EIP-170), nor in the extension; reached from this fallback it costs
    ///      a batch one DELEGATECALL (about 350 gas a request at 32) and adds no entry to this contract's dispatcher,
    ///      so the hot paths here pay nothing for it.
    fallback() external {
        _delegate(msg.sig == IProverMarket.fulfillBatch.selector ? _batch : extension);
    }

    /// @notice See `IProverMarket`.
    function submitRequest(
        Request calldata request,
        bytes calldata input,
        string calldata inputUri,
        uint256[] calldata publicInputs
    ) external payable returns (bytes32 id) {
        _checkInputs(request, input, inputUri, publicInputs);
        uint256 units;
        uint256 reserveFee;
        (id, units, reserveFee) = _admit(request);
        emit RequestSubmitted(
            id, msg.sender, request.circuitId, request, units, reserveFee, input, inputUri, publicInputs
        );
        _open(id, request, units, reserveFee);
    }

    function _checkInputs(
        Request calldata req,
        bytes calldata input,
        string calldata inputUri,
        uint256[] calldata publicInputs
    ) internal pure {
        if (input.length != 0) {
            if (keccak256(input) != req.inputHash) revert InputHashMismatch();
        } else if (bytes(inputUri).length == 0) {
            revert InputMissing();
        }
        // Published with every request, so a prover can check its witness against them before it commits anything.
        if (publicInputs.length == 0) revert PublicInputsMissing();
        if (keccak256(abi.encodePacked(publicInputs)) != req.publicInputsHash) revert PublicInputsMismatch();
    }

    /// @dev Validates the terms and the escrow, reads the reserve. Returns the id, proving units and reserve fee.
    function _admit(Request calldata request) internal returns (bytes32 id, uint256 units, uint256 reserveFee) {
        Request memory req = request;
        if (req.requester != msg.sender) revert NotRequester(msg.sender);
        if (msg.value != req.maxFee) revert WrongEscrow(msg.value, req.maxFee);
        if (req.callbackGasLimit > MAX_CALLBACK_GAS) revert CallbackGasTooHigh(req.callbackGasLimit, MAX_CALLBACK_GAS);
        id = _idOfMemory(req); // the decoded (validated) terms: the canonical id that every later call derives
        if (_rawCore(id).exists()) revert RequestExists(id);
        _checkWindows(req);
        uint16 feeBps = _effectiveProtocolFee();
        if (req.protocolFeeBps != feeBps) revert ProtocolFeeMismatch(req.protocolFeeBps, feeBps);
        // Every bid bond is worth at least the whole fee, so an unrevealed shill bid costs more than any shill could
        // lower the price by (forfeited bonds are burnt, see `forfeitBond`).
        if (req.mode == Mode.SealedBid && req.minCollateral < req.maxFee) {
            revert BidBondBelowMaxFee(req.minCollateral, req.maxFee);
        }
        (address verifier, uint64 u) = registry.circuitTerms(req.circuitId);
        if (verifier != req.verifier) revert VerifierNotActive(req.verifier, verifier);
        units = u;
        reserveFee = _reserveFee(req.circuitId, u);
        if (req.maxFee < reserveFee) revert MaxFeeBelowReserve(req.maxFee, reserveFee);
    }

    /// @dev Writes the request's state; standing-ask requests are matched here (nothing is locked until the prover
    ///      accepts).
    function _open(bytes32 id, Request calldata req, uint256 units, uint256 reserveFee) internal {
        if (req.mode == Mode.SealedBid) {
            if (reserveFee > MAX_SEALED_RESERVE) revert ReserveTooLargeForSealedBid(reserveFee);
            Sealed memory q;
            q.status = Status.Open;
            q.reserveFee = uint96(reserveFee);
            _storeSealed(id, q);
            return;
        }
        Core memory c;
        c.status = Status.Open;
        c.createdAt = uint40(block.timestamp);
        c.reserveFee = uint96(reserveFee); // <= maxFee, a uint96
        if (req.mode == Mode.OpenRace) c.deadline = uint40(block.timestamp + req.provingWindow);
        if (req.mode == Mode.StandingAsk) {
            IAskBook.Match memory m = askBook.take(
                req.circuitId,
                IAskBook.Wanted(units, reserveFee, req.maxFee, req.provingWindow, req.assetId, req.minCollateral),
                address(0)
            );
            if (m.prover == address(0)) revert IAskBook.NoMatchingAsk(req.circuitId);
            c.status = Status.Matched;
            c.deadline = uint40(block.timestamp + ASK_ACCEPT_WINDOW);
            c.bestLatency = m.latency;
            c.secondLatency = 1;
            _best[id] = Slot(m.prover, m.fee);
            emit RequestMatched(id, m.prover, m.fee, m.latency, c.deadline, 1);
        }
        _storeCore(id, c);
    }

    /// @notice See `IProverMarket`.
    function acceptMatch(Request calldata request) external {
        (bytes32 id, Core memory c) = _load(request);
        if (c.status != Status.Matched) revert WrongStatus(id, c.status);
        Slot memory m = _best[id];
        if (msg.sender != m.account) revert NotMatchedProver(msg.sender, m.account);
        if (block.timestamp > c.deadline) revert DeadlinePassed(c.deadline);
        c.status = Status.Assigned;
        c.deadline = uint40(block.timestamp + c.bestLatency);
        c.secondLatency = 0;
        _storeCore(id, c);
        uint96 collateral = request.minCollateral; // <= the ask's maxCollateral (checked at the match)
        uint8 assetId = request.assetId;
        if (collateral != 0) _takeCollateral(msg.sender, assetId, collateral);
        emit RequestAssigned(id, msg.sender, m.fee, c.deadline, assetId, collateral);
    }

    /// @notice See `IProverMarket`.
    function commitBid(Request calldata request, bytes32 commitment, uint8 lane) external {
        (bytes32 id, Sealed memory q) = _loadSealed(request);
        if (q.status != Status.Open) revert WrongStatus(id, q.status);
        if (block.timestamp > request.bidDeadline) revert NotInPhase(id, block.timestamp, 0, request.bidDeadline);
        if (commitment == bytes32(0)) revert ZeroCommitment();
        mapping(uint256 => BidLane) storage lanes = _lanes[msg.sender];
        if (!lanes[lane].isFree()) revert LaneBusy(msg.sender, lane);
        lanes[lane] = BidLaneLib.committed(id, commitment);
        uint96 bond = request.minCollateral;
        uint8 assetId = request.assetId;
        if (bond != 0) _takeCollateral(msg.sender, assetId, bond);
        emit BidCommitted(id, msg.sender, commitment, lane);
    }

    /// @notice See `IProverMarket`.
    function revealBid(Request calldata request, uint96 fee, uint32 latency, bytes32 salt, uint8 lane) external {
        (bytes32 id, Sealed memory q) = _loadSealed(request);
        if (q.status != Status.Open) revert WrongStatus(id, q.status);
        if (block.timestamp <= request.bidDeadline || block.timestamp > request.revealDeadline) {
            revert NotInPhase(id, block.timestamp, uint256(request.bidDeadline) + 1, request.revealDeadline);
        }
        RunnerUp runnerUp = _checkReveal(id, request, q, fee, latency, salt, lane);
        uint64 weight = request.latencyWeight;
        uint256 score = AuctionLib.score(fee, latency, weight);
        if (q.best == msg.sender || runnerUp.prover() == msg.sender) {
            // One address leads at most once (see `commitBid`): a further bid of a leading address is not ranked (it
            // cannot set the price or stand by for itself); its bond goes back like any bid that does not lead.
            _releaseBid(id, request, msg.sender, lane);
            emit BidRevealed(id, msg.sender, fee, latency, 0);
            return;
        }
        AuctionLib.Bid memory me = AuctionLib.Bid(msg.sender, fee, latency);
        uint8 rank = 1;
        if (q.best == address(0)) _takeLead(id, q, me, lane, 0);
        else if (request.onMiss == OnMiss.RunnerUp) rank = _insertKeepingRunnerUp(id, request, q, me, lane, score);
        else rank = _insert(id, request, q, me, lane, score);
        emit BidRevealed(id, msg.sender, fee, latency, rank);
    }

    /// @dev Checks a reveal against the caller's lane and the bid bounds. Returns `_runnerUp[id]` (read only with
    ///      `OnMiss.RunnerUp`).
    function _checkReveal(
        bytes32 id,
        Request calldata request,
        Sealed memory q,
        uint96 fee,
        uint32 latency,
        bytes32 salt,
        uint8 lane
    ) internal view returns (RunnerUp runnerUp) {
        if (request.onMiss == OnMiss.RunnerUp) runnerUp = _runnerUp[id];
        BidLane word = _lanes[msg.sender][lane];
        if (!word.eq(BidLaneLib.committed(id, AuctionLib.commitment(id, msg.sender, fee, latency, salt)))) {
            if (
                (q.best == msg.sender && q.lane == lane)
                    || (runnerUp.isSet() && runnerUp.eq(RunnerUpLib.at(msg.sender, lane)))
            ) {
                revert AlreadyRevealed(id, msg.sender);
            }
            if (!word.isCommitted()) revert NoCommitment(id, msg.sender);
            revert RevealMismatch(id, msg.sender);
        }
        if (fee < q.reserveFee || fee > request.maxFee || latency == 0 || latency > request.provingWindow) {
            revert BidOutOfRange(fee, q.reserveFee, request.maxFee, latency, request.provingWindow);
        }
    }

    /// @dev Makes `me` (in its `lane`) the best bid, with the second score + 1 `secondPlusOne` (0: none).
    function _takeLead(bytes32 id, Sealed memory q, AuctionLib.Bid memory me, uint8 lane, uint256 secondPlusOne)
        internal
    {
        _lanes[me.prover][lane] = BidLaneLib.held(me.fee, me.latency, secondPlusOne);
        (q.best, q.lane) = (me.prover, lane);
        _storeSealed(id, q);
    }

    /// @dev `OnMiss.OpenSecondary`, with a best bid already: only the best bid is kept (in its lane, with the second
    ///      score); every other revealed bid, including a best bid this one beats, gets its bond back and its lane
    ///      freed now.
    function _insert(
        bytes32 id,
        Request calldata req,
        Sealed memory q,
        AuctionLib.Bid memory me,
        uint8 lane,
        uint256 score
    ) internal returns (uint8 rank) {
        mapping(uint256 => BidLane) storage bestLanes = _lanes[q.best];
        (uint96 bestFee, uint32 bestLatency, uint256 secondPlusOne) = bestLanes[q.lane].bid();
        uint64 weight = req.latencyWeight;
        if (AuctionLib.beats(id, me, AuctionLib.Bid(q.best, bestFee, bestLatency), weight)) {
            // The old best becomes the second score; score < 2^97, so + 1 fits the 127-bit field.
            bestLanes[q.lane] = BidLaneLib.free();
            _releaseBond(id, req, q.best);
            _takeLead(id, q, me, lane, AuctionLib.score(bestFee, bestLatency, weight) + 1);
            return 1;
        }
        _lanes[me.prover][lane] = BidLaneLib.free();
        _releaseBond(id, req, me.prover);
        // A tie with the second score leaves it as it is.
        if (secondPlusOne == 0 || score + 1 < secondPlusOne) {
            bestLanes[q.lane] = BidLaneLib.held(bestFee, bestLatency, score + 1);
            return 2;
        }
        return 0;
    }

    /// @dev `OnMiss.RunnerUp`, with a best bid already: the best and the second-best bid are kept (bonds and lanes)
    ///      for the takeover; every other revealed bid gets its bond back and its lane freed now.
    function _insertKeepingRunnerUp(
        bytes32 id,
        Request calldata req,
        Sealed memory q,
        AuctionLib.Bid memory me,
        uint8 lane,
        uint256 score
    ) internal returns (uint8 rank) {
        uint64 weight = req.latencyWeight;
        (uint96 bestFee, uint32 bestLatency,) = _lanes[q.best][q.lane].bid();
        RunnerUp r = _runnerUp[id];
        address second = r.prover();
        if (AuctionLib.beats(id, me, AuctionLib.Bid(q.best, bestFee, bestLatency), weight)) {
            // The old best becomes the runner-up (its lane stays held); the old runner-up is released.
            if (second != address(0)) _releaseBid(id, req, second, r.lane());
            _runnerUp[id] = RunnerUpLib.at(q.best, q.lane);
            _takeLead(id, q, me, lane, AuctionLib.score(bestFee, bestLatency, weight) + 1);
            return 1;
        }
        if (second != address(0)) {
            uint8 secondLane = r.lane();
            (uint96 f, uint32 l,) = _lanes[second][secondLane].bid();
            if (!AuctionLib.beats(id, me, AuctionLib.Bid(second, f, l), weight)) {
                _lanes[me.prover][lane] = BidLaneLib.free();
                _releaseBond(id, req, me.prover);
                return 0;
            }
            _releaseBid(id, req, second, secondLane);
        }
        _runnerUp[id] = RunnerUpLib.at(me.prover, lane);
        _lanes[me.prover][lane] = BidLaneLib.held(me.fee, me.latency, 0);
        _lanes[q.best][q.lane] = BidLaneLib.held(bestFee, bestLatency, score + 1);
        return 2;
    }

    /// @notice See `IProverMarket`.
    function lockDutch(Request calldata request) external {
        (bytes32 id, Core memory c) = _load(request);
        _requireMode(id, request, Mode.Dutch);
        if (c.status != Status.Open) revert WrongStatus(id, c.status);
        uint40 bidDeadline = request.bidDeadline;
        if (block.timestamp > bidDeadline) revert NotInPhase(id, block.timestamp, c.createdAt, bidDeadline);
        uint96 price = uint96(_dutchPrice(request, c)); // <= maxFee
        uint32 window = request.provingWindow;
        uint256 deadline = block.timestamp + window;
        c.status = Status.Assigned;
        c.deadline = uint40(deadline);
        if (request.minFee >= c.reserveFee && deadline <= type(uint40).max) {
            // The ramp started at minFee, and the lock time is deadline - window: both follow from the terms and
            // this slot, so the prover takes the reserve's place and no second slot is written.
            _setLockedProver(c, msg.sender);
            _storeCore(id, c);
        } else {
            c.bestLatency = window;
            _storeCore(id, c);
            _best[id] = Slot(msg.sender, price);
        }
        uint96 collateral = request.minCollateral;
        uint8 assetId = request.assetId;
        if (collateral != 0) _takeCollateral(msg.sender, assetId, collateral);
        emit RequestAssigned(id, msg.sender, price, c.deadline, assetId, collateral);
    }

    /// @notice See `IProverMarket`.
    function fulfill(Request calldata request, uint256[8] calldata proof, uint256[] calldata publicInputs) external {
        (bytes32 id, uint96 fee, uint256 protocolFee) = _deliver(request);
        _verify(request, proof, publicInputs);
        // protocolFee <= fee (see `_pay`).
        unchecked {
            _credit(msg.sender, fee - protocolFee, protocolFee);
        }
        uint32 circuitId = _circuitIdOf(request);
        _bookUnits(circuitId, 1);
        uint96 collateral = _minCollateralOf(request);
        if (collateral != 0) _returnCollateral(msg.sender, _assetIdOf(request), collateral);
        if (_modeOf(request) == Mode.StandingAsk) askBook.restore(circuitId, msg.sender);
        if (_callbackGasLimitOf(request) != 0) _callback(id, request, publicInputs);
    }

    /// @notice See `IProverMarket`.
    function revealProof(Request calldata request, uint256[8] calldata proof, uint256[] calldata publicInputs)
        external
    {
        (bytes32 id, Core memory c) = _load(request);
        uint96 fee;
        if (c.status == Status.Open && request.mode == Mode.OpenRace) {
            fee = request.maxFee;
        } else if (c.status == Status.Secondary) {
            Slot memory s = _best[id];
            // The slashed prover cannot deliver late for the bounty taken from its own collateral.
            if (msg.sender == s.account) revert SlashedProverExcluded(msg.sender);
            fee = s.fee;
            delete _best[id];
        } else {
            revert WrongStatus(id, c.status);
        }
        if (block.timestamp > c.deadline) revert DeadlinePassed(c.deadline);
        bytes32 commitment = keccak256(abi.encode(id, msg.sender, proof));
        uint256 committedAt = _proofCommits[commitment];
        if (committedAt == 0) revert ProofNotCommitted(commitment);
        if (committedAt >= block.number) revert ProofCommittedThisBlock(commitment);
        uint256 first = _firstCommitBlock(c);
        // The first commitment has PROOF_REVEAL_BLOCKS to reveal before a later one may be paid.
        if (committedAt > first && block.number <= first + PROOF_REVEAL_BLOCKS) {
            revert EarlierCommitmentPending(id, first, first + PROOF_REVEAL_BLOCKS + 1);
        }
        _verify(request, proof, publicInputs);
        _setFirstCommitBlock(c, 0); // no longer needed: the slot keeps only the final state
        uint256 protocolFee = _pay(id, request, c, msg.sender, fee);
        // protocolFee <= fee (see `_pay`).
        unchecked {
            _credit(msg.sender, fee - protocolFee, protocolFee);
        }
        _bookUnits(_circuitIdOf(request), 1);
        if (_callbackGasLimitOf(request) != 0) _callback(id, request, publicInputs);
    }

    /// @dev Every window is bounded: a proving window in [1, MAX_WINDOW]; a sealed commit phase in [1, MAX_WINDOW] and a
    ///      reveal phase in [MIN_REVEAL_WINDOW, MAX_WINDOW]; a Dutch ramp in [1, MAX_WINDOW] (seconds).
    function _checkWindows(Request memory req) internal view {
        _checkWindow(req.provingWindow, 1, MAX_WINDOW);
        if (req.mode == Mode.SealedBid) {
            _checkWindow(_after(req.bidDeadline, block.timestamp), 1, MAX_WINDOW);
            _checkWindow(_after(req.revealDeadline, req.bidDeadline), MIN_REVEAL_WINDOW, MAX_WINDOW);
        } else if (req.mode == Mode.Dutch) {
            _checkWindow(_after(req.bidDeadline, block.timestamp), 1, MAX_WINDOW);
        }
    }

    /// @dev `end - start`, or 0 when `end` is not after `start`.
    function _after(uint256 end, uint256 start) internal pure returns (uint256) {
        return end > start ? end - start : 0;
    }

    function _checkWindow(uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert WindowOutOfRange(value, min, max);
    }

    /// @dev The reserve fee of `units` now: the circuit's reserve per unit after rolling its period if due. Books
    ///      nothing: only fulfilled work counts toward utilisation (`_bookUnits`), so a submission that is cancelled
    ///      or expires cannot move the reserve.
    function _reserveFee(uint32 circuitId, uint64 units) internal returns (uint256) {
        (FeeState memory f, bool changed) = _rolledFees(circuitId);
        if (f.provingUnits != units) (f.provingUnits, changed) = (units, true); // the first submission caches them
        if (changed) _fees[circuitId] = f;
        return uint256(f.reservePerUnit) * units;
    }
}
