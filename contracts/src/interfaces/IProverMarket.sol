// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProverMarketTypes
/// @notice Types, events and errors of the prover market (shared by `IProverMarket` and its implementation).
interface IProverMarketTypes {
    /// @notice How the job is allocated.
    enum Mode {
        SealedBid,
        Dutch,
        StandingAsk,
        OpenRace
    }

    /// @notice What happens to a job after its assigned prover is slashed.
    enum OnMiss {
        OpenSecondary,
        RunnerUp
    }

    /// @notice Lifecycle of a request.
    /// @dev Open: accepting bids / locks / race proofs. Assigned: one prover must prove by `deadline`.
    ///      Secondary: the assigned prover was slashed (or no standing ask accepted the job); anyone but the slashed
    ///      prover may deliver (two-step) by `deadline` for fee + bounty.
    ///      Matched: a standing-ask request matched an ask; the ask's prover may `acceptMatch` (or `declineMatch`)
    ///      until `deadline`. Nothing of the prover's is locked and no proving deadline runs before it accepts.
    enum Status {
        None,
        Open,
        Assigned,
        Secondary,
        Fulfilled,
        Cancelled,
        Expired,
        Matched
    }

    /// @notice Immutable terms of a request (hashed into its id).
    /// @param requester Who pays; must be the submitter.
    /// @param circuitId Circuit in the registry.
    /// @param mode Allocation mode.
    /// @param onMiss Fallback after a missed deadline (RunnerUp applies to sealed-bid only).
    /// @param assetId Collateral asset in the vault (0 = ETH).
    /// @param bidDeadline Sealed: end of the commit phase. Dutch: end of the price ramp and of locking.
    /// @param revealDeadline Sealed: end of the reveal phase (the winner's clock starts here). Ignored otherwise.
    /// @param provingWindow Seconds allowed to prove: upper bound on promised latency (sealed), the proving time after
    ///        a lock (Dutch), the race duration (open race) and the secondary fulfilment window after a slash.
    /// @param verifier The verifier the requester pins; must be the circuit's active verifier at submission.
    /// @param maxFee Escrowed fee (msg.value), the most the prover can be paid.
    /// @param minFee Dutch start price (raised to the reserve). Ignored otherwise.
    /// @param minCollateral Collateral the assigned prover locks (also the sealed-bid bid bond).
    /// @param latencyWeight Sealed: wei added to a bid's score per second of promised latency.
    /// @param nonce Any value that makes the id unique for the requester.
    /// @param inputHash keccak256 of the input (inline bytes are checked; a URI's content cannot be).
    /// @param publicInputsHash keccak256(abi.encodePacked(publicInputs)) the proof must match; the public inputs are
    ///        always published with the request, so every prover can preflight its witness against them.
    /// @param protocolFeeBps The protocol fee this request pays: must equal the market's effective fee at submission,
    ///        so a later (timelocked) change never reaches a request in flight. (The slash split, the other parameter
    ///        that moves money in flight, is fixed in code: see `slash`.)
    struct Request {
        address requester;
        uint32 circuitId;
        Mode mode;
        OnMiss onMiss;
        uint8 assetId;
        uint40 bidDeadline;
        uint40 revealDeadline;
        uint32 provingWindow;
        address verifier;
        uint96 maxFee;
        uint96 minFee;
        uint96 minCollateral;
        uint64 latencyWeight;
        uint64 nonce;
        bytes32 inputHash;
        bytes32 publicInputsHash;
        uint16 protocolFeeBps;
    }

