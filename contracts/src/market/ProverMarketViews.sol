// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ProverMarketBase} from "./ProverMarketBase.sol";
import {ICircuitRegistry} from "../interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {AuctionLib} from "../libraries/AuctionLib.sol";
import {BidLane, BidLaneLib} from "../types/BidLane.sol";
import {RunnerUp} from "../types/RunnerUp.sol";
import {RequestWord} from "../types/RequestWord.sol";

/// @title ProverMarketViews
/// @notice Views of the prover market. Only meaningful when reached by DELEGATECALL from `ProverMarket` (through
///         `ProverMarketExtension`'s fallback); called directly it reads its own empty storage.
contract ProverMarketViews is ProverMarketBase {
    constructor(ICircuitRegistry registry_, ICollateralVault vault_) ProverMarketBase(address(0), registry_, vault_) {}

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
        RequestWord w = _rawCore(requestId);
        if (_isSealed(w)) {
            Sealed memory q = _decodeSealed(w);
            v.status = q.status;
            v.deadline = q.deadline;
            v.reserveFee = q.reserveFee;
            v.prover = q.best;
            v.proverLane = q.lane;
            if (q.best != address(0)) {
                uint256 secondPlusOne;
                (v.fee, v.proverLatency, secondPlusOne) = _lanes[q.best][q.lane].bid();
                // secondPlusOne >= 1 when non-zero.
                unchecked {
                    if (secondPlusOne != 0) v.secondScore = secondPlusOne - 1;
                }
            }
            RunnerUp r = _runnerUp[requestId];
            if (r.isSet()) {
                v.runnerUp = r.prover();
                (v.runnerUpFee, v.runnerUpLatency,) = _lanes[v.runnerUp][r.lane()].bid();
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
        v.status = c.status;
        if (c.status == Status.Secondary || (c.status == Status.Open && c.deadline != 0)) {
            // Open submission: `_best` holds the slashed prover (excluded) and the core the first commitment's block.
            v.excluded = b.account;
            v.firstCommitBlock = _firstCommitBlock(c);
            (c.bestLatency, b.account) = (0, address(0));
        }
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
        BidLane word = _lanes[prover][lane];
        if (word.eq(BidLaneLib.committed(requestId, commitment))) return BidStatus.Committed;
        if (!word.isHeld()) return BidStatus.None;
        return _leadingAs(requestId, _rawCore(requestId), prover, lane, true);
    }

    /// @notice See `IProverMarket`.
    function bidLane(address prover, uint8 lane) external view returns (uint256) {
        return _lanes[prover][lane].raw();
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
    function pendingProtocolFee() external view returns (uint16 bps, uint40 activatesAt) {
        Params memory p = _params;
        return (p.pendingProtocolFeeBps, p.pendingActivatesAt);
    }

    /// @notice See `IProverMarket`.
    function effectiveProtocolFee() external view returns (uint16) {
        return _effectiveProtocolFee();
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
        p.protocolFeeBps = _effectiveProtocolFee();
        return (
            p.treasury,
            p.protocolFeeBps,
            SLASH_REQUESTER_BPS,
            p.reservePeriod,
            r.minPerUnit,
            r.maxPerUnit,
            r.defaultTargetUnits
        );
    }
}
