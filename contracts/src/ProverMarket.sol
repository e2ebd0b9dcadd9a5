// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ProverMarketBase} from "./market/ProverMarketBase.sol";
import {ICircuitRegistry} from "./interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {IAskBook} from "./interfaces/IAskBook.sol";
import {AskBook} from "./AskBook.sol";
import {AuctionLib} from "./libraries/AuctionLib.sol";
import {ReserveLib} from "./libraries/ReserveLib.sol";
import {SafeTransferLib} from "solady/utils/SafeTransferLib.sol";

/// @title ProverMarket
/// @notice Allocates Groth16 proof jobs to provers (sealed-bid second-score auction, reverse Dutch, standing asks,
///         open race), escrows fees, verifies proofs through the circuit's verifier, pays by pull, and slashes
///         collateral in the `CollateralVault` when a deadline is missed. Its full ABI is `IProverMarket`.
/// @dev The hot paths (submission, bidding, locking, proofs) live here; cancellation, expiry, bond settlement,
///      slashing, parameters and views live in `ProverMarketExtension`, reached through `fallback` by DELEGATECALL
///      (EIP-170 caps one contract at 24 KiB). Both inherit `ProverMarketBase`, hence the same storage layout.
contract ProverMarket is ProverMarketBase {
    /// @notice The standing-ask orderbook (deployed by this contract's constructor).
    IAskBook public immutable askBook;
    /// @notice Code for the cold paths, executed in this contract's context.
    address public immutable extension;

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
        askBook = new AskBook(registry_, vault_, address(this));
        _params = Params({treasury: treasury_, protocolFeeBps: 0, slashRequesterBps: 5_000, reservePeriod: 1 hours});
        _reserve = ReserveParams({minPerUnit: 1, maxPerUnit: MAX_RESERVE_PER_UNIT, defaultTargetUnits: 1 << 24});
        emit TreasurySet(treasury_);
        emit ProtocolFeeSet(0);
        emit SlashRequesterShareSet(5_000);
        emit ReserveParamsSet(1 hours, 1, MAX_RESERVE_PER_UNIT, 1 << 24);
    }

    /// @notice Plain ETH transfers revert: the market takes ETH only as a request's escrow (`submitRequest`).
    receive() external payable {
        revert();
    }

    /// @notice Runs every other `IProverMarket` function from the extension's code on this contract's storage.
    /// @dev Payable, so that it does not check `msg.value` before the extension does: no extension function is
    ///      payable, so each reverts on a value itself (under DELEGATECALL `msg.value` is the caller's).
    fallback() external payable {
        address ext = extension;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), ext, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @notice See `IProverMarket`.
    function submitRequest(
        Request calldata request,
        bytes calldata input,
        string calldata inputUri,
        uint256[] calldata publicInputs
    ) external payable nonReentrant returns (bytes32 id) {
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
        if (publicInputs.length != 0 && keccak256(abi.encodePacked(publicInputs)) != req.publicInputsHash) {
            revert PublicInputsMismatch();
        }
    }

    /// @dev Validates the terms and the escrow, books the reserve. Returns the id, proving units and reserve fee.
    function _admit(Request calldata request) internal returns (bytes32 id, uint256 units, uint256 reserveFee) {
        Request memory req = request;
        if (req.requester != msg.sender) revert NotRequester(msg.sender);
        if (msg.value != req.maxFee) revert WrongEscrow(msg.value, req.maxFee);
        id = _idOfMemory(req); // the decoded (validated) terms: the canonical id that every later call derives
        if (_rawCore(id) != 0) revert RequestExists(id);
        _checkWindows(req);
        (address verifier, uint64 u) = registry.circuitTerms(req.circuitId);
        if (verifier != req.verifier) revert VerifierNotActive(req.verifier, verifier);
        units = u;
        reserveFee = _takeReserve(req.circuitId, u);
        if (req.maxFee < reserveFee) revert MaxFeeBelowReserve(req.maxFee, reserveFee);
    }

    /// @dev Writes the request's state; standing-ask requests are matched here.
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
                req.circuitId, units, reserveFee, req.maxFee, req.provingWindow, req.assetId, req.minCollateral
            );
            c.status = Status.Assigned;
            c.deadline = uint40(block.timestamp + m.latency);
            c.bestLatency = m.latency;
            _best[id] = Slot(m.prover, m.fee);
            if (req.minCollateral != 0) _takeCollateral(m.prover, req.assetId, req.minCollateral);
            emit RequestAssigned(id, m.prover, m.fee, c.deadline, req.assetId, req.minCollateral);
        }
        _storeCore(id, c);
    }

    /// @notice See `IProverMarket`.
    function commitBid(Request calldata request, bytes32 commitment, uint8 lane) external nonReentrant {
        (bytes32 id, Sealed memory q) = _loadSealed(request);
        if (q.status != Status.Open) revert WrongStatus(id, q.status);
        if (block.timestamp > request.bidDeadline) revert NotInPhase(id, block.timestamp, 0, request.bidDeadline);
        if (commitment == bytes32(0)) revert ZeroCommitment();
        mapping(uint256 => uint256) storage lanes = _lanes[msg.sender];
        if (lanes[lane] > LANE_FREE) revert LaneBusy(msg.sender, lane);
        lanes[lane] = _laneCommitment(id, commitment);
        uint96 bond = request.minCollateral;
        uint8 assetId = request.assetId;
        if (bond != 0) _takeCollateral(msg.sender, assetId, bond);
        emit BidCommitted(id, msg.sender, commitment, lane, assetId, bond);
    }

    /// @notice See `IProverMarket`.
    function revealBid(Request calldata request, uint96 fee, uint32 latency, bytes32 salt, uint8 lane)
        external
        nonReentrant
    {
        (bytes32 id, Sealed memory q) = _loadSealed(request);
        if (q.status != Status.Open) revert WrongStatus(id, q.status);
        if (block.timestamp <= request.bidDeadline || block.timestamp > request.revealDeadline) {
            revert NotInPhase(id, block.timestamp, uint256(request.bidDeadline) + 1, request.revealDeadline);
        }
        uint256 runnerUp = _checkReveal(id, request, q, fee, latency, salt, lane);
        uint64 weight = request.latencyWeight;
        uint256 score = AuctionLib.score(fee, latency, weight);
        if (q.best == msg.sender || address(uint160(runnerUp)) == msg.sender) {
            // One address leads at most once (see `commitBid`): a further bid of a leading address is not ranked (it
            // cannot set the price or stand by for itself); its bond goes back like any bid that does not lead.
            _releaseBid(id, request, msg.sender, lane);
            emit BidRevealed(id, msg.sender, fee, latency, score, 0);
            return;
        }
        AuctionLib.Bid memory me = AuctionLib.Bid(msg.sender, fee, latency);
        uint8 rank = 1;
        if (q.best == address(0)) _takeLead(id, q, me, lane, 0);
        else if (request.onMiss == OnMiss.RunnerUp) rank = _insertKeepingRunnerUp(id, request, q, me, lane, score);
        else rank = _insert(id, request, q, me, lane, score);
        emit BidRevealed(id, msg.sender, fee, latency, score, rank);
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
    ) internal view returns (uint256 runnerUp) {
        if (request.onMiss == OnMiss.RunnerUp) runnerUp = _runnerUp[id];
        uint256 word = _lanes[msg.sender][lane];
        if (word != _laneCommitment(id, AuctionLib.commitment(id, msg.sender, fee, latency, salt))) {
            if ((q.best == msg.sender && q.lane == lane) || (runnerUp != 0 && runnerUp == _pointer(msg.sender, lane))) {
                revert AlreadyRevealed(id, msg.sender);
            }
            if (word <= LANE_FREE || word >= LANE_HELD) revert NoCommitment(id, msg.sender);
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
        _lanes[me.prover][lane] = _held(me.fee, me.latency, secondPlusOne);
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
        mapping(uint256 => uint256) storage bestLanes = _lanes[q.best];
        uint256 bestWord = bestLanes[q.lane];
        (uint96 bestFee, uint32 bestLatency, uint256 secondPlusOne) = _heldBid(bestWord);
        uint64 weight = req.latencyWeight;
        if (AuctionLib.beats(id, me, AuctionLib.Bid(q.best, bestFee, bestLatency), weight)) {
            // The old best becomes the second score; score < 2^97, so + 1 fits the 127-bit field.
            bestLanes[q.lane] = LANE_FREE;
            _releaseBond(id, req, q.best);
            _takeLead(id, q, me, lane, AuctionLib.score(bestFee, bestLatency, weight) + 1);
            return 1;
        }
        _lanes[me.prover][lane] = LANE_FREE;
        _releaseBond(id, req, me.prover);
        // A tie with the second score leaves it as it is.
        if (secondPlusOne == 0 || score + 1 < secondPlusOne) {
            bestLanes[q.lane] = _held(bestFee, bestLatency, score + 1);
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
        (uint96 bestFee, uint32 bestLatency,) = _heldBid(_lanes[q.best][q.lane]);
        uint256 r = _runnerUp[id];
        address second = address(uint160(r));
        if (AuctionLib.beats(id, me, AuctionLib.Bid(q.best, bestFee, bestLatency), weight)) {
            // The old best becomes the runner-up (its lane stays held); the old runner-up is released.
            if (second != address(0)) _releaseBid(id, req, second, uint8(r >> 160));
            _runnerUp[id] = _pointer(q.best, q.lane);
            _takeLead(id, q, me, lane, AuctionLib.score(bestFee, bestLatency, weight) + 1);
            return 1;
        }
        if (second != address(0)) {
            uint8 secondLane = uint8(r >> 160);
            (uint96 f, uint32 l,) = _heldBid(_lanes[second][secondLane]);
            if (!AuctionLib.beats(id, me, AuctionLib.Bid(second, f, l), weight)) {
                _lanes[me.prover][lane] = LANE_FREE;
                _releaseBond(id, req, me.prover);
                return 0;
            }
            _releaseBid(id, req, second, secondLane);
        }
        _runnerUp[id] = _pointer(me.prover, lane);
        _lanes[me.prover][lane] = _held(me.fee, me.latency, 0);
        _lanes[q.best][q.lane] = _held(bestFee, bestLatency, score + 1);
        return 2;
    }

    /// @notice See `IProverMarket`.
    function settle(Request calldata request) external nonReentrant {
        (bytes32 id, Sealed memory q) = _loadSealed(request);
        if (q.status != Status.Open) revert WrongStatus(id, q.status);
        _settle(id, request, q, true);
        _storeSealed(id, q);
    }

    /// @notice See `IProverMarket`.
    function lockDutch(Request calldata request) external nonReentrant {
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
    function fulfill(Request calldata request, uint256[8] calldata proof, uint256[] calldata publicInputs)
        external
        nonReentrant
    {
        bytes32 id = _idOf(request);
        uint256 w = _rawCore(id);
        if (_isSealed(w)) {
            _fulfillSealed(id, request, _decodeSealed(w), proof, publicInputs);
            return;
        }
        Core memory c = _loadCore(id);
        if (c.status == Status.None) revert UnknownRequest(id);
        if (c.status != Status.Assigned) revert WrongStatus(id, c.status);
        Slot memory assigned = _assignment(id, request, c);
        if (msg.sender != assigned.account) revert NotAssignedProver(msg.sender, assigned.account);
        if (block.timestamp > c.deadline) revert DeadlinePassed(c.deadline);
        _verify(request, proof, publicInputs);

        bool locked = c.flags & LOCKED != 0;
        _pay(id, request, c, msg.sender, assigned.fee);
        // The assignment is final: clear it (the events keep the record) for the storage refund.
        if (!locked) delete _best[id];
        uint96 collateral = request.minCollateral;
        if (collateral != 0) _returnCollateral(msg.sender, request.assetId, collateral);
        if (request.mode == Mode.StandingAsk) askBook.restore(request.circuitId, msg.sender);
    }

    /// @dev `fulfill` of a sealed auction before any slash: settles it on the way if nobody did.
    function _fulfillSealed(
        bytes32 id,
        Request calldata request,
        Sealed memory q,
        uint256[8] calldata proof,
        uint256[] calldata publicInputs
    ) internal {
        uint96 payment;
        if (_sealedAwaitingSettlement(request, q)) {
            payment = _settle(id, request, q, false);
        } else if (q.status == Status.Assigned) {
            (, payment,,) = _sealedAssignment(request, q);
        } else {
            revert WrongStatus(id, q.status);
        }
        if (msg.sender != q.best) revert NotAssignedProver(msg.sender, q.best);
        if (block.timestamp > q.deadline) revert DeadlinePassed(q.deadline);
        _verify(request, proof, publicInputs);

        Core memory c;
        c.deadline = q.deadline;
        _pay(id, request, c, msg.sender, payment);
        _freeLane(msg.sender, q.lane);
        uint96 collateral = request.minCollateral;
        if (collateral != 0) _returnCollateral(msg.sender, request.assetId, collateral);
        if (request.onMiss == OnMiss.RunnerUp) {
            uint256 r = _runnerUp[id];
            if (r != 0) {
                delete _runnerUp[id];
                _releaseBid(id, request, address(uint160(r)), uint8(r >> 160));
            }
        }
    }

    /// @notice See `IProverMarket`.
    function commitProof(bytes32 requestId, bytes32 commitment) external nonReentrant {
        if (_rawCore(requestId) == 0) revert UnknownRequest(requestId);
        if (commitment == bytes32(0)) revert ZeroCommitment();
        if (_proofCommits[commitment] != 0) revert ProofAlreadyCommitted(commitment);
        _proofCommits[commitment] = block.number;
        emit ProofCommitted(requestId, msg.sender, commitment, block.number);
    }

    /// @notice See `IProverMarket`.
    function revealProof(Request calldata request, uint256[8] calldata proof, uint256[] calldata publicInputs)
        external
        nonReentrant
    {
        (bytes32 id, Core memory c) = _load(request);
        uint96 fee;
        if (c.status == Status.Open && request.mode == Mode.OpenRace) {
            fee = request.maxFee;
        } else if (c.status == Status.Secondary) {
            fee = _best[id].fee;
            delete _best[id];
        } else {
            revert WrongStatus(id, c.status);
        }
        if (block.timestamp > c.deadline) revert DeadlinePassed(c.deadline);
        bytes32 commitment = keccak256(abi.encode(id, msg.sender, proof));
        uint256 committedAt = _proofCommits[commitment];
        if (committedAt == 0) revert ProofNotCommitted(commitment);
        if (committedAt >= block.number) revert ProofCommittedThisBlock(commitment);
        _verify(request, proof, publicInputs);
        _pay(id, request, c, msg.sender, fee);
    }

    /// @dev The id and sealed-form state of a sealed-bid request (reverts for other modes and after a slash).
    function _loadSealed(Request calldata request) internal view returns (bytes32 id, Sealed memory q) {
        id = _idOf(request);
        uint256 w = _rawCore(id);
        if (w == 0) revert UnknownRequest(id);
        _requireMode(id, request, Mode.SealedBid);
        if (!_isSealed(w)) revert WrongStatus(id, Status(uint8(w)));
        q = _decodeSealed(w);
    }

    /// @notice See `IProverMarket`.
    function withdraw(uint256 amount, address to) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        uint256 bal = _balances[msg.sender];
        if (amount == 0 || amount > bal) revert InsufficientBalance(amount, bal);
        // amount <= bal.
        unchecked {
            _balances[msg.sender] = bal - amount;
        }
        emit Withdrawn(msg.sender, to, amount);
        SafeTransferLib.safeTransferETH(to, amount);
    }

    function _checkWindows(Request memory req) internal view {
        if (req.provingWindow == 0) revert BadWindows();
        if (req.mode == Mode.SealedBid) {
            if (req.bidDeadline <= block.timestamp || req.revealDeadline <= req.bidDeadline) revert BadWindows();
        } else if (req.mode == Mode.Dutch) {
            if (req.bidDeadline <= block.timestamp) revert BadWindows();
        }
    }

    /// @dev Rolls the circuit's reserve period if due, books `units` into it, returns reserve * units.
    function _takeReserve(uint32 circuitId, uint64 units) internal returns (uint256) {
        FeeState memory f = _fees[circuitId];
        if (f.periodStart == 0) {
            ReserveParams memory r = _reserve;
            f.reservePerUnit = r.minPerUnit;
            f.periodStart = uint40(block.timestamp);
            f.targetUnits = r.defaultTargetUnits;
        } else {
            uint256 period = _params.reservePeriod;
            if (block.timestamp >= f.periodStart + period) {
                ReserveParams memory r = _reserve;
                uint256 n = (block.timestamp - f.periodStart) / period;
                uint256 next =
                    ReserveLib.roll(f.reservePerUnit, f.usedUnits, f.targetUnits, n - 1, r.minPerUnit, r.maxPerUnit);
                uint40 start = uint40(f.periodStart + n * period);
                emit ReservePriceUpdated(circuitId, f.reservePerUnit, next, start, f.usedUnits);
                f.reservePerUnit = uint96(next); // <= maxPerUnit <= MAX_RESERVE_PER_UNIT
                f.periodStart = start;
                f.usedUnits = 0;
            }
        }
        uint256 used = uint256(f.usedUnits) + units;
        f.usedUnits = used > type(uint64).max ? type(uint64).max : uint64(used);
        _fees[circuitId] = f;
        return uint256(f.reservePerUnit) * units;
    }
}
