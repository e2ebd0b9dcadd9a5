// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

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
        (bytes32 id, Core memory c) = _load(request);
        Request calldata req = request;
        if (msg.sender != req.requester) revert NotRequester(msg.sender);
        if (c.status != Status.Open || _sealedAwaitingSettlement(id, req, c)) revert WrongStatus(id, c.status);
        _core[id].status = Status.Cancelled;
        _balances[req.requester] += req.maxFee;
        emit RequestCancelled(id, req.requester, req.maxFee);
    }

    /// @notice See `IProverMarket`.
    function expire(Request calldata request) external nonReentrant {
        (bytes32 id, Core memory c) = _load(request);
        Request calldata req = request;
        bool expirable;
        if (c.status == Status.Open) {
            if (req.mode == Mode.SealedBid) {
                expirable = block.timestamp > req.revealDeadline && _best[id].account == address(0);
            } else if (req.mode == Mode.Dutch) {
                expirable = block.timestamp > req.bidDeadline;
            } else {
                expirable = block.timestamp > c.deadline; // open race
            }
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
    function reclaimBond(Request calldata request) external nonReentrant {
        (bytes32 id, Core memory c) = _load(request);
        Request calldata req = request;
        if (c.status != Status.Cancelled) revert WrongStatus(id, c.status);
        bytes32 cm = _bids[id][msg.sender];
        if (cm == bytes32(0)) revert NoCommitment(id, msg.sender);
        if (cm == BOND_SETTLED) revert BondAlreadySettled(id, msg.sender);
        address best = _best[id].account;
        if (msg.sender == best) {
            // `cm` is the runner-up record (see `REVEALED`), which this overwrites: the runner-up takes the best spot
            // (its own slot, `REVEALED`, then reads as "no runner-up"), so it can still reclaim its own bond.
            _bids[id][msg.sender] = BOND_SETTLED;
            Slot memory runnerUp = _decodeRunnerUp(cm);
            if (runnerUp.account != address(0)) _best[id] = runnerUp;
            _releaseBond(id, req, msg.sender);
            return;
        }
        // A revealed bid outside the top two had its bond released at reveal time.
        if (cm == REVEALED && (best == address(0) || msg.sender != _runnerUpOf(id, best).account)) {
            revert BondAlreadySettled(id, msg.sender);
        }
        _bids[id][msg.sender] = BOND_SETTLED;
        _releaseBond(id, req, msg.sender);
    }

    /// @notice See `IProverMarket`.
    function forfeitBond(Request calldata request, address prover) external nonReentrant {
        (bytes32 id, Core memory c) = _load(request);
        Request calldata req = request;
        _requireMode(id, req, Mode.SealedBid);
        if (c.status == Status.Cancelled) revert WrongStatus(id, c.status);
        if (block.timestamp <= req.revealDeadline) {
            revert NotInPhase(id, block.timestamp, uint256(req.revealDeadline) + 1, type(uint40).max);
        }
        bytes32 cm = _bids[id][prover];
        if (cm == bytes32(0)) revert NoCommitment(id, prover);
        // The best bidder's slot holds the runner-up record (see `REVEALED`), not a commitment: it has revealed.
        if (cm == REVEALED || prover == _best[id].account) revert AlreadyRevealed(id, prover);
        if (cm == BOND_SETTLED) revert BondAlreadySettled(id, prover);
        _bids[id][prover] = BOND_SETTLED;
        if (req.minCollateral != 0) vault.slash(prover, req.assetId, req.minCollateral, req.requester, id);
        emit BondForfeited(id, prover, req.assetId, req.minCollateral, req.requester);
    }

    /// @notice See `IProverMarket`.
    function slash(Request calldata request) external nonReentrant {
        (bytes32 id, Core memory c) = _load(request);
        Request calldata req = request;
        if (_sealedAwaitingSettlement(id, req, c)) _settle(id, req, c, true);
        if (c.status != Status.Assigned) revert WrongStatus(id, c.status);
        if (block.timestamp <= c.deadline) revert DeadlineNotPassed(c.deadline);
        Slot memory assigned = _assignment(id, req, c);
        if (c.flags & LOCKED != 0) {
            // Back to the plain form: the packed prover leaves the reserve's place (the reserve was below minFee and
            // is no longer needed) and the price is stored below for the secondary delivery.
            (c.reserveFee, c.bestLatency, c.secondLatency) = (0, 0, 0);
            c.flags &= ~LOCKED;
        }
        Params memory p = _params;

        uint256 amount = req.minCollateral;
        uint256 toRequester = amount * p.slashRequesterBps / BPS;
        uint256 toBounty = amount - toRequester;
        if (toRequester != 0) vault.slash(assigned.account, req.assetId, toRequester, req.requester, id);
        if (toBounty != 0) {
            vault.slash(assigned.account, req.assetId, toBounty, address(this), id);
            _bounty[id] += toBounty;
            c.flags |= HAS_BOUNTY;
        }

        Slot memory runnerUp;
        if (req.mode == Mode.SealedBid) {
            bytes32 bestSlot = _bids[id][assigned.account];
            runnerUp = _decodeRunnerUp(bestSlot);
            // The slashed prover leaves the best spot: its slot says `REVEALED` again (see `REVEALED`).
            if (bestSlot != REVEALED) _bids[id][assigned.account] = REVEALED;
        }
        if (req.onMiss == OnMiss.RunnerUp && runnerUp.account != address(0)) {
            // The runner-up's bond is still locked (kept at settlement) and becomes its job collateral. Its own slot
            // is `REVEALED`: as the best it has no runner-up.
            c.deadline = uint40(block.timestamp + c.secondLatency);
            c.bestLatency = c.secondLatency;
            _storeCore(id, c);
            _best[id] = runnerUp;
            emit ProverSlashed(id, assigned.account, req.assetId, amount, toRequester, toBounty, Status.Assigned);
            emit RequestAssigned(id, runnerUp.account, runnerUp.fee, c.deadline, req.assetId, req.minCollateral);
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
        Slot memory s;
        if (b.account != address(0)) s = _runnerUpOf(requestId, b.account);
        v = RequestView({
            status: c.status,
            createdAt: c.createdAt,
            deadline: c.deadline,
            reserveFee: c.reserveFee,
            prover: b.account,
            fee: b.fee,
            proverLatency: c.bestLatency,
            runnerUp: s.account,
            runnerUpFee: s.fee,
            runnerUpLatency: c.secondLatency,
            bounty: _bounty[requestId]
        });
    }

    /// @notice See `IProverMarket`.
    function bidCommitmentOf(bytes32 requestId, address prover) external view returns (bytes32) {
        bytes32 cm = _bids[requestId][prover];
        // The best bidder's slot holds the runner-up record (see `REVEALED`).
        if (uint256(cm) > uint256(BOND_SETTLED) && prover == _best[requestId].account) return REVEALED;
        return cm;
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
        // A locked job's price is fixed: the ramp at its lock time.
        if (c.flags & LOCKED != 0) return _lockedPrice(request, c);
        if (request.mode == Mode.Dutch && (c.status == Status.Assigned || c.status == Status.Secondary)) {
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
