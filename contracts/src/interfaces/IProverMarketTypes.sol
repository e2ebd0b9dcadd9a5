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
    /// @param callbackGasLimit Gas for `IProofCallback.onProofFulfilled` on the requester after the proof is accepted
    ///        (0: no callback; at most `MAX_CALLBACK_GAS`). The deliverer pays it, so it is part of the terms a prover
    ///        prices; the call runs with exactly this gas or the delivery reverts, so a deliverer cannot starve it.
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
        uint32 callbackGasLimit;
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
    /// @notice The requester's `onProofFulfilled` reverted or ran out of its gas. The delivery stands and is paid; the
    ///         requester can read the outcome from `requestState` (see `IProofCallback`).
    event CallbackFailed(bytes32 indexed requestId, address indexed requester);
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
    /// @notice `callbackGasLimit` above `MAX_CALLBACK_GAS`.
    error CallbackGasTooHigh(uint256 gasLimit, uint256 max);
    /// @notice Too little gas left to run a callback with its full `callbackGasLimit` (the deliverer must send more).
    error CallbackGasShort(bytes32 requestId, uint256 gasLeft, uint256 needed);
    /// @notice `fulfillBatch` got arrays of different lengths, none, or more than `MAX_BATCH`.
    error BatchSizeInvalid(uint256 requests, uint256 proofs, uint256 publicInputs);
    /// @notice Request `index` of a batch is for another circuit or pins another verifier than request 0.
    error BatchMixesCircuits(uint256 index);
    /// @notice The public inputs of request `index` of a batch do not hash to its `publicInputsHash`.
    error PublicInputsMismatchAt(uint256 index);
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