    /// @notice Mutable state of a request.
    /// @param createdAt Submission time (0 for a sealed-bid request, whose state slot does not keep it: the block of
    ///        `RequestSubmitted` gives it).
    /// @param deadline Proving deadline once assigned (a sealed auction's from settlement on).
    /// @param reserveFee The reserve fee booked at submission (0 once a sealed auction is settled).
    /// @param prover Assigned prover; in an open sealed auction, the current best bidder.
    /// @param fee Payment on fulfilment. For a sealed auction: the best bid's own fee until it is settled; after an
    ///        explicit `settle`, the payment (the winner's lane then keeps the payment and no second score). A
    ///        settlement inside `fulfill` or `slash` stores nothing: `AuctionSettled` and `RequestAssigned` report the
    ///        payment. With no second bid the winner is paid its own fee.
    /// @param proverLane Sealed: the bid lane holding the best bid (see `commitBid`).
    /// @param secondScore Sealed, until an explicit `settle`: the score of the second-best revealed bid (0: none).
    /// @param runnerUp Sealed with `OnMiss.RunnerUp`: the second-best bidder, kept on standby with its bond.
    /// @param bounty Slashed collateral held for whoever delivers the proof after a slash (vault units of assetId).
    /// @param excluded Secondary: the slashed prover, who may not deliver (and so cannot win its own bounty back).
    /// @param firstCommitBlock Open race and secondary delivery: the block of the first proof commitment (0: none);
    ///        a later commitment's reveal only pays once that one's reveal window (`PROOF_REVEAL_BLOCKS`) is over.
    struct RequestView {
        Status status;
        uint40 createdAt;
        uint40 deadline;
        uint96 reserveFee;
        address prover;
        uint96 fee;
        uint32 proverLatency;
        uint8 proverLane;
        uint256 secondScore;
        address runnerUp;
        uint96 runnerUpFee;
        uint32 runnerUpLatency;
        uint256 bounty;
        address excluded;
        uint64 firstCommitBlock;
    }

    /// @notice Where a sealed bid stands, as far as storage tells (`bidStatus`).
    /// @dev None: the lane does not hold this bid: never committed there, or already resolved (a revealed bid outside
    ///      the lead had its bond released and its lane freed at once; the events keep the record).
    enum BidStatus {
        None,
        Committed,
        Best,
        RunnerUp
    }

    /// @notice EIP-1559-style reserve state of a circuit (one slot).
    /// @param reservePerUnit Reserve price per proving unit (wei, at most `MAX_RESERVE_PER_UNIT`).
    /// @param periodEnd End of the current reserve period.
    /// @param usedUnits Proving units of the jobs fulfilled in the current period (only delivered work counts).
    /// @param targetUnits Target utilisation per period.
    /// @param provingUnits The circuit's proving units (from the registry, cached at the first submission).
    struct FeeState {
        uint40 reservePerUnit;
        uint40 periodEnd;
        uint64 usedUnits;
        uint48 targetUnits;
        uint64 provingUnits;
    }

    // ------------------------------------------------------------------ events: requests
    event RequestSubmitted(
        bytes32 indexed requestId,
        address indexed requester,
        uint32 indexed circuitId,
        Request request,
        uint256 provingUnits,
        uint256 reserveFee,
        bytes input,
        string inputUri,
        uint256[] publicInputs
    );
    event RequestCancelled(bytes32 indexed requestId, address indexed requester, uint256 refund);
    event RequestExpired(
        bytes32 indexed requestId, address indexed requester, uint256 refund, uint256 bountyToTreasury
    );
    /// @notice A prover became responsible for the job (sealed settlement by `settle` or `slash`, Dutch lock, accepted
    ///         ask match, runner-up takeover). `collateral` backs the job from here on. It is taken at this event for a
    ///         Dutch lock and an ask acceptance; after a sealed settlement or a runner-up takeover it is the bid bond
    ///         already taken at `commitBid`. A sealed auction settled inside `fulfill` emits `AuctionSettled` (its
    ///         assignment record) and `RequestFulfilled`, not this event.
    event RequestAssigned(
        bytes32 indexed requestId,
        address indexed prover,
        uint256 fee,
        uint40 deadline,
        uint8 assetId,
        uint256 collateral
    );
    event RequestFulfilled(
        bytes32 indexed requestId,
        address indexed prover,
        uint256 proverPayment,
        uint256 protocolFee,
        uint256 requesterRefund,
        uint256 bounty,
        uint8 assetId
    );
    /// @param burned The share burnt (`SLASH_BURN_BPS` of `amount`); `toRequester` and `toBounty` split the rest.
    event ProverSlashed(
        bytes32 indexed requestId,
        address indexed prover,
        uint8 assetId,
        uint256 amount,
        uint256 burned,
        uint256 toRequester,
        uint256 toBounty,
        Status nextStatus
    );
    event SecondaryOpened(bytes32 indexed requestId, uint40 deadline, uint256 fee, uint256 bounty);
    /// @notice A standing-ask request matched `prover`'s ask at `fee`; it may accept until `acceptBy`. Nothing is locked
    ///         yet. `attempt` counts the matches of this request (1 at submission).
    event RequestMatched(
        bytes32 indexed requestId, address indexed prover, uint256 fee, uint32 latency, uint40 acceptBy, uint8 attempt
    );
    /// @notice The matched prover declined (`silent` false) or let the acceptance window pass (`silent` true; its ask
    ///         was then removed from the book). Neither costs it collateral.
    event MatchDeclined(bytes32 indexed requestId, address indexed prover, bool silent);

