// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProverMarketTypes} from "./IProverMarketTypes.sol";

/// @title IProverMarket
/// @notice Permissionless market for Groth16/BN254 proof jobs with four allocation modes: sealed-bid second-score
///         auction (default), reverse Dutch auction, standing asks (orderbook) and open race.
/// @dev Request terms are immutable and never stored: the request id is `keccak256(abi.encode(request))` and every
///      function that needs the terms takes the `Request` back as calldata and checks it against the id. Only the
///      mutable state (`RequestView`) lives in storage. `RequestSubmitted` carries the full terms, so an indexer (or the
///      prover worker) can rebuild every call from events alone. All ETH owed to anyone is credited to a withdrawable
///      balance (`balanceOf`) and pulled with `withdraw`; collateral and slash proceeds live in the collateral vault.
interface IProverMarket is IProverMarketTypes {
    // ------------------------------------------------------------------ requests
    /// @notice Posts a request and escrows `maxFee` (msg.value). Standing-ask requests are matched at once (the matched
    ///         prover then has `ASK_ACCEPT_WINDOW` to `acceptMatch`).
    /// @dev Refused: windows outside their bounds (`WindowOutOfRange`: a reveal window below `MIN_REVEAL_WINDOW`, or any
    ///      window above `MAX_WINDOW`, which would hold bonds hostage), a sealed-bid `minCollateral` below `maxFee`
    ///      (`BidBondBelowMaxFee`: every bid bond is worth more than any shill bid could gain), missing public inputs,
    ///      and fee terms other than the effective parameters (`FeeTermsMismatch`). The reserve price is read here but
    ///      proving units are booked only when a job is fulfilled, so submissions, cancellations and expiries cannot
    ///      move it.
    /// @param input Inline input bytes (hashed against `inputHash`), or empty when `inputUri` is used.
    /// @param publicInputs The expected public inputs (checked against `publicInputsHash` and emitted). Required.
    function submitRequest(
        Request calldata request,
        bytes calldata input,
        string calldata inputUri,
        uint256[] calldata publicInputs
    ) external payable returns (bytes32 requestId);
    /// @notice Requester cancels an unassigned request; the whole escrow is credited back.
    /// @dev Refused for an open race once a proof commitment exists (`CommitmentsExist`): the requester could
    ///      otherwise front-run a proof it saw in the mempool; and for a sealed-bid request (`WrongMode`), which could
    ///      otherwise be cancelled after the bids are seen. A
    ///      Dutch request is cancellable until it is locked, a standing-ask request until its match is accepted. A
    ///      sealed-bid request is a binding offer from its submission: it is never cancellable (with no reveal it
    ///      expires after its reveal phase, at most 2 * MAX_WINDOW later, refunding the whole escrow).
    function cancelRequest(Request calldata request) external;
    /// @notice Refunds a request nobody took or delivered in time; a held bounty goes to the treasury. Permissionless.
    function expire(Request calldata request) external;

    // ------------------------------------------------------------------ sealed bid
    /// @notice Commits `bidCommitment(requestId, msg.sender, fee, latency, salt)` in the caller's bid lane `lane` and
    ///         takes `minCollateral` as bond (from the bond balance or the vault, see `reserveCollateral`).
    /// @dev A bid lane is one storage slot per prover and lane number that is reused from bid to bid: a lane is busy
    ///      from the commit until the bid is resolved, then free for the prover's next commit. A bid is resolved at its
    ///      own reveal when it does not lead, at a later reveal that beats it, or at fulfilment, slash or forfeit. A prover bidding on k auctions at once uses k lanes. Reusing a lane rewrites a non-zero slot
    ///      (5,000 gas) where a fresh slot per bid would cost 22,100; `openBidLanes` prepares lanes ahead. An address
    ///      leads at most once per auction: a further bid of the current best bidder (or kept runner-up) is released
    ///      unranked at its reveal (rank 0).
    function commitBid(Request calldata request, bytes32 commitment, uint8 lane) external;
    /// @notice Reveals the bid committed in the caller's lane `lane` during the reveal phase.
    function revealBid(Request calldata request, uint96 fee, uint32 latency, bytes32 salt, uint8 lane) external;
    /// @notice Assigns the auction after the reveal phase. Permissionless and deterministic; `fulfill` and `slash`
    ///         settle implicitly, so calling it is optional.
    function settle(Request calldata request) external;
    /// @notice After the reveal phase, burns the bond of a bid never revealed and frees the lane. Permissionless:
    ///         `prover`, `lane` and `commitment` are in `BidCommitted`.
    /// @dev The bond is burnt (credited to `BURN_ADDRESS` in the vault, which nobody can claim), never paid to the
    ///      requester: a requester bidding through a second address could otherwise commit a grid of shill bids, reveal
    ///      only the one just above the best honest score (lowering the second score) and recover every other bond as
    ///      a forfeit. Nor to the treasury, so the market's owner gains nothing from shills either.
    function forfeitBond(Request calldata request, address prover, uint8 lane, bytes32 commitment) external;
    /// @notice Prepares the caller's bid lanes `firstLane` .. `firstLane + count - 1` (those never used), so that
    ///         its first bids in them rewrite a slot instead of creating one. Optional set-up, like a deposit.
    function openBidLanes(uint8 firstLane, uint8 count) external;

