using System.Numerics;
using System.Text;
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
        var registry = await CircuitRegistry.DeployAsync(owner, 3600);
        var vault = await CollateralVault.DeployAsync(owner, owner.From, 3600);
        var delay = Assert.Single(vault.DecodeUnbondingDelaySetEvents(vault.DeploymentReceipt!));
        Assert.Equal(BigInteger.Zero, delay.PreviousDelay);
        Assert.Equal(new BigInteger(3600), delay.NewDelay);
        var eth = Assert.Single(vault.DecodeAssetAddedEvents(vault.DeploymentReceipt!));
        Assert.Equal(BigInteger.Zero, eth.AssetId);
        Assert.Equal(Address.Zero, eth.Token);

        var extension = await ProverMarketExtension.DeployAsync(owner, registry.Address, vault.Address);
        var deployed = await ProverMarket.DeployAsync(owner, owner.From, registry.Address, vault.Address, treasury.From, extension.Address);
        var marketSet = Assert.Single(vault.DecodeMarketSetEvents(await vault.SetMarketRequestAndWaitForReceiptAsync(deployed.Address)));
        Assert.Equal(deployed.Address, marketSet.Market);

        // The market's cold paths live in the extension behind its fallback: the interface binding reaches both.
        IProverMarketService Market(Signer s) => new(s, deployed.Address);
        var market = Market(owner);
        Assert.Equal(extension.Address, await market.ExtensionQueryAsync());
        // A protocol fee change is timelocked: proposed now, in force for new requests PARAMS_DELAY later.
        var initialFee = await market.EffectiveProtocolFeeQueryAsync();
        var proposeReceipt = await market.ProposeProtocolFeeRequestAndWaitForReceiptAsync(250);
        var proposed = Assert.Single(market.DecodeProtocolFeeProposedEvents(proposeReceipt));
        Assert.Equal(new BigInteger(250), proposed.Bps);
        var paramsDelay = await market.PARAMS_DELAYQueryAsync();
        var proposedAt = (await chain.Client.GetBlockByNumberAsync(proposeReceipt.BlockNumber))!.Timestamp;
        Assert.Equal(proposedAt + paramsDelay, proposed.ActivatesAt);
        var pending = await market.PendingProtocolFeeQueryAsync();
        Assert.Equal(new BigInteger(250), pending.Bps);
        Assert.Equal(proposed.ActivatesAt, pending.ActivatesAt);
        Assert.Equal(initialFee, await market.EffectiveProtocolFeeQueryAsync()); // not yet
        var early = await Assert.ThrowsAsync<IProverMarketService.ParamsNotReadyError>(() => market.ActivateProtocolFeeRequestAndWaitForReceiptAsync());
        Assert.Equal(proposed.ActivatesAt, early.ActivatesAt);
        await chain.AdvanceAsync((ulong)paramsDelay);
        Assert.Equal(new BigInteger(250), await market.EffectiveProtocolFeeQueryAsync()); // due: new requests carry it
        var feeSet = Assert.Single(market.DecodeProtocolFeeSetEvents(await market.ActivateProtocolFeeRequestAndWaitForReceiptAsync()));
        Assert.Equal(new BigInteger(250), feeSet.Bps);
        var parameters = await market.ParamsQueryAsync();
        Assert.Equal(treasury.From, parameters.Treasury);
        Assert.Equal(new BigInteger(250), parameters.ProtocolFeeBps);

        // ---------------------------------------------------------------- circuit
        var verifier = await ChainControl.DeployAcceptAllVerifierAsync(owner, 1);
        var artifactsHash = Keccak.Hash(Encoding.UTF8.GetBytes("multiplier artifacts"));
        var registered = Assert.Single(registry.DecodeCircuitRegisteredEvents(
            await registry.RegisterCircuitRequestAndWaitForReceiptAsync(verifier, "ipfs://multiplier", artifactsHash, 1000, 1)));
        Assert.Equal(BigInteger.One, registered.CircuitId);
        Assert.Equal(owner.From, registered.Owner);
        Assert.Equal(verifier, registered.Verifier);
        Assert.Equal(new BigInteger(1000), registered.ProvingUnits);
        Assert.Equal(BigInteger.One, registered.PublicInputCount);
        Assert.Equal(artifactsHash, registered.ArtifactsHash);
        Assert.Equal("ipfs://multiplier", registered.ArtifactsURI);
        var terms = await registry.CircuitTermsQueryAsync(1);
        Assert.Equal(verifier, terms.Verifier);
        Assert.Equal(new BigInteger(1000), terms.ProvingUnits);

        // ---------------------------------------------------------------- collateral
        foreach (var p in provers)
        {
            var deposited = Assert.Single(new CollateralVaultService(p.Web3(), vault.ContractAddress).DecodeDepositedEvents(
                await new CollateralVaultService(p.Web3(), vault.ContractAddress).DepositEthRequestAndWaitForReceiptAsync(amountToSend: Ether)));
            Assert.Equal(p.From, deposited.Account);
            Assert.Equal(BigInteger.Zero, deposited.AssetId);
            Assert.Equal(Ether, deposited.Amount);
            Assert.Equal(Ether, deposited.NewFree);
        }

        // ---------------------------------------------------------------- request with escrow
        var now = await chain.NowAsync();
        var input = Encoding.UTF8.GetBytes("{\"a\":\"3\",\"b\":\"11\"}");
        BigInteger[] publicInputs = [33];
        var maxFee = Ether / 10;
        var minCollateral = maxFee; // a sealed bid's bond (minCollateral) must be at least maxFee
        var latencyWeight = BigInteger.Pow(10, 12);
        var request = new Request(
            Requester: requester.From, CircuitId: 1, Mode: 0, OnMiss: 0, AssetId: 0,
            BidDeadline: now + 100, RevealDeadline: now + 200, ProvingWindow: 600, Verifier: verifier,
            MaxFee: maxFee, MinFee: 0, MinCollateral: minCollateral, LatencyWeight: latencyWeight, Nonce: 1,
            InputHash: Keccak.Hash(input),
            PublicInputsHash: Keccak.Hash(AbiCodec.Encode([AbiType.UInt256], [publicInputs[0]])),
            ProtocolFeeBps: 250);

        // The id is keccak256(abi.encode(request)): computed here independently and by the contract.
        var expectedId = Keccak.Hash(AbiCodec.Encode([AbiType.Parse(Request.AbiTupleType)], [Request.ToAbi(request)]));
        var requestId = await market.RequestIdOfQueryAsync(request);
        Assert.Equal(expectedId, requestId);

        // The terms must carry the effective protocol fee.
        var staleFee = await Assert.ThrowsAsync<IProverMarketService.ProtocolFeeMismatchError>(
            () => Market(requester).SubmitRequestAsync(request with { ProtocolFeeBps = initialFee }, input, string.Empty, publicInputs, value: maxFee));
        Assert.Equal(initialFee, staleFee.InTerms);
        Assert.Equal(new BigInteger(250), staleFee.Effective);
        var submitReceipt = await Market(requester).SubmitRequestAsync(request, input, string.Empty, publicInputs, value: maxFee);
        var submitted = Assert.Single(market.DecodeRequestSubmittedEvents(submitReceipt));
        Assert.Equal(requestId, submitted.RequestId);
        Assert.Equal(requester.From, submitted.Requester);
        Assert.Equal(BigInteger.One, submitted.CircuitId);
        Assert.Equal(Hex.Encode(AbiCodec.Encode([AbiType.Parse(Request.AbiTupleType)], [Request.ToAbi(request)])),
            Hex.Encode(AbiCodec.Encode([AbiType.Parse(Request.AbiTupleType)], [Request.ToAbi(submitted.Request)])));
        Assert.Equal(new BigInteger(1000), submitted.ProvingUnits);
        Assert.Equal(input, submitted.Input);
        Assert.Equal(string.Empty, submitted.InputUri);
        Assert.Equal(publicInputs, submitted.PublicInputs);
        var state = await market.RequestStateQueryAsync(requestId);
        Assert.Equal(BigInteger.One, state.Status); // Open
        Assert.Equal(submitted.ReserveFee, state.ReserveFee);
        Assert.InRange(submitted.ReserveFee, BigInteger.One, maxFee);

        // A reveal during the commit phase is out of phase: typed error with typed arguments.
        var earlyReveal = await Assert.ThrowsAsync<IProverMarketService.NotInPhaseError>(
            () => Market(provers[0]).RevealBidAsync(request, Ether / 20, 100, new byte[32], 0));
        Assert.Equal(requestId, earlyReveal.RequestId);
        Assert.Equal(request.BidDeadline + 1, earlyReveal.From);
        Assert.Equal(request.RevealDeadline, earlyReveal.Until);

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
            var local = Keccak.Hash(AbiCodec.Encode(
                [AbiType.Bytes32, AbiType.Address, AbiType.Parse("uint96"), AbiType.Parse("uint32"), AbiType.Bytes32],
                [requestId, b.Prover.From, b.Fee, b.Latency, b.Salt]));
            Assert.Equal(local, commitment);

            var receipt = await Market(b.Prover).CommitBidAsync(request, commitment, 0);
            var committed = Assert.Single(market.DecodeBidCommittedEvents(receipt));
            Assert.Equal(requestId, committed.RequestId);
            Assert.Equal(b.Prover.From, committed.Prover);
            Assert.Equal(commitment, committed.Commitment);
            Assert.Equal(BigInteger.Zero, committed.Lane);
            Assert.Equal(BigInteger.One, await market.BidStatusQueryAsync(requestId, b.Prover.From, 0, commitment)); // Committed
            // The bond taken is the terms' minCollateral (the event no longer repeats it): the vault's Locked event shows it.
            var locked = Assert.Single(vault.DecodeLockedEvents(receipt)); // emitted by the vault in the same transaction
            Assert.Equal(b.Prover.From, locked.Account);
            Assert.Equal(minCollateral, locked.Amount);
            Assert.Equal(Ether - minCollateral, locked.NewFree);
        }

        var again = await Assert.ThrowsAsync<IProverMarketService.LaneBusyError>(
            () => Market(provers[0]).CommitBidAsync(request, Salt(9), 0));
        Assert.Equal(provers[0].From, again.Prover);
        Assert.Equal(BigInteger.Zero, again.Lane);

        var committedLogs = await market.GetBidCommittedEventsAsync(submitReceipt.BlockNumber, requestId: requestId);
        Assert.Equal(bids.Select(b => b.Prover.From), committedLogs.Select(e => e.Prover));

        // ---------------------------------------------------------------- reveal
        await chain.AdvanceAsync(request.BidDeadline.ToUlong() - await chain.NowAsync() + 1);

        // A commit after the commit phase is a wrong-phase commit.
        var late = await chain.NewFundedSignerAsync(Ether);
        var lateCommit = await Assert.ThrowsAsync<IProverMarketService.NotInPhaseError>(() => Market(late).CommitBidAsync(request, Salt(7), 0));
        Assert.Equal(requestId, lateCommit.RequestId);
        Assert.True(lateCommit.NowTs > request.BidDeadline);
        Assert.Equal(BigInteger.Zero, lateCommit.From); // a commit phase has no lower bound worth naming
        Assert.Equal(BigInteger.Zero, state.CreatedAt); // not kept for sealed bids: the submission block has it
        Assert.Equal(request.BidDeadline, lateCommit.Until);

        var mismatch = await Assert.ThrowsAsync<IProverMarketService.RevealMismatchError>(
            () => Market(provers[0]).RevealBidAsync(request, bids[0].Fee + 1, bids[0].Latency, bids[0].Salt, 0));
        Assert.Equal(provers[0].From, mismatch.Prover);

        int[] expectedRanks = [1, 1, 2];
        var reveals = new TransactionReceipt[bids.Length];
        for (int i = 0; i < bids.Length; i++)
        {
            var b = bids[i];
            var lastReveal = reveals[i] = await Market(b.Prover).RevealBidAsync(request, b.Fee, b.Latency, b.Salt, 0);
            var revealed = Assert.Single(market.DecodeBidRevealedEvents(lastReveal));
            Assert.Equal(requestId, revealed.RequestId);
            Assert.Equal(b.Prover.From, revealed.Prover);
            Assert.Equal(b.Fee, revealed.Fee);
            Assert.Equal(b.Latency, revealed.Latency);
            Assert.Equal(new BigInteger(expectedRanks[i]), revealed.Rank);
        }

        // Only the best bid keeps its bond (onMiss = OpenSecondary): the second reveal beat prover 0, the third did not
        // lead; each released bond goes back in the same transaction, and only the second score is kept.
        Assert.Empty(market.DecodeBondReleasedEvents(reveals[0]));
        for (int i = 1; i < 3; i++)
        {
            var who = i == 1 ? provers[0] : provers[2];
            var released = Assert.Single(market.DecodeBondReleasedEvents(reveals[i]));
            Assert.Equal(who.From, released.Prover);
            Assert.Equal(minCollateral, released.Amount);
            Assert.Equal(who.From, Assert.Single(vault.DecodeUnlockedEvents(reveals[i])).Account);
            Assert.Equal(BigInteger.One, await market.BidLaneQueryAsync(who.From, 0)); // free for its next bid
        }
        var open = await market.RequestStateQueryAsync(requestId);
        Assert.Equal(provers[1].From, open.Prover);
        Assert.Equal(bids[2].Fee + latencyWeight * bids[2].Latency, open.SecondScore);

        // ---------------------------------------------------------------- settle
        await chain.AdvanceAsync(request.RevealDeadline.ToUlong() - await chain.NowAsync() + 1);
        var settleReceipt = await Market(requester).SettleAsync(request);
        var expectedPayment = bids[2].Fee + latencyWeight * bids[2].Latency - latencyWeight * bids[1].Latency; // second score
        var settled = Assert.Single(market.DecodeAuctionSettledEvents(settleReceipt));
        Assert.Equal(requestId, settled.RequestId);
        Assert.Equal(provers[1].From, settled.Winner);
        Assert.Equal(bids[1].Fee, settled.WinnerFee);
        Assert.Equal(expectedPayment, settled.Payment);
        Assert.Equal(request.RevealDeadline + bids[1].Latency, settled.Deadline);
        Assert.Equal(bids[2].Fee + latencyWeight * bids[2].Latency, settled.SecondScore);
        Assert.Equal(Address.Zero, settled.RunnerUp); // none kept with OpenSecondary
        var assigned = Assert.Single(market.DecodeRequestAssignedEvents(settleReceipt));
        Assert.Equal(provers[1].From, assigned.Prover);
        Assert.Equal(expectedPayment, assigned.Fee);
        Assert.Equal(settled.Deadline, assigned.Deadline);
        Assert.Equal(minCollateral, assigned.Collateral);
        Assert.Empty(market.DecodeBondReleasedEvents(settleReceipt)); // released at their reveals

        // ---------------------------------------------------------------- proof
        BigInteger[] proof = [1, 2, 3, 4, 5, 6, 7, 8];
        var wrongProver = await Assert.ThrowsAsync<IProverMarketService.NotAssignedProverError>(
            () => Market(provers[0]).FulfillAsync(request, proof, publicInputs));
        Assert.Equal(provers[0].From, wrongProver.Caller);
        Assert.Equal(provers[1].From, wrongProver.Prover);

        var fulfillReceipt = await Market(provers[1]).FulfillAsync(request, proof, publicInputs);
        var protocolFee = expectedPayment * 250 / 10_000;
        var fulfilled = Assert.Single(market.DecodeRequestFulfilledEvents(fulfillReceipt));
        Assert.Equal(requestId, fulfilled.RequestId);
        Assert.Equal(provers[1].From, fulfilled.Prover);
        Assert.Equal(expectedPayment - protocolFee, fulfilled.ProverPayment);
        Assert.Equal(protocolFee, fulfilled.ProtocolFee);
        Assert.Equal(maxFee - expectedPayment, fulfilled.RequesterRefund);
        Assert.Equal(BigInteger.Zero, fulfilled.Bounty);
        var unlocked = Assert.Single(vault.DecodeUnlockedEvents(fulfillReceipt));
        Assert.Equal(provers[1].From, unlocked.Account);
        Assert.Equal(Ether, unlocked.NewFree);
        Assert.Equal(new BigInteger(4), (await market.RequestStateQueryAsync(requestId)).Status); // Fulfilled

        // ---------------------------------------------------------------- withdraw
        Assert.Equal(fulfilled.ProverPayment, await market.BalanceOfQueryAsync(provers[1].From));
        Assert.Equal(protocolFee, await market.BalanceOfQueryAsync(treasury.From));
        Assert.Equal(fulfilled.RequesterRefund, await market.BalanceOfQueryAsync(requester.From));

        var before = await chain.Client.GetBalanceAsync(provers[1].From);
        var withdrawReceipt = await Market(provers[1]).WithdrawAsync(fulfilled.ProverPayment, provers[1].From);
        var withdrawn = Assert.Single(market.DecodeWithdrawnEvents(withdrawReceipt));
        Assert.Equal(provers[1].From, withdrawn.Account);
        Assert.Equal(provers[1].From, withdrawn.To);
        Assert.Equal(fulfilled.ProverPayment, withdrawn.Amount);
        var after = await chain.Client.GetBalanceAsync(provers[1].From);
        Assert.Equal(before + fulfilled.ProverPayment - withdrawReceipt.GasUsed * withdrawReceipt.EffectiveGasPrice, after);

        var overdraw = await Assert.ThrowsAsync<IProverMarketService.InsufficientBalanceError>(
            () => Market(provers[1]).WithdrawAsync(1, provers[1].From));
        Assert.Equal(BigInteger.One, overdraw.Requested);
        Assert.Equal(BigInteger.Zero, overdraw.Available);

        var refund = Assert.Single(market.DecodeWithdrawnEvents(await Market(requester).WithdrawAsync(fulfilled.RequesterRefund, requester.From)));
        Assert.Equal(fulfilled.RequesterRefund, refund.Amount);

        // Collateral leaves the vault through the unbonding delay.
        var proverVault = new CollateralVaultService((provers[0]).Web3(), vault.ContractAddress);
        var requested = Assert.Single(proverVault.DecodeWithdrawalRequestedEvents(await proverVault.RequestWithdrawalRequestAndWaitForReceiptAsync(0, Ether)));
        Assert.Equal(Ether, requested.Amount);
        Assert.Equal(BigInteger.Zero, requested.NewFree);
        await Assert.ThrowsAnyAsync<CustomErrorException>(() => proverVault.CompleteWithdrawalRequestAndWaitForReceiptAsync(0, provers[0].From));
        await chain.AdvanceAsync(3601);
        var completed = Assert.Single(proverVault.DecodeWithdrawalCompletedEvents(await proverVault.CompleteWithdrawalRequestAndWaitForReceiptAsync(0, provers[0].From)));
        Assert.Equal(provers[0].From, completed.Account);
        Assert.Equal(provers[0].From, completed.To);
        Assert.Equal(Ether, completed.Amount);
    }

    private static byte[] Salt(byte seed) => Keccak.Hash([seed, 0x5a]);
}

internal static class BigIntegerExtensions
{
    public static ulong ToUlong(this BigInteger value) => (ulong)value;
}