    // ------------------------------------------------------------------ events: bond balances
    /// @notice `reserveCollateral`: `amount` moved from the prover's free vault balance into its bond balance.
    event CollateralReserved(address indexed prover, uint8 indexed assetId, uint256 amount, uint256 newBondBalance);
    /// @notice `releaseCollateral`: `amount` moved from the prover's bond balance back to its free vault balance.
    event CollateralReleased(address indexed prover, uint8 indexed assetId, uint256 amount, uint256 newBondBalance);

    // ------------------------------------------------------------------ events: sealed bids
    /// @param lane The prover's bid lane that holds the commitment (see `commitBid`). The bond taken is the terms'
    ///        `minCollateral` of asset `assetId` (in `RequestSubmitted`).
    event BidCommitted(bytes32 indexed requestId, address indexed prover, bytes32 commitment, uint8 lane);
    /// @param rank 1 = now best, 2 = now second (it sets the second score), 0 = neither. The bid's score is
    ///        `fee + latencyWeight * latency` (`latencyWeight` in the terms). Only the best bid keeps its
    ///        bond and lane, plus the second with `OnMiss.RunnerUp`; every other revealed bid gets its bond back
    ///        (`BondReleased`) and its lane freed in the same transaction, including a best bid that a later reveal
    ///        beats.
    event BidRevealed(bytes32 indexed requestId, address indexed prover, uint256 fee, uint32 latency, uint8 rank);
    /// @notice A bond stopped backing `requestId` and went back to the prover: to its bond balance (`bondBalance`,
    ///         still locked in the vault) if it ever reserved in this asset, else to its free vault balance (the vault
    ///         then emits `Unlocked`). The job collateral of an assigned prover paid by `fulfill` (`minCollateral` of
    ///         the terms; the request saw `RequestAssigned` and no `SecondaryOpened` since) goes back by the same rule
    ///         on its `RequestFulfilled`; a `RequestFulfilled` from `revealProof` (open race, secondary delivery)
    ///         returns nothing. A take comes from the bond balance when it covers the whole amount, else from the
    ///         vault (which then emits `Locked`), so replaying these events rebuilds every bond balance.
    event BondReleased(bytes32 indexed requestId, address indexed prover, uint8 assetId, uint256 amount);
    event BondForfeited(
        bytes32 indexed requestId, address indexed prover, uint8 assetId, uint256 amount, address indexed beneficiary
    );
    /// @param secondScore Score of the second-best bid (0: none), which sets `payment`.
    /// @param runnerUp The second-best bidder kept on standby (`OnMiss.RunnerUp`), else zero.
    event AuctionSettled(
        bytes32 indexed requestId,
        address indexed winner,
        uint256 winnerFee,
        uint256 payment,
        uint40 deadline,
        uint256 secondScore,
        address runnerUp
    );
    /// @notice A prover prepared `count` bid lanes from `firstLane` on (`openBidLanes`).
    event BidLanesOpened(address indexed prover, uint8 firstLane, uint8 count);

    // ------------------------------------------------------------------ events: open proofs, reserve, balances
    event ProofCommitted(bytes32 indexed requestId, address indexed submitter, bytes32 commitment, uint256 blockNumber);
    event ReservePriceUpdated(
        uint32 indexed circuitId,
        uint256 previousPerUnit,
        uint256 newPerUnit,
        uint40 periodStart,
        uint64 usedUnitsLastPeriod
    );
    event Withdrawn(address indexed account, address indexed to, uint256 amount);

