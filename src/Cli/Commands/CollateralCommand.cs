using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.Cli.Hosting;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Node;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc collateral &lt;action&gt; --config &lt;worker.json&gt;</c>: the operator's collateral, with the worker's key and
/// deployment. <c>status</c> prints the vault and market balances; <c>deposit</c> (ETH), <c>reserve</c>, <c>release</c>,
/// <c>withdraw</c> (starts the unbonding delay) and <c>complete</c> (pays a matured withdrawal out) move it.
/// </summary>
public sealed class CollateralCommand : PmcCommand
{
    private readonly Argument<string> _action = new("action")
    {
        Description = "status: balances; deposit: ETH into the vault; reserve: free vault balance -> bond balance; "
            + "release: bond balance -> free vault balance; withdraw: start the unbonding delay; complete: pay a matured withdrawal out",
    };

    private readonly Argument<string?> _amount = new("amount")
    {
        Description = "Wei (or 'all' for reserve, release, withdraw); deposit, reserve, release and withdraw need it",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<byte> _asset = new("--asset")
    {
        Description = "The vault's collateral asset id (0-255; 0 is ETH)",
        HelpName = "id",
    };

    private readonly WorkerSettingsOptions _settings;

    /// <summary>Creates the command.</summary>
    public CollateralCommand(CliIo io)
        : base("collateral", "The operator's collateral: vault and market bond balances; deposit, reserve, release, withdraw", io)
    {
        _action.AcceptOnlyFromAmong("status", "deposit", "reserve", "release", "withdraw", "complete");
        Arguments.Add(_action);
        Arguments.Add(_amount);
        Options.Add(_asset);
        _settings = new WorkerSettingsOptions(this);
    }

    /// <inheritdoc />
    protected override int Run(ParseResult parseResult, CommandContext context)
    {
        string action = parseResult.GetRequiredValue(_action);
        string? amount = parseResult.GetValue(_amount);
        bool takesAmount = action is "deposit" or "reserve" or "release" or "withdraw";
        if (takesAmount != amount is not null)
            throw new UsageException(takesAmount ? $"{action} needs an amount in wei (or 'all')" : $"{action} takes no amount");
        byte asset = parseResult.GetValue(_asset);
        if (action == "deposit" && asset != 0)
            throw new UsageException("deposit sends ETH (asset 0); deposit tokens with the vault's depositToken after approving it");

        var options = WorkerConfiguration.Load(_settings.Sources(parseResult, Io));
        var deployment = Deployment.Load(options.DeploymentFile);
        var (signer, rpc) = WorkerHost.CreateSigner(options, context.Loggers);
        using (rpc)
        {
            var vault = new ICollateralVaultService(signer.Web3(), deployment.CollateralVault.ToString());
            var market = new IProverMarketService(signer.Web3(), deployment.ProverMarket.ToString());
            var me = signer.From;

            async Task<BigInteger> AmountAsync(Func<Task<BigInteger>> all)
            {
                string text = amount!;
                if (text == "all") return await all().ConfigureAwait(false);
                if (!WeiAmount.TryParse(text, out var v) || v <= 0)
                    throw new UsageException($"amount: '{text}' is not a positive integer number of wei (or 'all')");
                return v;
            }

            async Task<int> RunAsync()
            {
                switch (action)
                {
                    case "deposit":
                    {
                        var v = await AmountAsync(() => throw new UsageException("deposit needs an explicit amount")).ConfigureAwait(false);
                        await vault.DepositEthRequestAndWaitForReceiptAsync(v).ConfigureAwait(false);
                        break;
                    }
                    case "reserve":
                    {
                        var v = await AmountAsync(() => vault.FreeBalanceQueryAsync(me, asset)).ConfigureAwait(false);
                        if (v.IsZero) throw new UsageException("nothing to reserve: the free vault balance is 0");
                        await market.ReserveCollateralRequestAndWaitForReceiptAsync(asset, v).ConfigureAwait(false);
                        break;
                    }
                    case "release":
                    {
                        var v = await AmountAsync(() => market.BondBalanceQueryAsync(me, asset)).ConfigureAwait(false);
                        if (v.IsZero) throw new UsageException("nothing to release: the bond balance is 0");
                        await market.ReleaseCollateralRequestAndWaitForReceiptAsync(asset, v).ConfigureAwait(false);
                        break;
                    }
                    case "withdraw":
                    {
                        var v = await AmountAsync(() => vault.FreeBalanceQueryAsync(me, asset)).ConfigureAwait(false);
                        if (v.IsZero) throw new UsageException("nothing to withdraw: the free vault balance is 0 (release the bond balance first)");
                        await vault.RequestWithdrawalRequestAndWaitForReceiptAsync(asset, v).ConfigureAwait(false);
                        break;
                    }
                    case "complete":
                        await vault.CompleteWithdrawalRequestAndWaitForReceiptAsync(asset, me).ConfigureAwait(false);
                        break;
                }

                var view = await vault.AccountViewQueryAsync(me, asset).ConfigureAwait(false);
                var bond = await market.BondBalanceQueryAsync(me, asset).ConfigureAwait(false);
                context.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    account = me.ToString(),
                    assetId = asset,
                    free = view.Free.ToString(CultureInfo.InvariantCulture),
                    bondBalance = bond.ToString(CultureInfo.InvariantCulture),
                    backingBidsAndJobs = (view.Locked - bond).ToString(CultureInfo.InvariantCulture),
                    pendingWithdrawal = view.Pending.ToString(CultureInfo.InvariantCulture),
                    withdrawableAt = view.Pending.IsZero ? null : (ulong?)view.UnlocksAt,
                    claimable = view.Claimable.ToString(CultureInfo.InvariantCulture),
                }, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Success;
            }

            return RunAsync().GetAwaiter().GetResult();
        }
    }
}