    // ------------------------------------------------------------------ standing asks
    /// @notice The matched prover takes the job: locks `minCollateral` (at most its ask's `maxCollateral`, checked at
    ///         the match) and its proving deadline starts now (now + the ask's latency).
    function acceptMatch(Request calldata request) external;
    /// @notice The matched prover declines (e.g. its preflight of the input failed): it locks nothing, its ask keeps
    ///         its place, and the request goes to the next ask in the book, or opens for secondary delivery at the
    ///         matched fee when none is left.
    function declineMatch(Request calldata request) external;
    /// @notice After the acceptance window, anyone moves a silent match on: the silent ask is removed from the book
    ///         (its prover loses nothing else) and the request goes on as after `declineMatch`.
    function lapseMatch(Request calldata request) external;

    // ------------------------------------------------------------------ Dutch
    /// @notice Takes a Dutch job at the current price, locking `minCollateral`.
    function lockDutch(Request calldata request) external;

    // ------------------------------------------------------------------ proofs and deadlines
    /// @notice The assigned prover delivers its proof before its deadline and is paid.
    /// @dev A sealed auction whose reveal phase is over is settled on the way. When the terms set `callbackGasLimit`,
    ///      the requester is then called back (`IProofCallback.onProofFulfilled`) with exactly that gas, after every
    ///      payment is credited: the caller must send enough gas for it, or the delivery reverts (`CallbackGasShort`);
    ///      a callback that fails only emits `CallbackFailed`.
    function fulfill(Request calldata request, uint256[8] calldata proof, uint256[] calldata publicInputs) external;
    /// @notice The assigned prover delivers several proofs for one circuit and verifier in one transaction: each request
    ///         is checked, paid and called back exactly as by `fulfill`, and the proofs are verified together by the
    ///         verifier's `verifyProofBatch` (n + 3 pairings for n proofs instead of 4n).
    /// @dev Every request must be assigned to the caller (a sealed auction it won is settled here, as in `fulfill`), be
    ///      within its deadline and be for `requests[0]`'s circuit and verifier (`BatchMixesCircuits`); open races and
    ///      secondary deliveries are two-step (`revealProof`) and not batched. Public inputs that do not match a
    ///      request's `publicInputsHash` revert `PublicInputsMismatchAt(index)`; one bad proof reverts the whole batch,
    ///      naming its index (`IGroth16BatchVerifier.InvalidProofAt`); a request listed twice is Fulfilled the second
    ///      time (`WrongStatus`). 1 to `MAX_BATCH` requests, one proof and one input list each (`BatchSizeInvalid`).
    ///      The callbacks run after every request of the batch is paid; the caller must send enough gas for all.
    /// @param proofs One proof per request, in the order of `fulfill`'s `proof`.
    /// @param publicInputs One list of public inputs per request.
    function fulfillBatch(
        Request[] calldata requests,
        uint256[8][] calldata proofs,
        uint256[][] calldata publicInputs
    ) external;
    /// @notice Step one of an open submission (race or secondary): `proofCommitment(requestId, msg.sender, proof)`.
    ///         The first commitment to an open race or secondary delivery is recorded in the request (its block).
    function commitProof(bytes32 requestId, bytes32 commitment) external;
    /// @notice Step two, at least one block after the commitment: verifies and pays fee (+ bounty), then calls the
    ///         requester back as `fulfill` does.
    /// @dev The first commitment wins if it is revealed within `PROOF_REVEAL_BLOCKS` of its block: a reveal of a
    ///      later commitment is refused (`EarlierCommitmentPending`) until that window is over. So a block builder that
    ///      holds the first prover's reveal back and copies the proof into its own later commitment cannot be paid
    ///      first. The prover slashed on this request may not deliver it (`SlashedProverExcluded`).
    function revealProof(Request calldata request, uint256[8] calldata proof, uint256[] calldata publicInputs) external;
    /// @notice Slashes the assigned prover after its deadline. Permissionless.
    /// @dev `SLASH_BURN_BPS` of the collateral is burnt whoever delivers afterwards; the rest goes to the requester
    ///      (`SLASH_REQUESTER_BPS` of it) and to the delivery bounty. The split is fixed in code, so no parameter
    ///      change can reach a job in flight. The slashed prover is excluded from
    ///      the secondary delivery, so it cannot win its own bounty back.
    function slash(Request calldata request) external;
    /// @notice Pays out the caller's ETH balance.
    function withdraw(uint256 amount, address to) external;