    // ------------------------------------------------------------------ events: parameters
    event TreasurySet(address indexed treasury);
    /// @notice A protocol fee change was proposed; it takes effect at `activatesAt` (`PARAMS_DELAY` from now) and only
    ///         for requests submitted from then on (see `Request.protocolFeeBps`).
    event ProtocolFeeProposed(uint16 bps, uint40 activatesAt);
    /// @notice The stored protocol fee (emitted at deployment and when a proposal is activated).
    event ProtocolFeeSet(uint16 bps);
    event ReserveParamsSet(uint32 period, uint96 minPerUnit, uint96 maxPerUnit, uint56 defaultTargetUnits);
    event CircuitTargetSet(uint32 indexed circuitId, uint56 targetUnits);

    // ------------------------------------------------------------------ errors
    error RequestExists(bytes32 requestId);
    error UnknownRequest(bytes32 requestId);
    error WrongStatus(bytes32 requestId, Status status);
    error WrongMode(bytes32 requestId, Mode mode);
    error NotRequester(address caller);
    error WrongEscrow(uint256 sent, uint256 maxFee);
    error VerifierNotActive(address pinned, address active);
    error MaxFeeBelowReserve(uint256 maxFee, uint256 reserveFee);
    error InputHashMismatch();
    error PublicInputsMismatch();
    error NotInPhase(bytes32 requestId, uint256 nowTs, uint256 from, uint256 until);
    error LaneBusy(address prover, uint8 lane);
    error ReserveTooLargeForSealedBid(uint256 reserveFee);
    error NoCommitment(bytes32 requestId, address prover);
    error AlreadyRevealed(bytes32 requestId, address prover);
    error RevealMismatch(bytes32 requestId, address prover);
    error BidOutOfRange(uint256 fee, uint256 reserveFee, uint256 maxFee, uint32 latency, uint32 provingWindow);
    error NoBids(bytes32 requestId);
    error NotAssignedProver(address caller, address prover);
    error DeadlinePassed(uint40 deadline);
    error DeadlineNotPassed(uint40 deadline);
    error NotExpirable(bytes32 requestId);
    error ProofNotCommitted(bytes32 commitment);
    error ProofCommittedThisBlock(bytes32 commitment);
    error ZeroCommitment();
    error ProofAlreadyCommitted(bytes32 commitment);
    error InputMissing();
    error InsufficientBalance(uint256 requested, uint256 available);
    error ParamOutOfRange(uint256 value, uint256 min, uint256 max);
    error ZeroAddress();
    error InsufficientBondBalance(address prover, uint8 assetId, uint256 requested, uint256 available);
    error ZeroAmount();
    error WindowOutOfRange(uint256 value, uint256 min, uint256 max);
    error BidBondBelowMaxFee(uint256 minCollateral, uint256 maxFee);
    error PublicInputsMissing();
    error ProtocolFeeMismatch(uint16 inTerms, uint16 effective);
    error CommitmentsExist(bytes32 requestId);
    error EarlierCommitmentPending(bytes32 requestId, uint256 firstCommitBlock, uint256 revealableFrom);
    error SlashedProverExcluded(address prover);
    error NotMatchedProver(address caller, address prover);
    error AcceptWindowOpen(uint40 acceptBy);
    error VerifierCodeChanged(address verifier, bytes32 pinned, bytes32 actual);
    error NoPendingParams();
    error ParamsNotReady(uint40 activatesAt);
}

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
    function fulfill(Request calldata request, uint256[8] calldata proof, uint256[] calldata publicInputs) external;
    /// @notice Step one of an open submission (race or secondary): `proofCommitment(requestId, msg.sender, proof)`.
    ///         The first commitment to an open race or secondary delivery is recorded in the request (its block).
    function commitProof(bytes32 requestId, bytes32 commitment) external;
    /// @notice Step two, at least one block after the commitment: verifies and pays fee (+ bounty).
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
