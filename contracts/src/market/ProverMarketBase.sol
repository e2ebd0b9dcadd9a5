// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProverMarketTypes} from "../interfaces/IProverMarket.sol";
import {ICircuitRegistry} from "../interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IGroth16Verifier} from "../interfaces/IGroth16Verifier.sol";
import {AuctionLib} from "../libraries/AuctionLib.sol";
import {ReserveLib} from "../libraries/ReserveLib.sol";
import {Owned} from "../utils/Owned.sol";
import {ReentrancyGuard} from "../utils/ReentrancyGuard.sol";

/// @title ProverMarketBase
/// @notice Storage layout, bounds and shared internals of the prover market. `ProverMarket` (hot paths) and
///         `ProverMarketExtension` (cold paths, reached by DELEGATECALL from the market's fallback) both inherit it,
///         so they agree on every storage slot.
/// @dev Storage per request is at most two slots (`_core`, `_best`) plus one per sealed bid; the terms
///      are hashed into the id and passed back as calldata. The vault and registry are trusted contracts fixed at
///      deployment; the verifier is pinned per request and only ever called with STATICCALL (a `view` interface), so
///      it cannot re-enter. All external mutating functions are `nonReentrant` anyway.
abstract contract ProverMarketBase is IProverMarketTypes, Owned, ReentrancyGuard {
    // ------------------------------------------------------------------ constants and bounds
    uint256 internal constant BPS = 10_000;
    /// @notice Upper bound on the protocol fee (10%).
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 1_000;
    /// @notice Bounds on the reserve period.
    uint32 public constant MIN_RESERVE_PERIOD = 1 minutes;
    uint32 public constant MAX_RESERVE_PERIOD = 7 days;
    /// @notice Upper bound on any reserve price per proving unit (wei).
    uint96 public constant MAX_RESERVE_PER_UNIT = 1e12;

    /// @dev Sentinels stored in place of a bid commitment.
    ///      The best bidder's own bid slot (`_bids[id][_best[id].account]`, non-zero since its commit) holds the
    ///      runner-up instead: `REVEALED` when there is none, else `runnerUp | runnerUpFee << 160` (never 0, 1 or 2:
    ///      a bidder is a transaction sender, so its address is neither zero nor a precompile). Whoever leaves the best
    ///      spot gets `REVEALED` back, so outside that one slot the sentinels mean what they say. This saves the fresh
    ///      slot a separate runner-up record would take at the second reveal.
    bytes32 internal constant REVEALED = bytes32(uint256(1));
    bytes32 internal constant BOND_SETTLED = bytes32(uint256(2));

    // ------------------------------------------------------------------ storage layout
    /// @dev One slot: status | createdAt | deadline | reserveFee | bestLatency | secondLatency | flags (256 bits).
    ///      With `LOCKED` set (a Dutch job locked while its start price was `minFee`), `reserveFee | bestLatency |
    ///      secondLatency` hold the assigned prover instead (160 bits) and its price follows from the lock time
    ///      (`deadline - provingWindow`, see `_lockedPrice`), so a lock writes no slot besides this one.
    struct Core {
        Status status;
        uint40 createdAt;
        uint40 deadline;
        uint96 reserveFee;
        uint32 bestLatency;
        uint32 secondLatency;
        uint8 flags;
    }

    /// @dev `Core.flags`: the Dutch-lock form above.
    uint8 internal constant LOCKED = 1;
    /// @dev `Core.flags`: a slash put collateral into `_bounty[id]` (unset: the slot is zero and is not read).
    uint8 internal constant HAS_BOUNTY = 2;

    /// @dev One slot: an account and an amount (best bid / assigned prover and its fee; runner-up and its fee).
    struct Slot {
        address account;
        uint96 fee;
    }

    /// @dev Parameters, packed into two slots.
    struct Params {
        address treasury;
        uint16 protocolFeeBps;
        uint16 slashRequesterBps;
        uint32 reservePeriod;
    }

    struct ReserveParams {
        uint96 minPerUnit;
        uint96 maxPerUnit;
        uint56 defaultTargetUnits;
    }

    /// @notice The circuit registry.
    ICircuitRegistry public immutable registry;
    /// @notice The collateral vault.
    ICollateralVault public immutable vault;
    Params internal _params;
    ReserveParams internal _reserve;

    mapping(bytes32 => Core) internal _core;
    mapping(bytes32 => Slot) internal _best;
    mapping(bytes32 => uint256) internal _bounty;
    mapping(bytes32 => mapping(address => bytes32)) internal _bids;
    mapping(bytes32 => uint256) internal _proofCommits;
    mapping(address => uint256) internal _balances;
    mapping(uint32 => FeeState) internal _fees;
    /// @dev Per prover and asset: collateral the vault holds locked for this market that backs no bid or job (see
    ///      `reserveCollateral`). For every prover and asset, the vault's locked balance equals this plus the bonds
    ///      and job collateral outstanding in this market (the vault has no other locker).
    ///      Stored as balance + 1 once first written (0: never used), so a take down to a zero balance and the next
    ///      release rewrite a non-zero slot (2,900 gas each) instead of clearing it and creating it again (20,000).
    mapping(address => mapping(uint8 => uint256)) internal _bondSlots;

    /// @param initialOwner Owner of the bounded parameters (unused by the extension, whose own storage is never read).
    constructor(address initialOwner, ICircuitRegistry registry_, ICollateralVault vault_) Owned(initialOwner) {
        if (address(registry_) == address(0) || address(vault_) == address(0)) revert ZeroAddress();
        registry = registry_;
        vault = vault_;
    }

    // =================================================================== shared internals

    /// @dev Reads `_core[id]` with one SLOAD and no per-field storage access (same bit layout as the struct:
    ///      status 0-7 | createdAt 8-47 | deadline 48-87 | reserveFee 88-183 | bestLatency 184-215 |
    ///      secondLatency 216-247 | flags 248-255).
    function _loadCore(bytes32 id) internal view returns (Core memory c) {
        Core storage s = _core[id];
        uint256 w;
        assembly ("memory-safe") {
            w := sload(s.slot)
        }
        c.status = Status(uint8(w)); // only ever written from a Status (checked conversion anyway)
        c.createdAt = uint40(w >> 8);
        c.deadline = uint40(w >> 48);
        c.reserveFee = uint96(w >> 88);
        c.bestLatency = uint32(w >> 184);
        c.secondLatency = uint32(w >> 216);
        c.flags = uint8(w >> 248);
    }

    /// @dev Writes `_core[id]` with one SSTORE (layout as in `_loadCore`).
    function _storeCore(bytes32 id, Core memory c) internal {
        uint256 w = uint256(uint8(c.status)) | uint256(c.createdAt) << 8 | uint256(c.deadline) << 48
            | uint256(c.reserveFee) << 88 | uint256(c.bestLatency) << 184 | uint256(c.secondLatency) << 216
            | uint256(c.flags) << 248;
        Core storage s = _core[id];
        assembly ("memory-safe") {
            sstore(s.slot, w)
        }
    }

    /// @dev Derives the id from the calldata terms and loads the state. The terms stay in calldata (no copy).
    function _load(Request calldata request) internal view returns (bytes32 id, Core memory c) {
        id = _idOf(request);
        c = _loadCore(id);
        if (c.status == Status.None) revert UnknownRequest(id);
    }

    /// @dev keccak256 of the sixteen words of `request` exactly as they are in calldata. A static struct is encoded
    ///      inline, so for canonical calldata this equals `keccak256(abi.encode(request))`. Ids are only ever stored
    ///      by `submitRequest`, which decodes (and so validates) the terms first; non-canonical words here (dirty high
    ///      bits, an out-of-range enum) therefore hash to an id with no state, and every caller reverts on that.
    function _idOf(Request calldata request) internal pure returns (bytes32 id) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, request, 0x200)
            id := keccak256(m, 0x200)
        }
    }

    /// @dev A memory struct of sixteen static fields is laid out exactly as `abi.encode(req)`: sixteen padded words.
    function _idOfMemory(Request memory req) internal pure returns (bytes32 id) {
        assembly ("memory-safe") {
            id := keccak256(req, 0x200)
        }
    }

    function _requireMode(bytes32 id, Request calldata req, Mode mode) internal pure {
        if (req.mode != mode) revert WrongMode(id, req.mode);
    }

    /// @dev A sealed auction whose reveal phase is over with at least one reveal: its winner is already determined.
    function _sealedAwaitingSettlement(bytes32 id, Request calldata req, Core memory c) internal view returns (bool) {
        return c.status == Status.Open && req.mode == Mode.SealedBid && block.timestamp > req.revealDeadline
            && _best[id].account != address(0);
    }

    /// @dev Assigns the best bid at the second-score price. Mutates `c`; the caller writes it back.
    /// @param persist Whether to store the price (false when the caller fulfils in the same call and clears the slot).
    /// @return assigned The winner and its second-score price.
    function _settle(bytes32 id, Request calldata req, Core memory c, bool persist)
        internal
        returns (Slot memory assigned)
    {
        if (block.timestamp <= req.revealDeadline) {
            revert NotInPhase(id, block.timestamp, uint256(req.revealDeadline) + 1, type(uint40).max);
        }
        Slot memory best = _best[id];
        if (best.account == address(0)) revert NoBids(id);
        Slot memory second = _runnerUpOf(id, best.account);
        bool hasSecond = second.account != address(0);
        uint96 payment = AuctionLib.secondScorePayment(
            AuctionLib.Bid(best.account, best.fee, c.bestLatency),
            AuctionLib.Bid(second.account, second.fee, c.secondLatency),
            hasSecond,
            req.latencyWeight,
            req.maxFee
        );
        c.status = Status.Assigned;
        c.deadline = req.revealDeadline + c.bestLatency;
        if (persist && payment != best.fee) _best[id].fee = payment;
        assigned = Slot(best.account, payment);
        emit AuctionSettled(id, best.account, best.fee, payment, c.deadline, second.account, second.fee);
        emit RequestAssigned(id, best.account, payment, c.deadline, req.assetId, req.minCollateral);
        if (hasSecond && req.onMiss != OnMiss.RunnerUp) _releaseBond(id, req, second.account);
    }

    /// @dev The runner-up, kept in the best bidder's bid slot (see `REVEALED`); zero when there is none.
    function _runnerUpOf(bytes32 id, address best) internal view returns (Slot memory) {
        return _decodeRunnerUp(_bids[id][best]);
    }

    function _decodeRunnerUp(bytes32 raw) internal pure returns (Slot memory s) {
        uint256 r = uint256(raw);
        if (r > uint256(BOND_SETTLED)) s = Slot(address(uint160(r)), uint96(r >> 160));
    }

    function _encodeRunnerUp(address account, uint96 fee) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(account)) | uint256(fee) << 160);
    }

    function _releaseBond(bytes32 id, Request calldata req, address prover) internal {
        uint96 amount = req.minCollateral;
        if (amount == 0) return;
        uint8 assetId = req.assetId;
        _returnCollateral(prover, assetId, amount);
        emit BondReleased(id, prover, assetId, amount);
    }

    /// @dev Takes `amount` of `prover`'s collateral for a bid or job: from its bond balance when that covers the whole
    ///      amount (one storage write), else by locking it in the vault (a call). Never mixes the two, so an indexer
    ///      replaying the events can tell which one paid. The caller checked `amount != 0`.
    function _takeCollateral(address prover, uint8 assetId, uint256 amount) internal {
        mapping(uint8 => uint256) storage b = _bondSlots[prover];
        uint256 stored = b[assetId];
        if (stored > amount) {
            // The balance is stored - 1 >= amount; the slot stays >= 1.
            unchecked {
                b[assetId] = stored - amount;
            }
        } else {
            vault.lock(prover, assetId, amount);
        }
    }

    /// @dev Gives collateral that backed a bid or job back: to the prover's bond balance (it stays locked in the vault)
    ///      once the prover has one (it called `reserveCollateral` at least once), else to its free vault balance, as if
    ///      bond balances did not exist (a prover that never opted in never pays for creating the slot).
    function _returnCollateral(address prover, uint8 assetId, uint256 amount) internal {
        mapping(uint8 => uint256) storage b = _bondSlots[prover];
        uint256 stored = b[assetId];
        if (stored == 0) {
            vault.unlock(prover, assetId, amount);
            return;
        }
        // The balance stays below the vault's locked balance (see `_bondSlots`), far below 2^255.
        unchecked {
            b[assetId] = stored + amount;
        }
    }

    /// @dev `reserveCollateral`'s credit: creates the bond-balance slot on first use. Returns the new balance.
    function _creditBondBalance(address prover, uint8 assetId, uint256 amount) internal returns (uint256) {
        mapping(uint8 => uint256) storage b = _bondSlots[prover];
        uint256 stored = b[assetId];
        // amount was just locked in the vault, so it and the balance are far below 2^255.
        unchecked {
            stored = (stored == 0 ? 1 : stored) + amount;
            b[assetId] = stored;
            return stored - 1;
        }
    }

    /// @dev `releaseCollateral`'s debit: reverts beyond the balance; the slot keeps its + 1. Returns the new balance.
    function _debitBondBalance(address prover, uint8 assetId, uint256 amount) internal returns (uint256 balance) {
        balance = _bondBalanceOf(prover, assetId);
        if (amount > balance) revert InsufficientBondBalance(prover, assetId, amount, balance);
        // amount <= balance.
        unchecked {
            balance -= amount;
            _bondSlots[prover][assetId] = balance + 1;
        }
    }

    /// @dev A prover's bond balance (see `_bondSlots` for the encoding).
    function _bondBalanceOf(address prover, uint8 assetId) internal view returns (uint256) {
        uint256 stored = _bondSlots[prover][assetId];
        // stored >= 1 when non-zero.
        unchecked {
            return stored == 0 ? 0 : stored - 1;
        }
    }

    function _verify(Request calldata req, uint256[8] calldata proof, uint256[] calldata publicInputs) internal view {
        if (keccak256(abi.encodePacked(publicInputs)) != req.publicInputsHash) revert PublicInputsMismatch();
        IGroth16Verifier(req.verifier).verifyProof(proof, publicInputs);
    }

    /// @dev Marks the request fulfilled and credits prover, treasury and requester (pull payments).
    function _pay(bytes32 id, Request calldata req, Core memory c, address prover, uint96 fee) internal {
        c.status = Status.Fulfilled;
        bool hasBounty = c.flags & HAS_BOUNTY != 0;
        if (c.flags & LOCKED != 0) (c.reserveFee, c.bestLatency, c.secondLatency) = (0, 0, 0); // the packed prover
        c.flags = 0;
        _storeCore(id, c);
        Params memory p = _params;
        uint96 maxFee = req.maxFee;
        address requester = req.requester;
        uint8 assetId = req.assetId;
        uint256 protocolFee = uint256(fee) * p.protocolFeeBps / BPS;
        uint256 refund = maxFee - fee; // fee <= maxFee on every path (checked anyway)
        // fee <= maxFee < 2^96 and protocolFee <= fee.
        unchecked {
            _balances[prover] += fee - protocolFee;
        }
        if (protocolFee != 0) _balances[p.treasury] += protocolFee;
        if (refund != 0) _balances[requester] += refund;
        uint256 bounty;
        if (hasBounty) {
            bounty = _bounty[id];
            if (bounty != 0) {
                delete _bounty[id];
                vault.transferClaimable(assetId, prover, bounty);
            }
        }
        // protocolFee <= fee (see above).
        unchecked {
            emit RequestFulfilled(id, prover, fee - protocolFee, protocolFee, refund, bounty, assetId);
        }
    }

    /// @dev Current price of an open Dutch request: a ramp from max(minFee, reserve) to maxFee.
    function _dutchPrice(Request calldata req, Core memory c) internal view returns (uint256) {
        uint256 start = req.minFee > c.reserveFee ? req.minFee : c.reserveFee;
        return ReserveLib.ramp(start, req.maxFee, c.createdAt, req.bidDeadline, block.timestamp);
    }

    /// @dev The prover of a `LOCKED` Dutch request, packed into reserveFee | bestLatency | secondLatency.
    function _lockedProver(Core memory c) internal pure returns (address) {
        return address(uint160(c.reserveFee) << 64 | uint160(c.bestLatency) << 32 | uint160(c.secondLatency));
    }

    /// @dev Stores `prover` in the `LOCKED` form (the reserve is no longer needed: the start price was `minFee`).
    function _setLockedProver(Core memory c, address prover) internal pure {
        uint160 v = uint160(prover);
        c.reserveFee = uint96(v >> 64);
        c.bestLatency = uint32(v >> 32);
        c.secondLatency = uint32(v);
        c.flags |= LOCKED;
    }

    /// @dev The price of a `LOCKED` Dutch request: the ramp (which started at `minFee`) at its lock time.
    ///      `lockDutch` only uses this form when `deadline = lockTime + provingWindow` did not overflow uint40, so the
    ///      subtraction gives the lock time back exactly, and the result equals the price emitted at the lock.
    function _lockedPrice(Request calldata req, Core memory c) internal pure returns (uint96) {
        uint256 lockTime = uint256(c.deadline) - req.provingWindow;
        // ramp() lies within [minFee, maxFee] (or is maxFee), a uint96.
        return uint96(ReserveLib.ramp(req.minFee, req.maxFee, c.createdAt, req.bidDeadline, lockTime));
    }

    /// @dev The assigned prover and fee of an `Assigned` request, in either form.
    function _assignment(bytes32 id, Request calldata req, Core memory c) internal view returns (Slot memory) {
        if (c.flags & LOCKED != 0) return Slot(_lockedProver(c), _lockedPrice(req, c));
        return _best[id];
    }
}