    // ------------------------------------------------------------------ bond balances
    /// @notice Moves `amount` of the caller's free vault collateral into its bond balance: collateral the vault keeps
    ///         locked for this market that backs no job yet. Every bond or job collateral the market takes
    ///         (`commitBid`, `lockDutch`, a standing-ask match) comes from the bond balance when it covers the whole
    ///         amount, else from the free vault balance. Once a prover has reserved (in that asset), every release
    ///         goes back to its bond balance; before, releases go back to the free vault balance. A prover that keeps
    ///         its collateral here pays one storage write per take or release instead of a vault call.
    /// @dev Opt-in: an operator reserves once after its vault deposit (`pmc demo` does). An indexer replays the rule
    ///      above from the events alone.
    function reserveCollateral(uint8 assetId, uint256 amount) external;
    /// @notice Moves `amount` of the caller's bond balance back to its free vault balance (from where a vault
    ///         withdrawal, with its unbonding delay, pays it out). Collateral backing a bid or job is not in the bond
    ///         balance and cannot be released.
    function releaseCollateral(uint8 assetId, uint256 amount) external;

    // ------------------------------------------------------------------ views
    /// @notice The id of a request: keccak256(abi.encode(request)).
    function requestIdOf(Request calldata request) external pure returns (bytes32);
    /// @notice The commitment a bidder posts in `commitBid`.
    function bidCommitment(bytes32 requestId, address prover, uint96 fee, uint32 latency, bytes32 salt)
        external
        pure
        returns (bytes32);
    /// @notice The commitment an open submitter posts in `commitProof`.
    function proofCommitment(bytes32 requestId, address submitter, uint256[8] calldata proof)
        external
        pure
        returns (bytes32);
    /// @notice Mutable state of a request (zeroed prover/fee once fulfilled: the events keep the record).
    /// @dev A Dutch job locked while its ramp started at `minFee` keeps only its prover: `reserveFee` and
    ///      `proverLatency` read 0, and `fee` too until a slash stores it for secondary delivery (the price follows
    ///      from the lock time: `dutchPrice(request)` and `RequestAssigned` give it).
    function requestState(bytes32 requestId) external view returns (RequestView memory);
    /// @notice Where the bid `commitment` of `prover` in lane `lane` for `requestId` stands (see `BidStatus`).
    function bidStatus(bytes32 requestId, address prover, uint8 lane, bytes32 commitment)
        external
        view
        returns (BidStatus);
    /// @notice The raw word of a bid lane: 0 or 1 when free; `uint256(keccak256(abi.encode(requestId, commitment)))
    ///         >> 1` while committed; at least 2^255 while it holds a revealed bid that leads (fee in bits 0-95,
    ///         latency in 96-127, and in the best bid's lane the second score + 1 in 128-254; a kept runner-up's lane
    ///         may carry a stale value there, never read).
    function bidLane(address prover, uint8 lane) external view returns (uint256);
    /// @notice Block in which an open-submission commitment was posted (0 if never).
    function proofCommitBlock(bytes32 commitment) external view returns (uint256);
    /// @notice ETH withdrawable by `account` (payments, refunds, protocol fees).
    function balanceOf(address account) external view returns (uint256);
    /// @notice A prover's bond balance in `assetId` (see `reserveCollateral`): locked in the vault, backing no job.
    function bondBalance(address prover, uint8 assetId) external view returns (uint256);
    /// @notice Current price of an open Dutch request; once locked (and after a slash), the price it was locked at.
    ///         Reverts `WrongMode` for other modes.
    ///         After fulfilment (or cancellation, expiry) it is the ramp's value now, not what was paid: read the paid
    ///         amount from `RequestFulfilled`.
    function dutchPrice(Request calldata request) external view returns (uint256);
    /// @notice Reserve-price state of a circuit.
    function feeState(uint32 circuitId) external view returns (FeeState memory);
    /// @notice A proposed protocol fee and when it takes effect (both zero: none).
    function pendingProtocolFee() external view returns (uint16 bps, uint40 activatesAt);
    /// @notice The protocol fee a request submitted now must carry in its terms.
    function effectiveProtocolFee() external view returns (uint16);
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
        );
    /// @notice Delay between `proposeProtocolFee` and the new fee applying to new requests.
    function PARAMS_DELAY() external view returns (uint32);
    /// @notice Shortest sealed-bid reveal phase accepted at submission (seconds).
    function MIN_REVEAL_WINDOW() external view returns (uint32);
    /// @notice Longest commit phase, reveal phase, Dutch ramp or proving window accepted at submission (seconds).
    function MAX_WINDOW() external view returns (uint32);
    /// @notice Share of a slash that is burnt (bps).
    function SLASH_BURN_BPS() external view returns (uint16);
    /// @notice Share of the unburnt rest of a slash that goes to the requester (bps); the delivery bounty gets the rest.
    function SLASH_REQUESTER_BPS() external view returns (uint16);
    /// @notice Where burnt bonds and collateral go (a vault claimable balance nobody can claim).
    function BURN_ADDRESS() external view returns (address);
    /// @notice Seconds a matched standing-ask prover has to accept.
    function ASK_ACCEPT_WINDOW() external view returns (uint32);
    /// @notice Matches per standing-ask request before it opens for secondary delivery.
    function MAX_MATCH_ATTEMPTS() external view returns (uint8);
    /// @notice Blocks the first proof commitment has to be revealed before a later one can be paid.
    function PROOF_REVEAL_BLOCKS() external view returns (uint64);
    /// @notice The largest `callbackGasLimit` a request may set.
    function MAX_CALLBACK_GAS() external view returns (uint32);
    /// @notice The most requests one `fulfillBatch` takes.
    function MAX_BATCH() external view returns (uint256);

    /// @notice The collateral vault, circuit registry, ask book and the delegate holding the cold-path code.
    function vault() external view returns (address);
    function registry() external view returns (address);
    function askBook() external view returns (address);
    function extension() external view returns (address);

    // ------------------------------------------------------------------ owner (bounded parameters)
    /// @notice Current owner of the parameters.
    function owner() external view returns (address);
    /// @notice Proposed owner awaiting `acceptOwnership`.
    function pendingOwner() external view returns (address);
    /// @notice Starts a two-step ownership transfer.
    function transferOwnership(address newOwner) external;
    /// @notice Completes an ownership transfer (pending owner only).
    function acceptOwnership() external;
    /// @notice Where protocol fees and unclaimed bounties go.
    function setTreasury(address treasury) external;
    /// @notice Proposes a protocol fee (at most MAX_PROTOCOL_FEE_BPS, 10%). It takes effect `PARAMS_DELAY` later, like a
    ///         verifier upgrade, and only for requests submitted from then on: every request carries the fee it was
    ///         submitted under. A new proposal replaces a pending one.
    function proposeProtocolFee(uint16 bps) external;
    /// @notice Makes a due proposal the stored fee (permissionless; submissions use a due proposal anyway).
    function activateProtocolFee() external;
    /// @notice period in [1 minute, 7 days], minPerUnit <= maxPerUnit <= 1e12 wei, defaultTargetUnits > 0.
    function setReserveParams(uint32 period, uint96 minPerUnit, uint96 maxPerUnit, uint56 defaultTargetUnits) external;
    /// @notice Target utilization (proving units per period) of one circuit.
    function setCircuitTarget(uint32 circuitId, uint56 targetUnits) external;
}
