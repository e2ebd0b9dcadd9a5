// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ProverMarketBase} from "./ProverMarketBase.sol";
import {ICircuitRegistry} from "../interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IAskBook} from "../interfaces/IAskBook.sol";
import {IProverMarket} from "../interfaces/IProverMarket.sol";
import {ProverMarketViews} from "./ProverMarketViews.sol";
import {ProverMarketBatch} from "./ProverMarketBatch.sol";
import {BidLane, BidLaneLib} from "../types/BidLane.sol";
import {RunnerUp} from "../types/RunnerUp.sol";
import {RequestWord} from "../types/RequestWord.sol";
import {SafeTransferLib} from "solady/utils/SafeTransferLib.sol";

/// @title ProverMarketExtension
/// @notice Cold paths of the prover market: cancellation, expiry, bond forfeit, match declines, slashing, bounded
///         parameters and views. Only meaningful when DELEGATECALLed by `ProverMarket`; called directly it acts on
///         its own empty storage, which holds nothing of value.
contract ProverMarketExtension is ProverMarketBase {
    /// @notice The views of the market (`ProverMarketViews`, deployed by this constructor), reached by a second
    ///         DELEGATECALL from this contract's fallback: the market's code is split in four for EIP-170.
    address public immutable views;
    /// @notice The code of the market's `fulfillBatch` (`ProverMarketBatch`, deployed by this constructor), which the
    ///         market reaches by DELEGATECALL directly (a batch's calldata is large: one hop, not two).
    address public immutable batch;

    constructor(ICircuitRegistry registry_, ICollateralVault vault_) ProverMarketBase(address(0), registry_, vault_) {
        views = address(new ProverMarketViews(registry_, vault_));
        batch = address(new ProverMarketBatch(registry_, vault_));
    }

    /// @notice Runs the market's views from `views`'s code, still on the market's storage (this code itself runs by
    ///         DELEGATECALL from the market).
    fallback() external {
        _delegate(views);
    }

    /// @notice See `IProverMarket`.
    function cancelRequest(Request calldata request) external nonReentrant {
        Request calldata req = request;
        bytes32 id = _idOf(req);
        RequestWord w = _rawCore(id);
        if (!w.exists()) revert UnknownRequest(id);
        if (msg.sender != req.requester) revert NotRequester(msg.sender);
        // A sealed-bid request is a binding offer: cancelling it after seeing the bids would be a free option.
        if (_isSealed(w)) revert WrongMode(id, Mode.SealedBid);
        {
            Core memory c = _loadCore(id);
            if (c.status == Status.Matched) {
                // Nothing of the matched prover is locked yet: its ask gets the capacity slot back.
                _ask().release(req.circuitId, _best[id].account, false);
                delete _best[id];
            } else if (c.status != Status.Open) {
                revert WrongStatus(id, c.status);
            } else if (c.deadline != 0 && _firstCommitBlock(c) != 0) {
                // An open race with a proof commitment: the requester may have seen the proof.
                revert CommitmentsExist(id);
            }
            c.status = Status.Cancelled;
            _storeCore(id, c);
        }
        _balances[req.requester] += req.maxFee;
        emit RequestCancelled(id, req.requester, req.maxFee);
    }

    /// @notice See `IProverMarket`.
    function expire(Request calldata request) external nonReentrant {
        Request calldata req = request;
        bytes32 id = _idOf(req);
        RequestWord w = _rawCore(id);
        if (!w.exists()) revert UnknownRequest(id);
        if (_isSealed(w)) {
            Sealed memory q = _decodeSealed(w);
            // Open after the reveal phase with no reveal (with one, the winner is determined and may still prove).
            if (q.status != Status.Open || block.timestamp <= req.revealDeadline || q.best != address(0)) {
                revert NotExpirable(id);
            }
            _storeRaw(id, w.withStatus(uint8(Status.Expired)));
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
        _storeRaw(id, w.withStatus(uint8(Status.Expired)));
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
    function forfeitBond(Request calldata request, address prover, uint8 lane, bytes32 commitment)
        external
        nonReentrant
    {
        Request calldata req = request;
        bytes32 id = _idOf(req);
        RequestWord w = _rawCore(id);
        if (!w.exists()) revert UnknownRequest(id);
        _requireMode(id, req, Mode.SealedBid);
        if (block.timestamp <= req.revealDeadline) {
            revert NotInPhase(id, block.timestamp, uint256(req.revealDeadline) + 1, type(uint40).max);
        }
        if (!_lanes[prover][lane].eq(BidLaneLib.committed(id, commitment))) {
            if (_leadingAs(id, w, prover, lane, req.onMiss == OnMiss.RunnerUp) != BidStatus.None) {
                revert AlreadyRevealed(id, prover);
            }
            revert NoCommitment(id, prover);
        }
        _freeLane(prover, lane);
        // Burnt, never paid to the requester (see `IProverMarket.forfeitBond`).
        if (req.minCollateral != 0) vault.slash(prover, req.assetId, req.minCollateral, BURN_ADDRESS, id);
        emit BondForfeited(id, prover, req.assetId, req.minCollateral, BURN_ADDRESS);
    }

    /// @notice See `IProverMarket`.
    function slash(Request calldata request) external nonReentrant {
        Request calldata req = request;
        bytes32 id = _idOf(req);
        RequestWord w = _rawCore(id);
        if (!w.exists()) revert UnknownRequest(id);
        Core memory c;
        Slot memory assigned;
        bool sealedForm = _isSealed(w);
        if (sealedForm) {
            Sealed memory q = _decodeSealed(w);
            uint96 payment;
            if (_sealedAwaitingSettlement(req, q)) {
                payment = _settle(id, req, q, false);
                emit RequestAssigned(id, q.best, payment, q.deadline, req.assetId, req.minCollateral);
            } else if (q.status == Status.Assigned) (, payment,,) = _sealedAssignment(req, q);
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
        RunnerUp r = sealedForm && req.onMiss == OnMiss.RunnerUp ? _runnerUp[id] : RunnerUp.wrap(0);
        Slashed memory x = _slashCollateral(id, req, assigned.account, c, r.isSet());
        if (r.isSet()) {
            _handOver(id, req, c, r);
            emit ProverSlashed(
                id, assigned.account, req.assetId, x.amount, x.burned, x.toRequester, x.toBounty, Status.Assigned
            );
            emit RequestAssigned(id, _best[id].account, _best[id].fee, c.deadline, req.assetId, req.minCollateral);
        } else {
            _openSecondary(id, req, c, assigned.fee, assigned.account);
            emit ProverSlashed(
                id, assigned.account, req.assetId, x.amount, x.burned, x.toRequester, x.toBounty, Status.Secondary
            );
            emit SecondaryOpened(id, c.deadline, assigned.fee, _bounty[id]);
        }
    }

    /// @dev Opens the job to anyone but `excluded` (the slashed prover, or zero) for `fee` until now + provingWindow.
    function _openSecondary(bytes32 id, Request calldata req, Core memory c, uint96 fee, address excluded) internal {
        c.status = Status.Secondary;
        c.deadline = uint40(block.timestamp + req.provingWindow);
        _setFirstCommitBlock(c, 0); // no commitment to this delivery yet
        _storeCore(id, c);
        // Nobody is assigned any more; the fee stays for whoever delivers, and the slashed prover is kept out.
        _best[id] = Slot(excluded, fee);
    }

    /// @dev How a slash was split.
    struct Slashed {
        uint256 amount;
        uint256 burned;
        uint256 toRequester;
        uint256 toBounty;
    }

    /// @dev Splits the assigned prover's collateral: `SLASH_BURN_BPS` is burnt (a miss always costs at least that,
    ///      whoever delivers later); of the rest the requester gets the share in the request's terms and the delivery
    ///      bounty the remainder. On a runner-up takeover (`handOver`) there is no open delivery to reward: the
    ///      requester gets the whole rest, so a winner that misses on purpose to hand the job to a runner-up it
    ///      controls loses its whole collateral (at least `maxFee`, see `submitRequest`), more than the handover
    ///      can gain.
    function _slashCollateral(bytes32 id, Request calldata req, address prover, Core memory c, bool handOver)
        internal
        returns (Slashed memory x)
    {
        uint256 amount = req.minCollateral;
        x.amount = amount;
        x.burned = amount * SLASH_BURN_BPS / BPS;
        uint256 rest = amount - x.burned;
        x.toRequester = handOver ? rest : rest * SLASH_REQUESTER_BPS / BPS;
        x.toBounty = rest - x.toRequester;
        uint256 toBounty = x.toBounty;
        if (x.burned != 0) vault.slash(prover, req.assetId, x.burned, BURN_ADDRESS, id);
        if (x.toRequester != 0) vault.slash(prover, req.assetId, x.toRequester, req.requester, id);
        if (toBounty != 0) {
            vault.slash(prover, req.assetId, toBounty, address(this), id);
            _bounty[id] += toBounty;
            c.flags |= HAS_BOUNTY;
        }
    }

    /// @dev The kept runner-up (`r` = `_runnerUp[id]`) takes the job: its bond, locked since its reveal, becomes its
    ///      job collateral, and it is paid its own fee. Its lane is freed (`_best` holds it from here on).
    function _handOver(bytes32 id, Request calldata, Core memory c, RunnerUp r) internal {
        _runnerUp[id] = RunnerUp.wrap(0);
        address runnerUp = r.prover();
        uint8 lane = r.lane();
        (uint96 fee, uint32 latency,) = _lanes[runnerUp][lane].bid();
        _freeLane(runnerUp, lane);
        c.deadline = uint40(block.timestamp + latency);
        c.bestLatency = latency;
        _storeCore(id, c);
        _best[id] = Slot(runnerUp, fee);
    }

    /// @notice See `IProverMarket`.
    function declineMatch(Request calldata request) external nonReentrant {
        (bytes32 id, Core memory c, Slot memory m) = _matched(request);
        if (msg.sender != m.account) revert NotMatchedProver(msg.sender, m.account);
        emit MatchDeclined(id, m.account, false);
        _rematch(id, request, c, m, false);
    }

    /// @notice See `IProverMarket`.
    function lapseMatch(Request calldata request) external nonReentrant {
        (bytes32 id, Core memory c, Slot memory m) = _matched(request);
        if (block.timestamp <= c.deadline) revert AcceptWindowOpen(c.deadline);
        emit MatchDeclined(id, m.account, true);
        _rematch(id, request, c, m, true);
    }

    function _matched(Request calldata request) internal view returns (bytes32 id, Core memory c, Slot memory m) {
        (id, c) = _load(request);
        if (c.status != Status.Matched) revert WrongStatus(id, c.status);
        m = _best[id];
    }

    /// @dev The match `m` went back (declined, or silent: its ask is removed). The request goes to the next fitting ask
    ///      after it in the book, or, with none left or after `MAX_MATCH_ATTEMPTS` matches, opens for secondary
    ///      delivery at the last matched fee.
    function _rematch(bytes32 id, Request calldata req, Core memory c, Slot memory m, bool silent) internal {
        IAskBook book = _ask();
        uint8 attempts = uint8(c.secondLatency);
        IAskBook.Match memory n;
        if (attempts < MAX_MATCH_ATTEMPTS) {
            // The circuit's units, cached in its reserve slot at its first submission (the registry never changes them).
            uint64 units = _fees[req.circuitId].provingUnits;
            n = book.take(
                req.circuitId,
                IAskBook.Wanted(units, c.reserveFee, req.maxFee, req.provingWindow, req.assetId, req.minCollateral),
                m.account
            );
        }
        book.release(req.circuitId, m.account, silent);
        if (n.prover == address(0)) {
            _openSecondary(id, req, c, m.fee, address(0));
            emit SecondaryOpened(id, c.deadline, m.fee, 0);
            return;
        }
        // attempts < MAX_MATCH_ATTEMPTS (uint8).
        unchecked {
            ++attempts;
        }
        c.deadline = uint40(block.timestamp + ASK_ACCEPT_WINDOW);
        c.bestLatency = n.latency;
        c.secondLatency = attempts;
        _storeCore(id, c);
        _best[id] = Slot(n.prover, n.fee);
        emit RequestMatched(id, n.prover, n.fee, n.latency, c.deadline, attempts);
    }

    /// @dev The ask book (an immutable of the market, read through its getter: the extension has no copy).
    function _ask() internal view returns (IAskBook) {
        return IAskBook(IProverMarket(address(this)).askBook());
    }

    /// @notice See `IProverMarket`.
    function settle(Request calldata request) external nonReentrant {
        (bytes32 id, Sealed memory q) = _loadSealed(request);
        if (q.status != Status.Open) revert WrongStatus(id, q.status);
        uint96 payment = _settle(id, request, q, true);
        _storeSealed(id, q);
        emit RequestAssigned(id, q.best, payment, q.deadline, request.assetId, request.minCollateral);
    }

    /// @notice See `IProverMarket`.
    function commitProof(bytes32 requestId, bytes32 commitment) external nonReentrant {
        RequestWord w = _rawCore(requestId);
        if (!w.exists()) revert UnknownRequest(requestId);
        if (commitment == bytes32(0)) revert ZeroCommitment();
        if (_proofCommits[commitment] != 0) revert ProofAlreadyCommitted(commitment);
        _proofCommits[commitment] = block.number;
        if (!_isSealed(w)) {
            Core memory c = _loadCore(requestId);
            // An open race (the only Open request with a deadline) or a secondary delivery: the first commitment is
            // recorded; it blocks cancellation and gets the first claim on the reveal (see `revealProof`).
            bool open = c.status == Status.Secondary || (c.status == Status.Open && c.deadline != 0);
            // The slashed prover cannot deliver, so it cannot hold the first claim either.
            if (c.status == Status.Secondary && _best[requestId].account == msg.sender) {
                revert SlashedProverExcluded(msg.sender);
            }
            if (open && _firstCommitBlock(c) == 0) {
                _setFirstCommitBlock(c, uint64(block.number));
                _storeCore(requestId, c);
            }
        }
        emit ProofCommitted(requestId, msg.sender, commitment, block.number);
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

    /// @notice See `IProverMarket`.
    function openBidLanes(uint8 firstLane, uint8 count) external nonReentrant {
        uint256 end = uint256(firstLane) + count;
        if (count == 0 || end > 256) revert ParamOutOfRange(count, 1, 256 - uint256(firstLane));
        mapping(uint256 => BidLane) storage lanes = _lanes[msg.sender];
        for (uint256 i = firstLane; i < end; ++i) {
            if (lanes[i].isNeverUsed()) lanes[i] = BidLaneLib.free();
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

    /// @notice See `IProverMarket`.
    function proposeProtocolFee(uint16 bps) external onlyOwner {
        if (bps > MAX_PROTOCOL_FEE_BPS) revert ParamOutOfRange(bps, 0, MAX_PROTOCOL_FEE_BPS);
        _promoteDueFee();
        uint32 activatesAt = uint32(block.timestamp + PARAMS_DELAY);
        (_params.pendingProtocolFeeBps, _params.pendingActivatesAt) = (bps, activatesAt);
        emit ProtocolFeeProposed(bps, activatesAt);
    }

    /// @notice See `IProverMarket`.
    function activateProtocolFee() external {
        uint32 at = _params.pendingActivatesAt;
        if (at == 0) revert NoPendingParams();
        if (block.timestamp < at) revert ParamsNotReady(at);
        _promoteDueFee();
    }

    /// @dev Moves a due proposal into the stored fee.
    function _promoteDueFee() internal {
        Params memory p = _params;
        if (p.pendingActivatesAt == 0 || block.timestamp < p.pendingActivatesAt) return;
        (p.protocolFeeBps, p.pendingProtocolFeeBps, p.pendingActivatesAt) = (p.pendingProtocolFeeBps, 0, 0);
        _params = p;
        emit ProtocolFeeSet(p.protocolFeeBps);
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
        if (defaultTargetUnits == 0 || defaultTargetUnits > type(uint48).max) {
            revert ParamOutOfRange(defaultTargetUnits, 1, type(uint48).max);
        }
        _params.reservePeriod = period;
        _reserve = ReserveParams(minPerUnit, maxPerUnit, defaultTargetUnits);
        emit ReserveParamsSet(period, minPerUnit, maxPerUnit, defaultTargetUnits);
    }

    /// @notice Sets a circuit's target utilization (proving units per reserve period).
    function setCircuitTarget(uint32 circuitId, uint56 targetUnits) external onlyOwner {
        if (targetUnits == 0 || targetUnits > type(uint48).max) revert ParamOutOfRange(targetUnits, 1, type(uint48).max);
        registry.circuitTerms(circuitId);
        (FeeState memory f,) = _rolledFees(circuitId);
        f.targetUnits = uint48(targetUnits);
        _fees[circuitId] = f;
        emit CircuitTargetSet(circuitId, targetUnits);
    }

    /// @notice See `IProverMarket`.
    function bondBalance(address prover, uint8 assetId) external view returns (uint256) {
        return _bondBalanceOf(prover, assetId);
    }

}

