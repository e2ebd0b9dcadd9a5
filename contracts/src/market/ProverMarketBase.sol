// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProverMarketTypes} from "../interfaces/IProverMarket.sol";
import {ICircuitRegistry} from "../interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IGroth16Verifier} from "../interfaces/IGroth16Verifier.sol";
import {IProofCallback} from "../interfaces/IProofCallback.sol";
import {AuctionLib} from "../libraries/AuctionLib.sol";
import {ReserveLib} from "../libraries/ReserveLib.sol";
import {Owned} from "../utils/Owned.sol";
import {ReentrancyGuard} from "../utils/ReentrancyGuard.sol";
import {BidLane, BidLaneLib} from "../types/BidLane.sol";
import {RunnerUp, RunnerUpLib} from "../types/RunnerUp.sol";
import {RequestWord, RequestWordLib} from "../types/RequestWord.sol";

/// @title ProverMarketBase
/// @notice Storage layout, bounds and shared internals of the prover market. `ProverMarket` (hot paths) and
///         `ProverMarketExtension` (cold paths, reached by DELEGATECALL from the market's fallback) both inherit it,
///         so they agree on every storage slot.
/// @dev Storage per request is one slot (`_core`), plus `_best` for an assignment that does not fit it (a Dutch lock
///      below the reserve's start, an ask match, after a slash); sealed bids live in the bidders' reused lanes. The terms
///      are hashed into the id and passed back as calldata. The vault and registry are trusted contracts fixed at
///      deployment; the verifier is pinned per request and only ever called with STATICCALL (a `view` interface), so
///      it cannot re-enter. The requester's callback, the one untrusted call, comes last in a delivery (see
///      `ProverMarket` on reentrancy). The extension's mutating functions are `nonReentrant`.
abstract contract ProverMarketBase is IProverMarketTypes, Owned, ReentrancyGuard {
    // ------------------------------------------------------------------ constants and bounds
    uint256 internal constant BPS = 10_000;
    /// @notice Upper bound on the protocol fee (10%).
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 1_000;
    /// @notice Bounds on the reserve period.
    uint32 public constant MIN_RESERVE_PERIOD = 1 minutes;
    uint32 public constant MAX_RESERVE_PERIOD = 7 days;
    /// @notice Version of the storage layout below: the market only accepts an extension built with the same one (the
    ///         extension runs on the market's storage). 2: bid lanes. 3: timelocked fee parameters.
    uint16 public constant STORAGE_LAYOUT = 3;
    /// @notice Delay between proposing a protocol fee or slash share and it applying to new requests.
    uint32 public constant PARAMS_DELAY = 2 days;
    /// @notice Shortest reveal phase a sealed-bid request may have: one Ethereum slot, so a reveal sent at the start of
    ///         the phase has a block to land in. Bidders should demand more on slower chains (the worker's policy).
    uint32 public constant MIN_REVEAL_WINDOW = 12 seconds;
    /// @notice Longest commit phase, reveal phase, Dutch ramp and proving window: a request cannot hold bonds or
    ///         collateral hostage for longer.
    uint32 public constant MAX_WINDOW = 7 days;
    /// @notice Share of a slashed prover's collateral that is burnt whoever delivers afterwards (as Boundless does).
    uint16 public constant SLASH_BURN_BPS = 5_000;
    /// @notice Share of the rest that compensates the requester; the delivery bounty gets the remainder. Fixed in code:
    ///         a slash split that the owner could change would reach jobs in flight.
    uint16 public constant SLASH_REQUESTER_BPS = 5_000;
    /// @notice Where burnt collateral goes: a vault claimable balance nobody can claim.
    address public constant BURN_ADDRESS = 0x000000000000000000000000000000000000dEaD;
    /// @notice How long a matched standing-ask prover has to `acceptMatch` (and to preflight the input).
    uint32 public constant ASK_ACCEPT_WINDOW = 2 minutes;
    /// @notice At most this many matches per standing-ask request (then it opens for secondary delivery).
    uint8 public constant MAX_MATCH_ATTEMPTS = 8;
    /// @notice Blocks within which the first proof commitment to an open race or secondary delivery must be revealed
    ///         to win; later commitments are paid only after that.
    uint64 public constant PROOF_REVEAL_BLOCKS = 5;
    /// @notice Upper bound on any reserve price per proving unit (wei).
    uint40 public constant MAX_RESERVE_PER_UNIT = 1e12;
    /// @notice The largest `callbackGasLimit` a request may set: about what a rollup needs to record a proven state
    ///         root and emit an event, well below a block, so a prover prices a bounded cost.
    uint32 public constant MAX_CALLBACK_GAS = 1_000_000;
    /// @notice The most requests one `fulfillBatch` takes (bounds its calldata and the verifier's memory).
    uint256 public constant MAX_BATCH = 32;
    /// @dev Gas a callback's exactness check keeps back besides the 64th that EIP-150 withholds from a call: the opcodes
    ///      between the check and the CALL (about 200 gas; the account is warm, as the code-size check touched it) and
    ///      room for what follows the call (`CallbackFailed`, the next callback's check), as in Chainlink's
    ///      `callWithExactGas`.
    uint256 internal constant CALLBACK_GAS_MARGIN = 5_000;

    /// @dev Bid lanes (`_lanes[prover][lane]`, see `commitBid` and `BidLane`). A held lane is only ever reached
    ///      through its request's pointers (`Sealed.best`/`lane`, `_runnerUp`), which are cleared in the same step that
    ///      frees it, so it needs no request tag; a committed lane is bound to its request by the hash.

    /// @dev The largest reserve fee the sealed form keeps (80 bits, about 1.2 million ETH).
    uint256 internal constant MAX_SEALED_RESERVE = (1 << 80) - 1;

    // ------------------------------------------------------------------ storage layout
    /// @dev One slot: status | createdAt | deadline | reserveFee | bestLatency | secondLatency | flags (256 bits).
    ///      With `LOCKED` set (a Dutch job locked while its start price was `minFee`), `reserveFee | bestLatency |
    ///      secondLatency` hold the assigned prover instead (160 bits) and its price follows from the lock time
    ///      (`deadline - provingWindow`, see `_lockedPrice`), so a lock writes no slot besides this one.
    ///      In the open-submission states (an open race while Open, any request in Secondary) `bestLatency |
    ///      secondLatency` hold the block of the first proof commitment (`_firstCommitBlock`). While Matched,
    ///      `bestLatency` is the matched ask's latency and `secondLatency` the number of matches so far.
    struct Core {
        Status status;
        uint40 createdAt;
        uint40 deadline;
        uint96 reserveFee;
        uint32 bestLatency;
        uint32 secondLatency;
        uint8 flags;
    }

    /// @dev A sealed-bid request's core slot until a slash, one word: status 0-6 | `SEALED_FORM` 7 | lane 8-15 |
    ///      reserveFee 16-95 (while open) or deadline 16-55 (once assigned) | best 96-255. `best` is the leading bidder
    ///      (the assigned prover from settlement on) and `lane` its bid lane, which holds its fee, latency and the
    ///      second score; so an auction writes no slot per request besides this one and its bidders' reused lanes.
    ///      A slash turns it into the plain `Core` form (with `_best` holding whoever is assigned next).
    struct Sealed {
        Status status;
        uint8 lane;
        uint96 reserveFee;
        uint40 deadline;
        address best;
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

    /// @dev Parameters, one slot. `pendingActivatesAt` != 0: `pendingProtocolFeeBps` takes effect then.
    struct Params {
        address treasury;
        uint16 protocolFeeBps;
        uint16 pendingProtocolFeeBps;
        uint32 reservePeriod;
        uint32 pendingActivatesAt;
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

    mapping(bytes32 => RequestWord) internal _core;
    mapping(bytes32 => Slot) internal _best;
    mapping(bytes32 => uint256) internal _bounty;
    /// @dev Bid lanes per prover (see `BidLane`).
    mapping(address => mapping(uint256 => BidLane)) internal _lanes;
    /// @dev Sealed with `OnMiss.RunnerUp`: the second-best bidder kept on standby, `prover | lane << 160` (its fee and
    ///      latency are in its lane).
    mapping(bytes32 => RunnerUp) internal _runnerUp;
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

    /// @dev Reads `_core[id]` with one SLOAD (the status is right in both forms; the other fields mean something only in
    ///      the plain form, `_isSealed` false) and no per-field storage access (same bit layout as the struct:
    ///      status 0-7 | createdAt 8-47 | deadline 48-87 | reserveFee 88-183 | bestLatency 184-215 |
    ///      secondLatency 216-247 | flags 248-255).
    function _loadCore(bytes32 id) internal view returns (Core memory c) {
        RequestWord word = _core[id];
        uint256 w = word.raw();
        c.status = Status(word.status()); // only ever written from a Status (checked conversion anyway)
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
        _core[id] = RequestWord.wrap(w);
    }

    /// @dev Derives the id from the calldata terms and loads the state. The terms stay in calldata (no copy).
    function _load(Request calldata request) internal view returns (bytes32 id, Core memory c) {
        id = _idOf(request);
        c = _loadCore(id);
        if (c.status == Status.None) revert UnknownRequest(id);
    }

    /// @dev keccak256 of the eighteen words of `request` exactly as they are in calldata. A static struct is encoded
    ///      inline, so for canonical calldata this equals `keccak256(abi.encode(request))`. Ids are only ever stored
    ///      by `submitRequest`, which decodes (and so validates) the terms first; non-canonical words here (dirty high
    ///      bits, an out-of-range enum) therefore hash to an id with no state, and every caller reverts on that.
    function _idOf(Request calldata request) internal pure returns (bytes32 id) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, request, 0x240)
            id := keccak256(m, 0x240)
        }
    }

    /// @dev A memory struct of eighteen static fields is laid out exactly as `abi.encode(req)`: eighteen padded words.
    function _idOfMemory(Request memory req) internal pure returns (bytes32 id) {
        assembly ("memory-safe") {
            id := keccak256(req, 0x240)
        }
    }

    // ------------------------------------------------------------------ terms in calldata, read unchecked
    // A checked read of a calldata `Request` field costs about 150 gas here; these read the field's word as it is (a
    // static struct is encoded inline, one word per field). Only for terms whose id has state: ids are stored only by
    // `submitRequest`, which decodes (so validates) the terms, so every word of such terms is clean. (`fulfillBatch`
    // also compares words before a request's state is read: dirty words there can only make it revert.)

    function _requesterOf(Request calldata r) internal pure returns (address v) {
        assembly ("memory-safe") {
            v := calldataload(r)
        }
    }

    function _circuitIdOf(Request calldata r) internal pure returns (uint32 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x20))
        }
    }

    function _modeOf(Request calldata r) internal pure returns (Mode v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x40))
        }
    }

    function _onMissOf(Request calldata r) internal pure returns (OnMiss v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x60))
        }
    }

    function _assetIdOf(Request calldata r) internal pure returns (uint8 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x80))
        }
    }

    function _bidDeadlineOf(Request calldata r) internal pure returns (uint40 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0xa0))
        }
    }

    function _revealDeadlineOf(Request calldata r) internal pure returns (uint40 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0xc0))
        }
    }

    function _provingWindowOf(Request calldata r) internal pure returns (uint32 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0xe0))
        }
    }

    function _verifierOf(Request calldata r) internal pure returns (address v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x100))
        }
    }

    function _maxFeeOf(Request calldata r) internal pure returns (uint96 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x120))
        }
    }

    function _minFeeOf(Request calldata r) internal pure returns (uint96 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x140))
        }
    }

    function _minCollateralOf(Request calldata r) internal pure returns (uint96 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x160))
        }
    }

    function _latencyWeightOf(Request calldata r) internal pure returns (uint64 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x180))
        }
    }

    function _publicInputsHashOf(Request calldata r) internal pure returns (bytes32 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x1e0))
        }
    }

    function _protocolFeeBpsOf(Request calldata r) internal pure returns (uint16 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x200))
        }
    }

    function _callbackGasLimitOf(Request calldata r) internal pure returns (uint32 v) {
        assembly ("memory-safe") {
            v := calldataload(add(r, 0x220))
        }
    }

    function _requireMode(bytes32 id, Request calldata req, Mode mode) internal pure {
        Mode actual = _modeOf(req);
        if (actual != mode) revert WrongMode(id, actual);
    }

    function _rawCore(bytes32 id) internal view returns (RequestWord) {
        return _core[id];
    }

    function _storeRaw(bytes32 id, RequestWord w) internal {
        _core[id] = w;
    }

    function _isSealed(RequestWord w) internal pure returns (bool) {
        return w.isSealed();
    }

    function _decodeSealed(RequestWord word) internal pure returns (Sealed memory q) {
        uint256 w = word.raw();
        q.status = Status(word.status());
        q.lane = uint8(w >> 8);
        if (q.status == Status.Assigned) q.deadline = uint40(w >> 16);
        else q.reserveFee = uint96(w >> 16 & MAX_SEALED_RESERVE);
        q.best = address(uint160(w >> 96));
    }

    /// @dev Writes the sealed form (the reserve must fit 80 bits: `submitRequest` checks it).
    function _storeSealed(bytes32 id, Sealed memory q) internal {
        uint256 x = q.status == Status.Assigned ? uint256(q.deadline) : uint256(q.reserveFee);
        _storeRaw(
            id,
            RequestWord.wrap(
                uint256(uint8(q.status)) | RequestWordLib.SEALED_FORM | uint256(q.lane) << 8 | x << 16
                    | uint256(uint160(q.best)) << 96
            )
        );
    }

    /// @dev The first proof commitment's block in an open-submission state (see `Core`).
    function _firstCommitBlock(Core memory c) internal pure returns (uint64) {
        return uint64(c.bestLatency) << 32 | c.secondLatency;
    }

    function _setFirstCommitBlock(Core memory c, uint64 blockNumber) internal pure {
        c.bestLatency = uint32(blockNumber >> 32);
        c.secondLatency = uint32(blockNumber);
    }

    /// @dev A sealed auction whose reveal phase is over with at least one reveal: its winner is already determined.
    function _sealedAwaitingSettlement(Request calldata req, Sealed memory q) internal view returns (bool) {
        return q.status == Status.Open && block.timestamp > _revealDeadlineOf(req) && q.best != address(0);
    }

    /// @dev The winner of a sealed auction and its second-score payment, from the best bid's lane. Once settled
    ///      (`Assigned`), the lane holds the payment as its fee. A lone qualifying bid is paid `maxFee`, the
    ///      requester's reserve in this reverse Vickrey auction: what it is paid then does not depend on any bid, so a
    ///      shadow bid revealed from a second address can neither raise nor lower it below what a truthful second
    ///      bid would set.
    function _sealedAssignment(Request calldata req, Sealed memory q)
        internal
        view
        returns (uint96 fee, uint96 payment, uint32 latency, uint256 secondScore)
    {
        uint256 secondPlusOne;
        (fee, latency, secondPlusOne) = _lanes[q.best][q.lane].bid();
        if (q.status == Status.Assigned) return (fee, fee, latency, 0);
        uint96 maxFee = _maxFeeOf(req);
        if (secondPlusOne == 0) return (fee, maxFee, latency, 0);
        // secondPlusOne >= 1 here.
        unchecked {
            secondScore = secondPlusOne - 1;
        }
        payment = AuctionLib.secondScorePayment(latency, secondScore, _latencyWeightOf(req), maxFee);
    }

    /// @dev Assigns the best bid at the second-score price: status Assigned, deadline = revealDeadline + its latency.
    ///      Mutates `q`; the caller writes it back (or overwrites it when it fulfils in the same call).
    /// @return payment The second-score price.
    /// @param persist Whether the assignment outlives this call (`settle`): the best lane then keeps the payment as its
    ///        fee and no second score, so later reads pay exactly that. `fulfill` and `slash` free the lane at once.
    function _settle(bytes32 id, Request calldata req, Sealed memory q, bool persist)
        internal
        returns (uint96 payment)
    {
        uint40 revealDeadline = _revealDeadlineOf(req);
        if (block.timestamp <= revealDeadline) {
            revert NotInPhase(id, block.timestamp, uint256(revealDeadline) + 1, type(uint40).max);
        }
        if (q.best == address(0)) revert NoBids(id);
        (uint96 fee, uint96 pay, uint32 latency, uint256 secondScore) = _sealedAssignment(req, q);
        payment = pay;
        if (persist && (secondScore != 0 || pay != fee)) _lanes[q.best][q.lane] = BidLaneLib.held(pay, latency, 0);
        q.status = Status.Assigned;
        q.deadline = revealDeadline + latency; // uint40 + uint32: fits while timestamps fit 40 bits
        q.reserveFee = 0;
        address runnerUp = _onMissOf(req) == OnMiss.RunnerUp ? _runnerUpProver(id) : address(0);
        emit AuctionSettled(id, q.best, fee, payment, q.deadline, secondScore, runnerUp);
    }

    /// @dev The runner-up kept on standby (`OnMiss.RunnerUp`), or zero.
    function _runnerUpProver(bytes32 id) internal view returns (address) {
        return _runnerUp[id].prover();
    }

    /// @dev Resolves a revealed bid that is not kept (outside the lead, or a runner-up no longer needed): frees its lane
    ///      and gives its bond back (a caller that held a pointer to it clears or overwrites it).
    function _releaseBid(bytes32 id, Request calldata req, address prover, uint8 lane) internal {
        _freeLane(prover, lane);
        _releaseBond(id, req, prover);
    }

    /// @dev Frees a prover's lane for its next bid (rewrites a non-zero slot: no fresh storage next time).
    function _freeLane(address prover, uint8 lane) internal {
        _lanes[prover][lane] = BidLaneLib.free();
    }

    function _releaseBond(bytes32 id, Request calldata req, address prover) internal {
        uint96 amount = _minCollateralOf(req);
        if (amount == 0) return;
        uint8 assetId = _assetIdOf(req);
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

    /// @dev A delivery by the assigned prover (`fulfill`, each request of `fulfillBatch`), up to the proof check: the
    ///      caller must be the assigned prover (a sealed auction whose reveal phase is over is settled on the way) and
    ///      within its deadline. Marks the request fulfilled and credits its refund (`_pay`), frees the winner's lane,
    ///      releases a kept runner-up and clears the assignment. The caller checks the proof and credits what this
    ///      returns (`_credit`: once per batch), books the job (`_bookUnits`), returns the job collateral
    ///      (`minCollateral`) and gives a standing ask its capacity back (the ask book is the market's immutable).
    /// @return id The request's id.
    /// @return fee What the delivery earns, the protocol fee included.
    /// @return protocolFee The treasury's part of `fee`.
    function _deliver(Request calldata request) internal returns (bytes32 id, uint96 fee, uint256 protocolFee) {
        id = _idOf(request);
        RequestWord w = _rawCore(id);
        if (_isSealed(w)) {
            Sealed memory q = _decodeSealed(w);
            if (_sealedAwaitingSettlement(request, q)) {
                fee = _settle(id, request, q, false);
            } else if (q.status == Status.Assigned) {
                (, fee,,) = _sealedAssignment(request, q);
            } else {
                revert WrongStatus(id, q.status);
            }
            if (msg.sender != q.best) revert NotAssignedProver(msg.sender, q.best);
            if (block.timestamp > q.deadline) revert DeadlinePassed(q.deadline);
            Core memory s;
            s.deadline = q.deadline;
            protocolFee = _pay(id, request, s, msg.sender, fee);
            _freeLane(msg.sender, q.lane);
            if (_onMissOf(request) == OnMiss.RunnerUp) {
                RunnerUp r = _runnerUp[id];
                if (r.isSet()) {
                    _runnerUp[id] = RunnerUp.wrap(0);
                    _releaseBid(id, request, r.prover(), r.lane());
                }
            }
            return (id, fee, protocolFee);
        }
        Core memory c = _loadCore(id);
        if (c.status == Status.None) revert UnknownRequest(id);
        if (c.status != Status.Assigned) revert WrongStatus(id, c.status);
        Slot memory assigned = _assignment(id, request, c);
        if (msg.sender != assigned.account) revert NotAssignedProver(msg.sender, assigned.account);
        if (block.timestamp > c.deadline) revert DeadlinePassed(c.deadline);
        bool locked = c.flags & LOCKED != 0;
        fee = assigned.fee;
        protocolFee = _pay(id, request, c, msg.sender, fee);
        // The assignment is final: clear it (the events keep the record) for the storage refund.
        if (!locked) delete _best[id];
    }

    /// @dev Checks the public inputs, that the pinned verifier still has the code the registry pinned (a verifier
    ///      replaced in place, e.g. redeployed at the same address, cannot get around the upgrade delay), and the
    ///      proof.
    function _verify(Request calldata req, uint256[8] calldata proof, uint256[] calldata publicInputs) internal view {
        if (_inputsHash(publicInputs) != _publicInputsHashOf(req)) revert PublicInputsMismatch();
        address verifier = _verifierOf(req);
        _checkVerifierCode(verifier);
        IGroth16Verifier(verifier).verifyProof(proof, publicInputs);
    }

    /// @dev The verifier still has the code the registry pinned when it was registered or proposed.
    function _checkVerifierCode(address verifier) internal view {
        bytes32 pinned = registry.verifierCodeHash(verifier);
        bytes32 actual = verifier.codehash;
        if (actual != pinned) revert VerifierCodeChanged(verifier, pinned, actual);
    }

    /// @dev `keccak256(abi.encodePacked(publicInputs))`, hashed where it lies past the free memory pointer (scratch
    ///      memory: nothing is allocated, so a batch does not grow memory per request).
    function _inputsHash(uint256[] calldata publicInputs) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            let size := shl(5, publicInputs.length)
            calldatacopy(m, publicInputs.offset, size)
            h := keccak256(m, size)
        }
    }

    /// @dev Marks the request fulfilled, credits the requester's refund and the deliverer's bounty and emits
    ///      `RequestFulfilled`. Returns the protocol fee of `fee` (the one in the request's terms, snapshotted at
    ///      submission); the caller credits it and the deliverer's share (`_credit`) and books the job (`_bookUnits`).
    function _pay(bytes32 id, Request calldata req, Core memory c, address prover, uint96 fee)
        internal
        returns (uint256 protocolFee)
    {
        c.status = Status.Fulfilled;
        bool hasBounty = c.flags & HAS_BOUNTY != 0;
        if (c.flags & LOCKED != 0) (c.reserveFee, c.bestLatency, c.secondLatency) = (0, 0, 0); // the packed prover
        c.flags = 0;
        _storeCore(id, c);
        uint8 assetId = _assetIdOf(req);
        protocolFee = uint256(fee) * _protocolFeeBpsOf(req) / BPS;
        uint256 refund = _maxFeeOf(req) - fee; // fee <= maxFee on every path (checked anyway)
        if (refund != 0) _balances[_requesterOf(req)] += refund;
        uint256 bounty;
        if (hasBounty) {
            bounty = _bounty[id];
            if (bounty != 0) {
                delete _bounty[id];
                vault.transferClaimable(assetId, prover, bounty);
            }
        }
        // fee <= maxFee < 2^96 and protocolFee <= fee (protocolFeeBps <= MAX_PROTOCOL_FEE_BPS, checked at submission).
        unchecked {
            emit RequestFulfilled(id, prover, fee - protocolFee, protocolFee, refund, bounty, assetId);
        }
    }

    /// @dev Credits a delivery's (or a batch's) earnings: `share` to the deliverer, `protocolFee` to the treasury.
    function _credit(address prover, uint256 share, uint256 protocolFee) internal {
        // Balances are backed by the ETH this contract holds, far below 2^256.
        unchecked {
            _balances[prover] += share;
            if (protocolFee != 0) _balances[_params.treasury] += protocolFee;
        }
    }

    /// @dev Calls `IProofCallback.onProofFulfilled(id, publicInputs)` on the requester with exactly its
    ///      `callbackGasLimit`, if it set one and has code (an EOA requester has nothing to call: that counts as done).
    ///      Runs after the delivery's state and payments are final. Exact gas: unless what is left, less
    ///      `CALLBACK_GAS_MARGIN` and less the 64th that EIP-150 keeps back, covers the limit, the whole delivery
    ///      reverts (`CallbackGasShort`), so a deliverer cannot starve the callback into failing. A callback that
    ///      reverts or runs out of its own gas only emits `CallbackFailed`. No return data is copied (a callee cannot
    ///      make the deliverer pay for a huge one), and the encoding's memory is freed again for the next callback.
    function _callback(bytes32 id, Request calldata req, uint256[] calldata publicInputs) internal {
        uint256 gasLimit = _callbackGasLimitOf(req);
        if (gasLimit == 0) return;
        address target = _requesterOf(req);
        if (target.code.length == 0) return;
        bytes memory data = abi.encodeCall(IProofCallback.onProofFulfilled, (id, publicInputs));
        bool short;
        bool ok;
        uint256 left;
        assembly ("memory-safe") {
            left := gas()
            switch lt(left, CALLBACK_GAS_MARGIN)
            case 1 { short := 1 }
            default {
                let usable := sub(left, CALLBACK_GAS_MARGIN)
                short := lt(sub(usable, div(usable, 64)), gasLimit)
            }
            if iszero(short) { ok := call(gasLimit, target, 0, add(data, 0x20), mload(data), 0, 0) }
            mstore(0x40, data)
        }
        // gasLimit <= MAX_CALLBACK_GAS: no overflow.
        unchecked {
            if (short) revert CallbackGasShort(id, left, CALLBACK_GAS_MARGIN + gasLimit + gasLimit / 63 + 1);
        }
        if (!ok) emit CallbackFailed(id, target);
    }

    /// @dev Current price of an open Dutch request: a ramp from max(minFee, reserve) to maxFee.
    function _dutchPrice(Request calldata req, Core memory c) internal view returns (uint256) {
        uint96 minFee = _minFeeOf(req);
        uint256 start = minFee > c.reserveFee ? minFee : c.reserveFee;
        return ReserveLib.ramp(start, _maxFeeOf(req), c.createdAt, _bidDeadlineOf(req), block.timestamp);
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
        uint256 lockTime = uint256(c.deadline) - _provingWindowOf(req);
        // ramp() lies within [minFee, maxFee] (or is maxFee), a uint96.
        return uint96(ReserveLib.ramp(_minFeeOf(req), _maxFeeOf(req), c.createdAt, _bidDeadlineOf(req), lockTime));
    }

    /// @dev The assigned prover and fee of an `Assigned` request, in either form.
    function _assignment(bytes32 id, Request calldata req, Core memory c) internal view returns (Slot memory) {
        if (c.flags & LOCKED != 0) return Slot(_lockedProver(c), _lockedPrice(req, c));
        return _best[id];
    }

    /// @dev The circuit's reserve state with its period rolled forward to now (initialised on first use). `changed`:
    ///      the caller must write it back. Reads `_params` only when a period ends.
    function _rolledFees(uint32 circuitId) internal returns (FeeState memory f, bool changed) {
        f = _fees[circuitId];
        if (f.periodEnd == 0) {
            ReserveParams memory r = _reserve;
            f.reservePerUnit = uint40(r.minPerUnit); // <= MAX_RESERVE_PER_UNIT < 2^40
            f.periodEnd = uint40(block.timestamp + _params.reservePeriod);
            f.targetUnits = uint48(r.defaultTargetUnits); // < 2^48 (setReserveParams)
            return (f, true);
        }
        if (block.timestamp < f.periodEnd) return (f, false);
        uint256 period = _params.reservePeriod;
        ReserveParams memory bounds = _reserve;
        // Periods that ended: the one that just closed and `idle` empty ones after it.
        uint256 idle = (block.timestamp - f.periodEnd) / period;
        uint256 next =
            ReserveLib.roll(f.reservePerUnit, f.usedUnits, f.targetUnits, idle, bounds.minPerUnit, bounds.maxPerUnit);
        uint256 end = f.periodEnd + (idle + 1) * period;
        emit ReservePriceUpdated(circuitId, f.reservePerUnit, next, uint40(end - period), f.usedUnits);
        f.reservePerUnit = uint40(next); // <= maxPerUnit <= MAX_RESERVE_PER_UNIT
        f.periodEnd = uint40(end);
        f.usedUnits = 0;
        return (f, true);
    }

    /// @dev Books the proving units of `jobs` fulfilled jobs of the circuit into its current reserve period.
    function _bookUnits(uint32 circuitId, uint256 jobs) internal {
        (FeeState memory f,) = _rolledFees(circuitId);
        uint256 used = uint256(f.usedUnits) + uint256(f.provingUnits) * jobs; // jobs <= MAX_BATCH
        f.usedUnits = used > type(uint64).max ? type(uint64).max : uint64(used);
        _fees[circuitId] = f;
    }

    /// @dev The protocol fee a request submitted now must carry: a due proposal, else the stored fee.
    function _effectiveProtocolFee() internal view returns (uint16) {
        Params memory p = _params;
        if (p.pendingActivatesAt != 0 && block.timestamp >= p.pendingActivatesAt) return p.pendingProtocolFeeBps;
        return p.protocolFeeBps;
    }

    /// @dev Whether `prover`'s lane `lane` holds the best bid (`Best`) or the kept runner-up (`RunnerUp`) of request
    ///      `id` (core word `w`), else `None`. `_runnerUp` is only read when `withRunnerUp`.
    function _leadingAs(bytes32 id, RequestWord w, address prover, uint8 lane, bool withRunnerUp)
        internal
        view
        returns (BidStatus)
    {
        if (_isSealed(w)) {
            Sealed memory q = _decodeSealed(w);
            if (q.best == prover && q.lane == lane) return BidStatus.Best;
        }
        if (withRunnerUp && _runnerUp[id].eq(RunnerUpLib.at(prover, lane))) return BidStatus.RunnerUp;
        return BidStatus.None;
    }

    /// @dev The id and sealed-form state of a sealed-bid request (reverts for other modes and after a slash).
    function _loadSealed(Request calldata request) internal view returns (bytes32 id, Sealed memory q) {
        id = _idOf(request);
        RequestWord w = _rawCore(id);
        if (!w.exists()) revert UnknownRequest(id);
        _requireMode(id, request, Mode.SealedBid);
        if (!_isSealed(w)) revert WrongStatus(id, Status(w.status()));
        q = _decodeSealed(w);
    }

    /// @dev Runs this call's calldata on `target`'s code in this contract's context and returns or reverts with its
    ///      result: the fallback of the market (to the extension) and of the extension (to the views). It never
    ///      returns to the caller's Solidity code, so overwriting memory from 0 is safe.
    function _delegate(address target) internal {
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}
