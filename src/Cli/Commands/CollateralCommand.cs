using ProverMarketChain.ContractBindings.Rpc;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Contracts;
using ProverMarketChain.Worker.Configuration;
using ProverMarketChain.Worker.Node;

namespace ProverMarketChain.Cli.Commands;

/// <summary>
/// <c>pmc collateral &lt;action&gt; --config &lt;worker.json&gt;</c>: the operator's collateral, with the worker's key and
/// deployment. <c>status</c> prints the vault and market balances; <c>deposit</c> (ETH), <c>reserve</c>, <c>release</c>,
/// <c>withdraw</c> (starts the unbonding delay) and <c>complete</c> (pays a matured withdrawal out) move it.
/// </summary>
public sealed class CollateralCommand : ICommand
{
    private static readonly string[] Actions = ["status", "deposit", "reserve", "release", "withdraw", "complete"];

    /// <inheritdoc />
    public string Name => "collateral";

    /// <inheritdoc />
    public string Usage => "collateral status|deposit|reserve|release|withdraw|complete [<wei>|all] --config <worker.json> [--asset <id>]";

    /// <inheritdoc />
    public string Summary => "the operator's collateral: vault and market bond balances; deposit, reserve, release, withdraw";

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, CommandContext context)
    {
        var a = new Args(args, ["--config", "--asset"], []);
        if (a.Positional.Count == 0 || !Actions.Contains(a.Positional[0]))
            throw new UsageException($"the first argument must be one of: {string.Join(", ", Actions)}");
        string action = a.Positional[0];
        bool takesAmount = action is "deposit" or "reserve" or "release" or "withdraw";
        if (a.Positional.Count != (takesAmount ? 2 : 1))
            throw new UsageException(takesAmount ? $"{action} needs an amount in wei (or 'all')" : $"{action} takes no amount");
        string config = a.Option("--config") ?? throw new UsageException("--config <file> is required");
        byte asset = 0;
        if (a.Option("--asset") is { } s && !byte.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out asset))
            throw new UsageException($"--asset: '{s}' is not an asset id (0-255)");
        if (action == "deposit" && asset != 0)
            throw new UsageException("deposit sends ETH (asset 0); deposit tokens with the vault's depositToken after approving it");

        var options = WorkerOptions.Load(config);
        var deployment = Deployment.Load(options.DeploymentFile);
        var (signer, rpc) = WorkerHost.CreateSigner(options, context.Loggers);
        using (rpc)
        {
            var vault = new ICollateralVaultService(signer.Web3(), deployment.CollateralVault.ToString());
            var market = new IProverMarketService(signer.Web3(), deployment.ProverMarket.ToString());
            var me = signer.From;

            async Task<BigInteger> AmountAsync(Func<Task<BigInteger>> all)
            {
                string text = a.Positional[1];
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
                return 0;
            }

            return RunAsync().GetAwaiter().GetResult();
        }
    }
}
