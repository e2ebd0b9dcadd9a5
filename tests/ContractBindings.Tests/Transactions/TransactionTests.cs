using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Transactions;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Transactions;

public class TransactionTests
{
    [Fact]
    public void Eip155ExampleFromTheEip()
    {
        var tx = new LegacyTransaction
        {
            Nonce = 9,
            GasPrice = 20_000_000_000,
            GasLimit = 21000,
            To = Address.Parse("0x3535353535353535353535353535353535353535"),
            Value = BigInteger.Pow(10, 18),
            ChainId = 1,
        };
        Assert.Equal("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", Hex.Encode(tx.SigningHash()));
        var signed = tx.Sign(EthKey.FromPrivateKey("0x4646464646464646464646464646464646464646464646464646464646464646"));
        Assert.Equal(
            "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
            signed.RawHex);
        Assert.Equal("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F", signed.Sender.ToString());
        var decoded = SignedTransaction.Decode(signed.RawBytes);
        Assert.Equal(tx, decoded.Transaction);
        Assert.Equal(signed.Sender, decoded.Sender);
    }

    [Fact]
    public async Task Eip1559TransactionDecodedByCastMatchesOurFields()
    {
        var key = EthKey.FromPrivateKey(AnvilFixture.PrivateKey0);
        var tx = new Eip1559Transaction
        {
            ChainId = 31337,
            Nonce = 7,
            MaxPriorityFeePerGas = 1_500_000_000,
            MaxFeePerGas = 30_000_000_000,
            GasLimit = 100_000,
            To = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
            Value = 12345,
            Data = Hex.Decode("0xa9059cbb00"),
            AccessList = [new AccessListEntry(Address.Parse("0x3535353535353535353535353535353535353535"), [new byte[32]])],
        };
        var signed = tx.Sign(key);
        string json = await Cast.RunAsync("decode-transaction", signed.RawHex);
        using var doc = JsonDocument.Parse(json.StartsWith('"') ? JsonSerializer.Deserialize<string>(json)! : json);
        var root = doc.RootElement;
        Assert.Equal(key.Address.ToLowerHex(), root.GetProperty("signer").GetString());
        Assert.Equal("0x2", root.GetProperty("type").GetString());
        Assert.Equal("0x7a69", root.GetProperty("chainId").GetString());
        Assert.Equal("0x7", root.GetProperty("nonce").GetString());
        Assert.Equal("0x186a0", root.GetProperty("gas").GetString());
        Assert.Equal("0x6fc23ac00", root.GetProperty("maxFeePerGas").GetString());
        Assert.Equal("0x59682f00", root.GetProperty("maxPriorityFeePerGas").GetString());
        Assert.Equal("0x3039", root.GetProperty("value").GetString());
        Assert.Equal("0xa9059cbb00", root.GetProperty("input").GetString());
        Assert.Equal(Hex.Encode(signed.Hash), root.GetProperty("hash").GetString());
        Assert.Equal(1, root.GetProperty("accessList").GetArrayLength());

        var decoded = SignedTransaction.Decode(signed.RawBytes);
        Assert.Equal(key.Address, decoded.Sender);
        Assert.Equal(signed.Hash, decoded.Hash);
        var d = (Eip1559Transaction)decoded.Transaction;
        Assert.Equal(tx.MaxFeePerGas, d.MaxFeePerGas);
        Assert.Equal(tx.Data, d.Data);
        Assert.Equal(tx.AccessList[0].Address, d.AccessList[0].Address);
    }

