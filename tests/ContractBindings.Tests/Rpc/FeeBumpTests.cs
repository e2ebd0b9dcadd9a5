using System.Numerics;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Rpc;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;
using ProverMarketChain.ContractBindings.Transactions;

namespace ProverMarketChain.ContractBindings.Tests.Rpc;

/// <summary>
/// A transaction signed at today's fees is stranded when the base fee rises past its max fee before it is mined; it
/// would hold every later nonce of the account (a worker's reveals included). The signer replaces it: same nonce,
/// fees bumped, through the broadcast hook, up to the cap.
/// </summary>
public class FeeBumpTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private static readonly BigInteger Gwei = BigInteger.Pow(10, 9);

    private async Task StrandAsync(Signer signer, List<SignedTransaction> signed)
    {
        var rpc = anvil.CreateRpc();
        // Start from a low base fee (the other test leaves it high), then hold mining.
        await rpc.SendAsync("anvil_setNextBlockBaseFeePerGas", ["0x" + Gwei.ToString("x").TrimStart('0')]);
        await rpc.SendAsync("evm_mine", []);
        await rpc.SendAsync("evm_setAutomine", [false]);
        signed.Add(await signer.SignAndSendAsync(EthKeyAddress(AnvilFixture.PrivateKey2), [], 1));
        // The next blocks' base fee is ten times what the transaction offers: it cannot be mined.
        await rpc.SendAsync("anvil_setNextBlockBaseFeePerGas", ["0x" + (200 * Gwei).ToString("x").TrimStart('0')]);
        await rpc.SendAsync("evm_mine", []);
    }

    private static Address EthKeyAddress(string key) => ContractBindings.Crypto.EthKey.FromPrivateKey(key).Address;

    [Fact]
    public async Task StrandedTransaction_isReplacedWithHigherFees_andTheReplacementIsMined()
    {
        var rpc = anvil.CreateRpc();
        var seen = new List<SignedTransaction>();
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey1, new SignerOptions
        {
            ReceiptPollInterval = TimeSpan.FromMilliseconds(50),
            RebroadcastInterval = TimeSpan.FromMilliseconds(300),
            MaxFeePerGasCap = 1000 * Gwei,
        });
        signer.BeforeBroadcast = (tx, _) => { lock (seen) seen.Add(tx); return Task.CompletedTask; };
        try
        {
            var signed = new List<SignedTransaction>();
            await StrandAsync(signer, signed);
            using var mining = new CancellationTokenSource();
            var miner = Task.Run(async () =>
            {
                while (!mining.IsCancellationRequested)
                {
                    await rpc.SendAsync("anvil_setNextBlockBaseFeePerGas", ["0x" + (200 * Gwei).ToString("x").TrimStart('0')]);
                    await rpc.SendAsync("evm_mine", []);
                    await Task.Delay(200);
                }
            });
            var receipt = await signer.WaitForReceiptAsync(signed[0]).WaitAsync(TimeSpan.FromSeconds(60));
            await mining.CancelAsync();
            await miner;

            Assert.True(receipt.Succeeded);
            Assert.NotEqual(signed[0].Hash, receipt.TransactionHash); // a replacement was mined, not the stranded original
            SignedTransaction[] versions;
            lock (seen) versions = seen.ToArray();
            Assert.True(versions.Length >= 2, $"{versions.Length} version(s) went through the broadcast hook");
            Assert.All(versions, v => Assert.Equal(signed[0].Transaction.Nonce, v.Transaction.Nonce));
            var mined = versions.Single(v => v.Hash.AsSpan().SequenceEqual(receipt.TransactionHash));
            var original = (Eip1559Transaction)signed[0].Transaction;
            Assert.True(((Eip1559Transaction)mined.Transaction).MaxFeePerGas >= 200 * Gwei, "the replacement does not pay the base fee");
            Assert.True(((Eip1559Transaction)mined.Transaction).MaxPriorityFeePerGas > original.MaxPriorityFeePerGas);
        }
        finally
        {
            await rpc.SendAsync("evm_setAutomine", [true]);
        }
    }

    [Fact]
    public async Task StrandedTransaction_isNotReplacedAboveTheCap()
    {
        var rpc = anvil.CreateRpc();
        var seen = 0;
        var signer = anvil.CreateSigner(AnvilFixture.PrivateKey2, new SignerOptions
        {
            ReceiptPollInterval = TimeSpan.FromMilliseconds(50),
            RebroadcastInterval = TimeSpan.FromMilliseconds(300),
            ReceiptTimeout = TimeSpan.FromSeconds(3),
            MaxFeePerGasCap = 50 * Gwei, // under the stranding base fee
        });
        signer.BeforeBroadcast = (_, _) => { Interlocked.Increment(ref seen); return Task.CompletedTask; };
        try
        {
            var signed = new List<SignedTransaction>();
            await StrandAsync(signer, signed);
            await Assert.ThrowsAsync<TimeoutException>(() => signer.WaitForReceiptAsync(signed[0]));
            Assert.Equal(1, seen); // only the original: no replacement over the cap
            // Leave the account usable for the other test: drop the stranded transaction.
            await rpc.SendAsync("anvil_dropTransaction", [Hex.Encode(signed[0].Hash)]);
            signer.Nonces.Reset();
        }
        finally
        {
            await rpc.SendAsync("evm_setAutomine", [true]);
        }
    }
}
