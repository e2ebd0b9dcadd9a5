using System.Numerics;
using System.Text;
using Nethereum.ABI;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Web3;
using TransactionReceipt = Nethereum.RPC.Eth.DTOs.TransactionReceipt;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Bindings.Lifecycle;

/// <summary>
/// A full sealed-bid request lifecycle with three provers, driven only through the generated bindings on a private anvil:
/// deploy and wire the market, register a circuit, deposit collateral, submit with escrow, commit, reveal, settle, fulfil,
/// withdraw. Every event along the way is decoded into its generated record and checked; reverts are checked as the
/// generated custom-error exception types with their typed arguments.
/// </summary>
public sealed class SealedBidLifecycleTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly BigInteger Ether = BigInteger.Pow(10, 18);

    private sealed record Bid(Signer Prover, BigInteger Fee, BigInteger Latency, byte[] Salt);

    [Fact]
    public async Task Sealed_bid_request_with_three_provers_from_deployment_to_withdrawal()
    {
        var chain = new ChainControl(anvil);
        var owner = anvil.CreateSigner(AnvilFixture.PrivateKey0);
        var requester = anvil.CreateSigner(AnvilFixture.PrivateKey1);
        var treasury = await chain.NewFundedSignerAsync(Ether);
        var provers = new List<Signer>();
        for (int i = 0; i < 3; i++)
        {
            provers.Add(await chain.NewFundedSignerAsync(10 * Ether));
        }

        // ---------------------------------------------------------------- deployment and wiring
        var web3 = owner.Web3();
        var registry = await CircuitRegistryService.DeployContractAndGetServiceAsync(web3, new CircuitRegistryService.CircuitRegistryDeployment { UpgradeDelay = 3600 });
        var vaultReceipt = await CollateralVaultService.DeployContractAndWaitForReceiptAsync(web3,
            new CollateralVaultService.CollateralVaultDeployment { InitialOwner = owner.From, UnbondingDelay = 3600 });
        var vault = new CollateralVaultService(web3, vaultReceipt.ContractAddress);
        var delay = Assert.Single(Events<CollateralVaultService.UnbondingDelaySetEventDTO>(vaultReceipt, vault));
        Eq(BigInteger.Zero, delay.PreviousDelay);
        Eq(new BigInteger(3600), delay.NewDelay);
        var eth = Assert.Single(Events<CollateralVaultService.AssetAddedEventDTO>(vaultReceipt, vault));
        Eq(BigInteger.Zero, eth.AssetId);
        Eq(Address.Zero, eth.Token);

        var extension = await ProverMarketExtensionService.DeployContractAndGetServiceAsync(web3,
            new ProverMarketExtensionService.ProverMarketExtensionDeployment { Registry = registry.ContractAddress, Vault = vault.ContractAddress });
        var deployed = await ProverMarketService.DeployContractAndGetServiceAsync(web3, new ProverMarketService.ProverMarketDeployment
        {
            InitialOwner = owner.From, Registry = registry.ContractAddress, Vault = vault.ContractAddress, Treasury = treasury.From, Extension = extension.ContractAddress,
        });
        var marketSet = Assert.Single(Events<CollateralVaultService.MarketSetEventDTO>(await vault.SetMarketRequestAndWaitForReceiptAsync(deployed.ContractAddress), vault));
        Eq(deployed.ContractAddress, marketSet.Market);

        // The market's cold paths live in the extension behind its fallback: the interface binding reaches both.
        IProverMarketService Market(Signer s) => new(s.Web3(), deployed.ContractAddress);
        var market = Market(owner);
        Eq(extension.ContractAddress, await market.ExtensionQueryAsync());
        // A protocol fee change is timelocked: proposed now, in force for new requests PARAMS_DELAY later.
        var initialFee = await market.EffectiveProtocolFeeQueryAsync();
        var proposeReceipt = await market.ProposeProtocolFeeRequestAndWaitForReceiptAsync(250);
        var proposed = Assert.Single(Events<IProverMarketService.ProtocolFeeProposedEventDTO>(proposeReceipt, market));
        Eq(new BigInteger(250), proposed.Bps);
        var paramsDelay = await market.PARAMS_DELAYQueryAsync();
        var proposedAt = (await chain.Client.GetBlockByNumberAsync((ulong)proposeReceipt.BlockNumber.Value))!.Timestamp;
        Eq(proposedAt + paramsDelay, proposed.ActivatesAt);
        var pending = await market.PendingProtocolFeeQueryAsync();
        Eq(new BigInteger(250), pending.Bps);
        Eq(proposed.ActivatesAt, pending.ActivatesAt);
        Eq(initialFee, await market.EffectiveProtocolFeeQueryAsync()); // not yet
        var early = await Assert.ThrowsAsync<CustomErrorException<IProverMarketService.ParamsNotReadyError>>(() => market.ActivateProtocolFeeRequestAndWaitForReceiptAsync());
        Eq(proposed.ActivatesAt, early.Error.ActivatesAt);
        await chain.AdvanceAsync((ulong)paramsDelay);
        Eq(new BigInteger(250), await market.EffectiveProtocolFeeQueryAsync()); // due: new requests carry it
        var feeSet = Assert.Single(Events<IProverMarketService.ProtocolFeeSetEventDTO>(await market.ActivateProtocolFeeRequestAndWaitForReceiptAsync(), market));
        Eq(new BigInteger(250), feeSet.Bps);
        var parameters = await market.ParamsQueryAsync();
        Eq(treasury.From, parameters.Treasury);
        Eq(new BigInteger(250), parameters.ProtocolFeeBps);

        // ---------------------------------------------------------------- circuit
        var verifier = await ChainControl.DeployAcceptAllVerifierAsync(owner, 1);
        var artifactsHash = Keccak.Hash(Encoding.UTF8.GetBytes("multiplier artifacts"));
        var registered = Assert.Single(Events<CircuitRegistryService.CircuitRegisteredEventDTO>(
            await registry.RegisterCircuitRequestAndWaitForReceiptAsync(verifier, "ipfs://multiplier", artifactsHash, 1000, 1), registry));
        Eq(BigInteger.One, registered.CircuitId);
        Eq(owner.From, registered.Owner);
        Eq(verifier, registered.Verifier);
        Eq(new BigInteger(1000), registered.ProvingUnits);
        Eq(BigInteger.One, registered.PublicInputCount);
        Eq(artifactsHash, registered.ArtifactsHash);
        Eq("ipfs://multiplier", registered.ArtifactsURI);
        var terms = await registry.CircuitTermsQueryAsync(1);
        Eq(verifier, terms.Verifier);
        Eq(new BigInteger(1000), terms.ProvingUnits);

        // ---------------------------------------------------------------- collateral
        foreach (var p in provers)
        {
            var depositVault = new CollateralVaultService(p.Web3(), vault.ContractAddress);
            var deposited = Assert.Single(Events<CollateralVaultService.DepositedEventDTO>(
                await depositVault.DepositEthRequestAndWaitForReceiptAsync(amountToSend: Ether), vault));
            Eq(p.From, deposited.Account);
            Eq(BigInteger.Zero, deposited.AssetId);
            Eq(Ether, deposited.Amount);
            Eq(Ether, deposited.NewFree);
        }

        // ---------------------------------------------------------------- request with escrow
        var now = await chain.NowAsync();
        var input = Encoding.UTF8.GetBytes("{\"a\":\"3\",\"b\":\"11\"}");
        List<BigInteger> publicInputs = [33];
        var maxFee = Ether / 10;
        var minCollateral = maxFee; // a sealed bid's bond (minCollateral) must be at least maxFee
        var latencyWeight = BigInteger.Pow(10, 12);
        var request = new Request(
            Requester: requester.From, CircuitId: 1, Mode: 0, OnMiss: 0, AssetId: 0,
            BidDeadline: now + 100, RevealDeadline: now + 200, ProvingWindow: 600, Verifier: verifier,
            MaxFee: maxFee, MinFee: 0, MinCollateral: minCollateral, LatencyWeight: latencyWeight, Nonce: 1,
            InputHash: Keccak.Hash(input),
            PublicInputsHash: Keccak.Hash(new ABIEncode().GetABIEncoded(new ABIValue("uint256", publicInputs[0]))),
            ProtocolFeeBps: 250, CallbackGasLimit: 0);

        // The id is keccak256(abi.encode(request)): computed here independently and by the contract.
        var expectedId = Keccak.Hash(AbiStructs.Encode(request));
        var requestId = await market.RequestIdOfQueryAsync(request);
        Eq(expectedId, requestId);

        // The terms must carry the effective protocol fee.
        var staleFee = await Assert.ThrowsAsync<CustomErrorException<IProverMarketService.ProtocolFeeMismatchError>>(
            () => Market(requester).SubmitRequestRequestAndWaitForReceiptAsync(request with { ProtocolFeeBps = initialFee }, input, string.Empty, publicInputs, amountToSend: maxFee));
        Eq(initialFee, staleFee.Error.InTerms);
        Eq(new BigInteger(250), staleFee.Error.Effective);
        var submitReceipt = await Market(requester).SubmitRequestRequestAndWaitForReceiptAsync(request, input, string.Empty, publicInputs, amountToSend: maxFee);
        var submitted = Assert.Single(Events<IProverMarketService.RequestSubmittedEventDTO>(submitReceipt, market));
        Eq(requestId, submitted.RequestId);
        Eq(requester.From, submitted.Requester);
        Eq(BigInteger.One, submitted.CircuitId);
        Eq(AbiStructs.Encode(request), AbiStructs.Encode(submitted.Request));
        Eq(new BigInteger(1000), submitted.ProvingUnits);
        Eq(input, submitted.Input);
        Eq(string.Empty, submitted.InputUri);
        Eq(publicInputs, submitted.PublicInputs);
        var state = await market.RequestStateQueryAsync(requestId);
        Eq(BigInteger.One, state.Status); // Open
        Eq(submitted.ReserveFee, state.ReserveFee);
        Assert.InRange(submitted.ReserveFee, BigInteger.One, maxFee);

        // A reveal during the commit phase is out of phase: typed error with typed arguments.
        var earlyReveal = await Assert.ThrowsAsync<CustomErrorException<IProverMarketService.NotInPhaseError>>(
            () => Market(provers[0]).RevealBidRequestAndWaitForReceiptAsync(request, Ether / 20, 100, new byte[32], 0));
        Eq(requestId, earlyReveal.Error.RequestId);
        Eq(request.BidDeadline + 1, earlyReveal.Error.From);
        Eq(request.RevealDeadline, earlyReveal.Error.Until);

        // ---------------------------------------------------------------- commit
        Bid[] bids =
        [
            new(provers[0], Ether * 5 / 100, 100, Salt(0)), // score 5.01e16
            new(provers[1], Ether * 3 / 100, 300, Salt(1)), // score 3.03e16: wins
            new(provers[2], Ether * 4 / 100, 50, Salt(2)), // score 4.005e16: runner-up
        ];
        foreach (var b in bids)
        {
            var commitment = await market.BidCommitmentQueryAsync(requestId, b.Prover.From, b.Fee, b.Latency, b.Salt);
            var local = Keccak.Hash(new ABIEncode().GetABIEncoded(new ABIValue("bytes32", requestId), new ABIValue("address", b.Prover.From.ToString()),
                new ABIValue("uint96", b.Fee), new ABIValue("uint32", b.Latency), new ABIValue("bytes32", b.Salt)));
            Eq(local, commitment);

            var receipt = await Market(b.Prover).CommitBidRequestAndWaitForReceiptAsync(request, commitment, 0);
            var committed = Assert.Single(Events<IProverMarketService.BidCommittedEventDTO>(receipt, market));
            Eq(requestId, committed.RequestId);
            Eq(b.Prover.From, committed.Prover);
            Eq(commitment, committed.Commitment);
            Eq(BigInteger.Zero, committed.Lane);
            Eq(BigInteger.One, await market.BidStatusQueryAsync(requestId, b.Prover.From, 0, commitment)); // Committed
            // The bond taken is the terms' minCollateral (the event no longer repeats it): the vault's Locked event shows it.
            var locked = Assert.Single(Events<CollateralVaultService.LockedEventDTO>(receipt, vault)); // emitted by the vault in the same transaction
            Eq(b.Prover.From, locked.Account);
            Eq(minCollateral, locked.Amount);
            Eq(Ether - minCollateral, locked.NewFree);
        }

        var again = await Assert.ThrowsAsync<CustomErrorException<IProverMarketService.LaneBusyError>>(
            () => Market(provers[0]).CommitBidRequestAndWaitForReceiptAsync(request, Salt(9), 0));
        Eq(provers[0].From, again.Error.Prover);
        Eq(BigInteger.Zero, again.Error.Lane);

        var committedLogs = await market.GetBidCommittedEventsAsync(submitReceipt.BlockNumber.Value, requestId: requestId);
        Eq(bids.Select(b => b.Prover.From), committedLogs.Select(e => e.Event.Prover));

        // ---------------------------------------------------------------- reveal
        await chain.AdvanceAsync(request.BidDeadline.ToUlong() - await chain.NowAsync() + 1);

        // A commit after the commit phase is a wrong-phase commit.
        var late = await chain.NewFundedSignerAsync(Ether);
        var lateCommit = await Assert.ThrowsAsync<CustomErrorException<IProverMarketService.NotInPhaseError>>(() => Market(late).CommitBidRequestAndWaitForReceiptAsync(request, Salt(7), 0));
        Eq(requestId, lateCommit.Error.RequestId);
        Assert.True(lateCommit.Error.NowTs > request.BidDeadline);
        Eq(BigInteger.Zero, lateCommit.Error.From); // a commit phase has no lower bound worth naming
        Eq(BigInteger.Zero, state.CreatedAt); // not kept for sealed bids: the submission block has it
        Eq(request.BidDeadline, lateCommit.Error.Until);

        var mismatch = await Assert.ThrowsAsync<CustomErrorException<IProverMarketService.RevealMismatchError>>(
            () => Market(provers[0]).RevealBidRequestAndWaitForReceiptAsync(request, bids[0].Fee + 1, bids[0].Latency, bids[0].Salt, 0));
        Eq(provers[0].From, mismatch.Error.Prover);

        int[] expectedRanks = [1, 1, 2];
        var reveals = new TransactionReceipt[bids.Length];
        for (int i = 0; i < bids.Length; i++)
        {
            var b = bids[i];
            var lastReveal = reveals[i] = await Market(b.Prover).RevealBidRequestAndWaitForReceiptAsync(request, b.Fee, b.Latency, b.Salt, 0);
            var revealed = Assert.Single(Events<IProverMarketService.BidRevealedEventDTO>(lastReveal, market));
            Eq(requestId, revealed.RequestId);
            Eq(b.Prover.From, revealed.Prover);
            Eq(b.Fee, revealed.Fee);
            Eq(b.Latency, revealed.Latency);
            Eq(new BigInteger(expectedRanks[i]), revealed.Rank);
        }

        // Only the best bid keeps its bond (onMiss = OpenSecondary): the second reveal beat prover 0, the third did not
        // lead; each released bond goes back in the same transaction, and only the second score is kept.
        Assert.Empty(Events<IProverMarketService.BondReleasedEventDTO>(reveals[0], market));
        for (int i = 1; i < 3; i++)
        {
            var who = i == 1 ? provers[0] : provers[2];
            var released = Assert.Single(Events<IProverMarketService.BondReleasedEventDTO>(reveals[i], market));
            Eq(who.From, released.Prover);
            Eq(minCollateral, released.Amount);
            Eq(who.From, Assert.Single(Events<CollateralVaultService.UnlockedEventDTO>(reveals[i], vault)).Account);
            Eq(BigInteger.One, await market.BidLaneQueryAsync(who.From, 0)); // free for its next bid
        }
        var open = await market.RequestStateQueryAsync(requestId);
        Eq(provers[1].From, open.Prover);
        Eq(bids[2].Fee + latencyWeight * bids[2].Latency, open.SecondScore);

        // ---------------------------------------------------------------- settle
        await chain.AdvanceAsync(request.RevealDeadline.ToUlong() - await chain.NowAsync() + 1);
        var settleReceipt = await Market(requester).SettleRequestAndWaitForReceiptAsync(request);
        var expectedPayment = bids[2].Fee + latencyWeight * bids[2].Latency - latencyWeight * bids[1].Latency; // second score
        var settled = Assert.Single(Events<IProverMarketService.AuctionSettledEventDTO>(settleReceipt, market));
        Eq(requestId, settled.RequestId);
        Eq(provers[1].From, settled.Winner);
        Eq(bids[1].Fee, settled.WinnerFee);
        Eq(expectedPayment, settled.Payment);
        Eq(request.RevealDeadline + bids[1].Latency, settled.Deadline);
        Eq(bids[2].Fee + latencyWeight * bids[2].Latency, settled.SecondScore);
        Eq(Address.Zero, settled.RunnerUp); // none kept with OpenSecondary
        var assigned = Assert.Single(Events<IProverMarketService.RequestAssignedEventDTO>(settleReceipt, market));
        Eq(provers[1].From, assigned.Prover);
        Eq(expectedPayment, assigned.Fee);
        Eq(settled.Deadline, assigned.Deadline);
        Eq(minCollateral, assigned.Collateral);
        Assert.Empty(Events<IProverMarketService.BondReleasedEventDTO>(settleReceipt, market)); // released at their reveals

        // ---------------------------------------------------------------- proof
        List<BigInteger> proof = [1, 2, 3, 4, 5, 6, 7, 8];
        var wrongProver = await Assert.ThrowsAsync<CustomErrorException<IProverMarketService.NotAssignedProverError>>(
            () => Market(provers[0]).FulfillRequestAndWaitForReceiptAsync(request, proof, publicInputs));
        Eq(provers[0].From, wrongProver.Error.Caller);
        Eq(provers[1].From, wrongProver.Error.Prover);

        var fulfillReceipt = await Market(provers[1]).FulfillRequestAndWaitForReceiptAsync(request, proof, publicInputs);
        var protocolFee = expectedPayment * 250 / 10_000;
        var fulfilled = Assert.Single(Events<IProverMarketService.RequestFulfilledEventDTO>(fulfillReceipt, market));
        Eq(requestId, fulfilled.RequestId);
        Eq(provers[1].From, fulfilled.Prover);
        Eq(expectedPayment - protocolFee, fulfilled.ProverPayment);
        Eq(protocolFee, fulfilled.ProtocolFee);
        Eq(maxFee - expectedPayment, fulfilled.RequesterRefund);
        Eq(BigInteger.Zero, fulfilled.Bounty);
        var unlocked = Assert.Single(Events<CollateralVaultService.UnlockedEventDTO>(fulfillReceipt, vault));
        Eq(provers[1].From, unlocked.Account);
        Eq(Ether, unlocked.NewFree);
        Eq(new BigInteger(4), (await market.RequestStateQueryAsync(requestId)).Status); // Fulfilled

        // ---------------------------------------------------------------- withdraw
        Eq(fulfilled.ProverPayment, await market.BalanceOfQueryAsync(provers[1].From));
        Eq(protocolFee, await market.BalanceOfQueryAsync(treasury.From));
        Eq(fulfilled.RequesterRefund, await market.BalanceOfQueryAsync(requester.From));

        var before = await chain.Client.GetBalanceAsync(provers[1].From);
        var withdrawReceipt = await Market(provers[1]).WithdrawRequestAndWaitForReceiptAsync(fulfilled.ProverPayment, provers[1].From);
        var withdrawn = Assert.Single(Events<IProverMarketService.WithdrawnEventDTO>(withdrawReceipt, market));
        Eq(provers[1].From, withdrawn.Account);
        Eq(provers[1].From, withdrawn.To);
        Eq(fulfilled.ProverPayment, withdrawn.Amount);
        var after = await chain.Client.GetBalanceAsync(provers[1].From);
        Eq(before + fulfilled.ProverPayment - withdrawReceipt.GasUsed.Value * withdrawReceipt.EffectiveGasPrice.Value, after);

        var overdraw = await Assert.ThrowsAsync<CustomErrorException<IProverMarketService.InsufficientBalanceError>>(
            () => Market(provers[1]).WithdrawRequestAndWaitForReceiptAsync(1, provers[1].From));
        Eq(BigInteger.One, overdraw.Error.Requested);
        Eq(BigInteger.Zero, overdraw.Error.Available);

        var refund = Assert.Single(Events<IProverMarketService.WithdrawnEventDTO>(await Market(requester).WithdrawRequestAndWaitForReceiptAsync(fulfilled.RequesterRefund, requester.From), market));
        Eq(fulfilled.RequesterRefund, refund.Amount);

        // Collateral leaves the vault through the unbonding delay.
        var proverVault = new CollateralVaultService((provers[0]).Web3(), vault.ContractAddress);
        var requested = Assert.Single(Events<CollateralVaultService.WithdrawalRequestedEventDTO>(await proverVault.RequestWithdrawalRequestAndWaitForReceiptAsync(0, Ether), proverVault));
        Eq(Ether, requested.Amount);
        Eq(BigInteger.Zero, requested.NewFree);
        await Assert.ThrowsAnyAsync<CustomErrorException>(() => proverVault.CompleteWithdrawalRequestAndWaitForReceiptAsync(0, provers[0].From));
        await chain.AdvanceAsync(3601);
        var completed = Assert.Single(Events<CollateralVaultService.WithdrawalCompletedEventDTO>(await proverVault.CompleteWithdrawalRequestAndWaitForReceiptAsync(0, provers[0].From), proverVault));
        Eq(provers[0].From, completed.Account);
        Eq(provers[0].From, completed.To);
        Eq(Ether, completed.Amount);
    }

    private static byte[] Salt(byte seed) => Keccak.Hash([seed, 0x5a]);

    /// <summary>The events of type <typeparamref name="T"/> that <paramref name="emitter"/> emitted in <paramref name="receipt"/>.</summary>
    private static List<T> Events<T>(TransactionReceipt receipt, ContractWeb3ServiceBase emitter)
        where T : class, IEventDTO, new() =>
        receipt.DecodeAllEvents<T>().Where(e => string.Equals(e.Log.Address, emitter.ContractAddress, StringComparison.OrdinalIgnoreCase)).Select(e => e.Event).ToList();

    /// <summary>Equality across the shapes a value takes here: an address as <see cref="Address"/> or as Nethereum's hex
    /// string, bytes, integers of any width, and sequences of them.</summary>
    private static void Eq(object? expected, object? actual) => Assert.Equal(Norm(expected), Norm(actual));

    private static string Norm(object? v) => v switch
    {
        null => "null",
        Address a => a.ToString().ToLowerInvariant(),
        string s when s.Length == 42 && s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => s.ToLowerInvariant(),
        byte[] b => Hex.Encode(b),
        string s => "\"" + s + "\"",
        System.Collections.IEnumerable e => "[" + string.Join(",", e.Cast<object?>().Select(Norm)) + "]",
        IConvertible c when v is not bool => new BigInteger(c.ToDecimal(System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString() ?? string.Empty,
    };
}

internal static class BigIntegerExtensions
{
    public static ulong ToUlong(this BigInteger value) => (ulong)value;
}