    [Fact]
    public async Task TwentyFourRandomTransactionsMatchCastMktx()
    {
        var rng = new Random(42);
        var jobs = new List<Task<(string Expected, string Actual)>>();
        for (int i = 0; i < 24; i++)
        {
            var key = EthKey.Generate();
            ulong nonce = (ulong)rng.NextInt64(0, 1_000_000);
            ulong gas = (ulong)rng.Next(21000, 3_000_000);
            ulong chain = i % 3 == 0 ? 1UL : (ulong)rng.Next(1, 100_000);
            var tip = new BigInteger(rng.NextInt64(0, 5_000_000_000));
            var maxFee = tip + rng.NextInt64(1, 200_000_000_000);
            var value = new BigInteger(rng.NextInt64(0, long.MaxValue)) * rng.Next(1, 1000);
            var data = new byte[rng.Next(0, 100)];
            rng.NextBytes(data);
            bool legacy = i % 4 == 1;
            bool create = i % 5 == 2;
            var to = create ? (Address?)null : Address.FromBytes(Enumerable.Range(0, 20).Select(_ => (byte)rng.Next(256)).ToArray());
            if (create && data.Length == 0)
            {
                data = [0x60, 0x00];
            }

            UnsignedTransaction tx = legacy
                ? new LegacyTransaction { Nonce = nonce, GasPrice = maxFee, GasLimit = gas, To = to, Value = value, Data = data, ChainId = chain }
                : new Eip1559Transaction { ChainId = chain, Nonce = nonce, MaxPriorityFeePerGas = tip, MaxFeePerGas = maxFee, GasLimit = gas, To = to, Value = value, Data = data };
            var args = new List<string>
            {
                "mktx", "--private-key", Hex.Encode(key.ExportPrivateKey()), "--nonce", nonce.ToString(CultureInfo.InvariantCulture),
                "--gas-limit", gas.ToString(CultureInfo.InvariantCulture), "--gas-price", maxFee.ToString(CultureInfo.InvariantCulture),
                "--chain", chain.ToString(CultureInfo.InvariantCulture), "--value", value.ToString(CultureInfo.InvariantCulture),
            };
            if (legacy)
            {
                args.Add("--legacy");
            }
            else
            {
                args.AddRange(["--priority-gas-price", tip.ToString(CultureInfo.InvariantCulture)]);
            }

            if (create)
            {
                args.AddRange(["--create", Hex.Encode(data)]);
            }
            else
            {
                args.AddRange([to!.Value.ToString(), Hex.Encode(data)]);
            }

            var signed = tx.Sign(key);
            Assert.Equal(signed.Hash, SignedTransaction.Decode(signed.RawBytes).Hash);
            Assert.Equal(key.Address, SignedTransaction.Decode(signed.RawBytes).Sender);
            jobs.Add(Cast.RunAsync(args.ToArray()).ContinueWith(t => (t.Result, signed.RawHex), TaskScheduler.Default));
        }

        foreach (var (expected, actual) in await Task.WhenAll(jobs))
        {
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void DecodeRejectsHighSAndGarbage()
    {
        var signed = new Eip1559Transaction { ChainId = 1, Nonce = 0, MaxPriorityFeePerGas = 1, MaxFeePerGas = 2, GasLimit = 21000, To = Address.Zero }
            .Sign(EthKey.FromPrivateKey(AnvilFixture.PrivateKey0));
        Assert.Throws<FormatException>(() => SignedTransaction.Decode([0x05, 0xc0]));
        Assert.Throws<FormatException>(() => SignedTransaction.Decode([]));
        Assert.ThrowsAny<FormatException>(() => SignedTransaction.Decode(signed.RawBytes.AsSpan(0, signed.RawBytes.Length - 1)));

        // Replace s by n - s (same signature, high s): must be refused per EIP-2.
        var n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber);
        var s = new BigInteger(signed.Signature.S, isUnsigned: true, isBigEndian: true);
        var highS = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var decoded = Nethereum.Model.Transaction1559Encoder.Current.Decode(signed.RawBytes);
        decoded.SetSignature(new Nethereum.Model.Signature(decoded.Signature.R, highS, decoded.Signature.V));
        var tampered = decoded.GetRLPEncoded();
        var e = Assert.Throws<FormatException>(() => SignedTransaction.Decode(tampered));
        Assert.Contains("EIP-2", e.Message);
        Assert.Throws<ArgumentException>(() => new Eip1559Transaction { ChainId = 1, Nonce = 0, MaxPriorityFeePerGas = 3, MaxFeePerGas = 2, GasLimit = 1 }.SigningHash());
    }
}
