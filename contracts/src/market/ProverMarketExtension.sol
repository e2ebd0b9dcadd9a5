// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ProverMarketBase} from "./ProverMarketBase.sol";
import {ICircuitRegistry} from "../interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {AuctionLib} from "../libraries/AuctionLib.sol";

/// @title ProverMarketExtension
/// @notice Cold paths of the prover market: cancellation, expiry, bond reclaim and forfeit, slashing, bounded
///         parameters and views. Only meaningful when DELEGATECALLed by `ProverMarket`; called directly it acts on
///         its own empty storage, which holds nothing of value.
contract ProverMarketExtension is ProverMarketBase {
    constructor(ICircuitRegistry registry_, ICollateralVault vault_) ProverMarketBase(address(0), registry_, vault_) {}

    /// @notice See `IProverMarket`.
    function cancelRequest(Request calldata request) external nonReentrant {
        Request calldata req = request;
        bytes32 id = _idOf(req);
        uint256 w = _rawCore(id);
        if (w == 0) revert UnknownRequest(id);
        if (msg.sender != req.requester) revert NotRequester(msg.sender);
        if (_isSealed(w)) {
            Sealed memory q = _decodeSealed(w);
            if (q.status != Status.Open || _sealedAwaitingSettlement(req, q)) revert WrongStatus(id, q.status);
            // The sealed form stays (its best-bid pointer is what `reclaimBond` reads).
            _storeRaw(id, w & ~uint256(0x7f) | uint256(uint8(Status.Cancelled)));
        } else {
            Status s = Status(uint8(w));
            if (s != Status.Open) revert WrongStatus(id, s);
            _core[id].status = Status.Cancelled;
        }
        _balances[req.requester] += req.maxFee;
        emit RequestCancelled(id, req.requester, req.maxFee);
    }

    /// @notice See `IProverMarket`.
    function expire(Request calldata request) external nonReentrant {
        Request calldata req = request;
        bytes32 id = _idOf(req);
        uint256 w = _rawCore(id);
        if (w == 0) revert UnknownRequest(id);
        if (_isSealed(w)) {
            Sealed memory q = _decodeSealed(w);
            // Open after the reveal phase with no reveal (with one, the winner is determined and may still prove).
            if (q.status != Status.Open || block.timestamp <= req.revealDeadline || q.best != address(0)) {
                revert NotExpirable(id);
            }
            _storeRaw(id, w & ~uint256(0x7f) | uint256(uint8(Status.Expired)));
            _balances[req.requester] += req.maxFee;
            emit RequestExpired(id, req.requester, req.maxFee, 0);
            return;
        }
        Core memory c = _loadCore(id);
        bool expirable;
        if (c.status == Status.Open) {
            if (req.mode == Mode.Dutch) expirable = block.timestamp > req.bidDeadline;
            else if (req.mode == Mode.OpenRace) expirable = block.timestamp > c.deadline;
        } else if (c.status == Status.Secondary) {
            expirable = block.timestamp > c.deadline;
        }
        if (!expirable) revert NotExpirable(id);
        _core[id].status = Status.Expired;
        _balances[req.requester] += req.maxFee;
        uint256 bounty;
        if (c.flags & HAS_BOUNTY != 0) {
            bounty = _bounty[id];
            if (bounty != 0) {
                delete _bounty[id];
                vault.transferClaimable(req.assetId, _params.treasury, bounty);
            }
        }
        emit RequestExpired(id, req.requester, req.maxFee, bounty);
    }

    /// @notice See `IProverMarket`.
    function reclaimBond(Request calldata request, uint8 lane, bytes32 commitment) external nonReentrant {
        Request calldata req = request;
        bytes32 id = _idOf(req);
        uint256 w = _rawCore(id);
        if (w == 0) revert UnknownRequest(id);
        Status s = Status(uint8(w & 0x7f));
        if (s != Status.Cancelled) revert WrongStatus(id, s);
        // Only sealed auctions take bonds, and they are cancelled in the sealed form.
        if (!_isSealed(w)) revert NoCommitment(id, msg.sender);
        Sealed memory q = _decodeSealed(w);
        if (q.best == msg.sender && q.lane == lane) {
            (q.best, q.lane) = (address(0), 0);
            _storeSealed(id, q);
        } else if (req.onMiss == OnMiss.RunnerUp && _runnerUp[id] == _pointer(msg.sender, lane)) {
            delete _runnerUp[id];
        } else if (_lanes[msg.sender][lane] != _laneCommitment(id, commitment)) {
            // Never committed here, or already reclaimed; a revealed bid outside the lead was released at reveal.
            revert NoCommitment(id, msg.sender);
        }
        _releaseBid(id, req, msg.sender, lane);
    }

    /// @notice See `IProverMarket`.
    function forfeitBond(Request calldata request, address prover, uint8 lane, bytes32 commitment)
        external
        nonReentrant
    {
        Request calldata req = request;
        bytes32 id = _idOf(req);
        uint256 w = _rawCore(id);
        if (w == 0) revert UnknownRequest(id);
        _requireMode(id, req, Mode.SealedBid);
        Status s = Status(uint8(w & 0x7f));
        if (s == Status.Cancelled) revert WrongStatus(id, s);
        if (block.timestamp <= req.revealDeadline) {
            revert NotInPhase(id, block.timestamp, uint256(req.revealDeadline) + 1, type(uint40).max);
        }
        if (_lanes[prover][lane] != _laneCommitment(id, commitment)) {
            if (_leadingAs(id, w, prover, lane, req.onMiss == OnMiss.RunnerUp) != BidStatus.None) {
                revert AlreadyRevealed(id, prover);
            }
            revert NoCommitment(id, prover);
        }
        _freeLane(prover, lane);
        if (req.minCollateral != 0) vault.slash(prover, req.assetId, req.minCollateral, req.requester, id);
        emit BondForfeited(id, prover, req.assetId, req.minCollateral, req.requester);
    }

    /// @dev Whether `prover`'s lane `lane` holds the best bid (`Best`) or the kept runner-up (`RunnerUp`) of request
    ///      `id` (core word `w`), else `None`. `_runnerUp` is only read when `withRunnerUp`.
    function _leadingAs(bytes32 id, uint256 w, address prover, uint8 lane, bool withRunnerUp)
        internal
        view
        returns (BidStatus)
    {
        if (_isSealed(w)) {
            Sealed memory q = _decodeSealed(w);
            if (q.best == prover && q.lane == lane) return BidStatus.Best;
        }
        if (withRunnerUp && _runnerUp[id] == _pointer(prover, lane)) return BidStatus.RunnerUp;
        return BidStatus.None;
    }

    /// @notice See `IProverMarket`.
    function slash(Request calldata request) external nonReentrant {
        Request calldata req = request;
        bytes32 id = _idOf(req);
        uint256 w = _rawCore(id);
        if (w == 0) revert UnknownRequest(id);
        Core memory c;
        Slot memory assigned;
        bool sealedForm = _isSealed(w);
        if (sealedForm) {
            Sealed memory q = _decodeSealed(w);
            uint96 payment;
            if (_sealedAwaitingSettlement(req, q)) payment = _settle(id, req, q, false);
            else if (q.status == Status.Assigned) (, payment,,) = _sealedAssignment(req, q);
            else revert WrongStatus(id, q.status);
            if (block.timestamp <= q.deadline) revert DeadlineNotPassed(q.deadline);
            assigned = Slot(q.best, payment);
            _freeLane(q.best, q.lane);
            // From here on the plain form: `_best` holds whoever is assigned next.
            c.status = Status.Assigned;
            c.deadline = q.deadline;
        } else {
            c = _loadCore(id);
            if (c.status != Status.Assigned) revert WrongStatus(id, c.status);
            if (block.timestamp <= c.deadline) revert DeadlineNotPassed(c.deadline);
            assigned = _assignment(id, req, c);
            if (c.flags & LOCKED != 0) {
                // Back to the plain form: the packed prover leaves the reserve's place (the reserve was below minFee
                // and is no longer needed) and the price is stored below for the secondary delivery.
                (c.reserveFee, c.bestLatency, c.secondLatency) = (0, 0, 0);
                c.flags &= ~LOCKED;
            }
        }
        (uint256 toRequester, uint256 toBounty) = _slashCollateral(id, req, assigned.account, c);
        uint256 amount = req.minCollateral;
        uint256 r = sealedForm && req.onMiss == OnMiss.RunnerUp ? _runnerUp[id] : 0;
        if (r != 0) {
            _handOver(id, req, c, r);
            emit ProverSlashed(id, assigned.account, req.assetId, amount, toRequester, toBounty, Status.Assigned);
            emit RequestAssigned(id, _best[id].account, _best[id].fee, c.deadline, req.assetId, req.minCollateral);
        } else {
            c.status = Status.Secondary;
            c.deadline = uint40(block.timestamp + req.provingWindow);
            _storeCore(id, c);
            // Nobody is assigned any more; the fee stays for whoever delivers.
            _best[id] = Slot(address(0), assigned.fee);
            emit ProverSlashed(id, assigned.account, req.assetId, amount, toRequester, toBounty, Status.Secondary);
            emit SecondaryOpened(id, c.deadline, assigned.fee, _bounty[id]);
        }
    }

    /// @dev Splits the assigned prover's collateral between the requester and the delivery bounty.
    function _slashCollateral(bytes32 id, Request calldata req, address prover, Core memory c)
        internal
        returns (uint256 toRequester, uint256 toBounty)
    {
        uint256 amount = req.minCollateral;
        toRequester = amount * _params.slashRequesterBps / BPS;
        toBounty = amount - toRequester;
        if (toRequester != 0) vault.slash(prover, req.assetId, toRequester, req.requester, id);
        if (toBounty != 0) {
            vault.slash(prover, req.assetId, toBounty, address(this), id);
            _bounty[id] += toBounty;
            c.flags |= HAS_BOUNTY;
        }
    }

    /// @dev The kept runner-up (`r` = `_runnerUp[id]`) takes the job: its bond, locked since its reveal, becomes its
    ///      job collateral, and it is paid its own fee. Its lane is freed (`_best` holds it from here on).
    function _handOver(bytes32 id, Request calldata, Core memory c, uint256 r) internal {
        delete _runnerUp[id];
        address runnerUp = address(uint160(r));
        uint8 lane = uint8(r >> 160);
        (uint96 fee, uint32 latency,) = _heldBid(_lanes[runnerUp][lane]);
        _freeLane(runnerUp, lane);
        c.deadline = uint40(block.timestamp + latency);
        c.bestLatency = latency;
        _storeCore(id, c);
        _best[id] = Slot(runnerUp, fee);
    }

    /// @notice See `IProverMarket`.
    function openBidLanes(uint8 firstLane, uint8 count) external nonReentrant {
        uint256 end = uint256(firstLane) + count;
        if (count == 0 || end > 256) revert ParamOutOfRange(count, 1, 256 - uint256(firstLane));
        mapping(uint256 => uint256) storage lanes = _lanes[msg.sender];
        for (uint256 i = firstLane; i < end; ++i) {
            if (lanes[i] == 0) lanes[i] = LANE_FREE;
        }
        emit BidLanesOpened(msg.sender, firstLane, count);
    }

    /// @notice See `IProverMarket`.
    function reserveCollateral(uint8 assetId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        vault.lock(msg.sender, assetId, amount); // reverts on an unknown asset or a short free balance
        emit CollateralReserved(msg.sender, assetId, amount, _creditBondBalance(msg.sender, assetId, amount));
    }

    /// @notice See `IProverMarket`.
    function releaseCollateral(uint8 assetId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        emit CollateralReleased(msg.sender, assetId, amount, _debitBondBalance(msg.sender, assetId, amount));
        vault.unlock(msg.sender, assetId, amount);
    }

    /// @notice Sets where protocol fees and unclaimed bounties go.
    function setTreasury(address treasury) external onlyOwner {
        if (treasury == address(0)) revert ZeroAddress();
        _params.treasury = treasury;
        emit TreasurySet(treasury);
    }

    /// @notice Sets the protocol fee, at most `MAX_PROTOCOL_FEE_BPS`.
    function setProtocolFee(uint16 bps) external onlyOwner {
        if (bps > MAX_PROTOCOL_FEE_BPS) revert ParamOutOfRange(bps, 0, MAX_PROTOCOL_FEE_BPS);
        _params.protocolFeeBps = bps;
        emit ProtocolFeeSet(bps);
    }

    /// @notice Sets the share of a slash that compensates the requester (the rest is the delivery bounty).
    function setSlashRequesterShare(uint16 bps) external onlyOwner {
        if (bps > BPS) revert ParamOutOfRange(bps, 0, BPS);
        _params.slashRequesterBps = bps;
        emit SlashRequesterShareSet(bps);
    }

    /// @notice Sets the reserve period, floor, ceiling and the default per-circuit target.
    function setReserveParams(uint32 period, uint96 minPerUnit, uint96 maxPerUnit, uint56 defaultTargetUnits)
        external
        onlyOwner
    {
        if (period < MIN_RESERVE_PERIOD || period > MAX_RESERVE_PERIOD) {
            revert ParamOutOfRange(period, MIN_RESERVE_PERIOD, MAX_RESERVE_PERIOD);
        }
        if (maxPerUnit > MAX_RESERVE_PER_UNIT) revert ParamOutOfRange(maxPerUnit, 0, MAX_RESERVE_PER_UNIT);
        if (minPerUnit > maxPerUnit) revert ParamOutOfRange(minPerUnit, 0, maxPerUnit);
        if (defaultTargetUnits == 0) revert ParamOutOfRange(0, 1, type(uint56).max);
        _params.reservePeriod = period;
        _reserve = ReserveParams(minPerUnit, maxPerUnit, defaultTargetUnits);
        emit ReserveParamsSet(period, minPerUnit, maxPerUnit, defaultTargetUnits);
    }

    /// @notice Sets a circuit's target utilization (proving units per reserve period).
    function setCircuitTarget(uint32 circuitId, uint56 targetUnits) external onlyOwner {
        if (targetUnits == 0) revert ParamOutOfRange(0, 1, type(uint56).max);
        registry.circuitTerms(circuitId);
        FeeState memory f = _fees[circuitId];
        if (f.periodStart == 0) {
            f.reservePerUnit = _reserve.minPerUnit;
            f.periodStart = uint40(block.timestamp);
        }
        f.targetUnits = targetUnits;
        _fees[circuitId] = f;
        emit CircuitTargetSet(circuitId, targetUnits);
    }

    /// @notice See `IProverMarket`.
    function requestIdOf(Request calldata request) external pure returns (bytes32) {
        return keccak256(abi.encode(request));
    }

    /// @notice See `IProverMarket`.
    function bidCommitment(bytes32 requestId, address prover, uint96 fee, uint32 latency, bytes32 salt)
        external
        pure
        returns (bytes32)
    {
        return AuctionLib.commitment(requestId, prover, fee, latency, salt);
    }

    /// @notice See `IProverMarket`.
    function proofCommitment(bytes32 requestId, address submitter, uint256[8] calldata proof)
        external
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(requestId, submitter, proof));
    }

    /// @notice See `IProverMarket`.
    function requestState(bytes32 requestId) external view returns (RequestView memory v) {
        uint256 w = _rawCore(requestId);
        if (_isSealed(w)) {
            Sealed memory q = _decodeSealed(w);
            v.status = q.status;
            v.deadline = q.deadline;
            v.reserveFee = q.reserveFee;
            v.prover = q.best;
            v.proverLane = q.lane;
            if (q.best != address(0)) {
                uint256 secondPlusOne;
                (v.fee, v.proverLatency, secondPlusOne) = _heldBid(_lanes[q.best][q.lane]);
                // secondPlusOne >= 1 when non-zero.
                unchecked {
                    if (secondPlusOne != 0) v.secondScore = secondPlusOne - 1;
                }
            }
            uint256 r = _runnerUp[requestId];
            if (r != 0) {
                v.runnerUp = address(uint160(r));
                (v.runnerUpFee, v.runnerUpLatency,) = _heldBid(_lanes[v.runnerUp][uint8(r >> 160)]);
            }
            return v;
        }
        Core memory c = _loadCore(requestId);
        Slot memory b;
        if (c.flags & LOCKED != 0) {
            // A locked Dutch job: the prover is packed into the core slot; its price follows from the terms and the
            // lock time (`dutchPrice(request)`, and `RequestAssigned`), and the reserve (below minFee) is not kept.
            b.account = _lockedProver(c);
            (c.reserveFee, c.bestLatency, c.secondLatency) = (0, 0, 0);
        } else {
            b = _best[requestId];
        }
        v.status = c.status;
        v.createdAt = c.createdAt;
        v.deadline = c.deadline;
        v.reserveFee = c.reserveFee;
        v.prover = b.account;
        v.fee = b.fee;
        v.proverLatency = c.bestLatency;
        v.bounty = _bounty[requestId];
    }

    /// @notice See `IProverMarket`.
    function bidStatus(bytes32 requestId, address prover, uint8 lane, bytes32 commitment)
        external
        view
        returns (BidStatus)
    {
        uint256 word = _lanes[prover][lane];
        if (word == _laneCommitment(requestId, commitment)) return BidStatus.Committed;
        if (word < LANE_HELD) return BidStatus.None;
        return _leadingAs(requestId, _rawCore(requestId), prover, lane, true);
    }

    /// @notice See `IProverMarket`.
    function bidLane(address prover, uint8 lane) external view returns (uint256) {
        return _lanes[prover][lane];
    }

    /// @notice See `IProverMarket`.
    function proofCommitBlock(bytes32 commitment) external view returns (uint256) {
        return _proofCommits[commitment];
    }

    /// @notice See `IProverMarket`.
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @notice See `IProverMarket`.
    function bondBalance(address prover, uint8 assetId) external view returns (uint256) {
        return _bondBalanceOf(prover, assetId);
    }

    /// @notice See `IProverMarket`.
    function dutchPrice(Request calldata request) external view returns (uint256) {
        (bytes32 id, Core memory c) = _load(request);
        // Other modes have no ramp (and a sealed request's slot is not in the plain form `_load` decodes).
        _requireMode(id, request, Mode.Dutch);
        // A locked job's price is fixed: the ramp at its lock time.
        if (c.flags & LOCKED != 0) return _lockedPrice(request, c);
        if (c.status == Status.Assigned || c.status == Status.Secondary) {
            return _best[id].fee;
        }
        return _dutchPrice(request, c);
    }

    /// @notice See `IProverMarket`.
    function feeState(uint32 circuitId) external view returns (FeeState memory) {
        return _fees[circuitId];
    }

    /// @notice Treasury, protocol fee, slash share and reserve parameters.
    function params()
        external
        view
        returns (
            address treasury,
            uint16 protocolFeeBps,
            uint16 slashRequesterBps,
            uint32 reservePeriod,
            uint96 minReservePerUnit,
            uint96 maxReservePerUnit,
            uint56 defaultTargetUnits
        )
    {
        Params memory p = _params;
        ReserveParams memory r = _reserve;
        return (
            p.treasury,
            p.protocolFeeBps,
            p.slashRequesterBps,
            p.reservePeriod,
            r.minPerUnit,
            r.maxPerUnit,
            r.defaultTargetUnits
        );
    }
}
