using System.Text;
using ProverMarketChain.ContractBindings.Crypto;
using ProverMarketChain.ContractBindings.Primitives;
using ProverMarketChain.ContractBindings.Tests.Infrastructure;

namespace ProverMarketChain.ContractBindings.Tests.Crypto;

public class CryptoTests
{
    [Fact]
    public void AnvilDefaultKeyHasTheKnownAddress()
    {
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", EthKey.FromPrivateKey(AnvilFixture.PrivateKey0).Address.ToString());
        Assert.Equal("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", EthKey.FromPrivateKey(AnvilFixture.PrivateKey1).Address.ToString());
    }

    [Fact]
    public void RejectsInvalidKeys()
    {
        Assert.Throws<ArgumentException>(() => EthKey.FromPrivateKey(new byte[32]));
        Assert.Throws<ArgumentException>(() => EthKey.FromPrivateKey(new byte[31]));
        Assert.Throws<ArgumentException>(() => EthKey.FromPrivateKey("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")); // n
    }

    [Fact]
    public void SignaturesAreDeterministicLowSAndRecoverable()
    {
        var rng = new Random(7);
        for (int i = 0; i < 25; i++)
        {
            var key = EthKey.Generate();
            var hash = new byte[32];
            rng.NextBytes(hash);
            var sig = key.Sign(hash);
            Assert.Equal(sig.ToBytes65(), key.Sign(hash).ToBytes65());
            Assert.True(EthKey.IsLowS(sig.S));
            Assert.Equal(key.Address, EthKey.Recover(hash, sig));
            var tampered = (byte[])hash.Clone();
            tampered[0] ^= 1;
            Assert.NotEqual(key.Address, EthKey.Recover(tampered, sig));
        }
    }

    [Fact]
    public async Task PersonalSignMatchesCastWalletSign()
    {
        var messages = new[] { "hello", "", "ProverMarketChain ✓ multi-byte", new string('x', 300) };
        foreach (var message in messages)
        {
            var key = EthKey.Generate();
            string expected = await Cast.RunAsync("wallet", "sign", "--private-key", Hex.Encode(key.ExportPrivateKey()), message);
            var ours = key.SignMessage(Encoding.UTF8.GetBytes(message)).ToBytes65();
            Assert.Equal(expected, Hex.Encode(ours));
            Assert.Equal(key.Address, PersonalSign.RecoverSigner(Encoding.UTF8.GetBytes(message), ours));
        }
    }
}
