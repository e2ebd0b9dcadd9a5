using System.Numerics;
using ProverMarketChain.Cli.Soak;
using ProverMarketChain.ContractBindings.Primitives;
using static ProverMarketChain.Cli.Tests.Soak.SyntheticChain;

namespace ProverMarketChain.Cli.Tests.Soak;

public sealed class FundsLedgerTests
{
    private static readonly Address Requester = Addr(0x01), Prover = Addr(0x31), Burn = Addr(0xDE);

    private static Dictionary<Address, BigInteger> Balances(long requester, long prover, long market, long burn) => new()
    {
        [Requester] = requester, [Prover] = prover, [Market] = market, [Burn] = burn,
    };

    [Fact]
    public void FundsThatOnlyMoveBetweenTrackedAccountsAndPayGasAreConserved()
    {
        // The requester escrows 1,000 into the market (gas 21,000 x 2), the prover is paid 600 and burns 100 of a slash
        // (gas 50,000 x 3); the market keeps the rest.
        var txs = new[] { Tx(Requester, 5, 0, [], gasUsed: 21_000, price: 2), Tx(Prover, 6, 0, [], gasUsed: 50_000, price: 3) };
        var before = Balances(1_000_000, 1_000_000, 0, 0);
        var after = Balances(1_000_000 - 1_000 - 42_000, 1_000_000 + 600 - 150_000, 300, 100);

        var report = FundsLedger.Check(before, after, txs);

        Assert.Equal(192_000, report.GasPaid);
        Assert.Equal(2, report.Transactions);
        Assert.True(report.Conserved, $"discrepancy {report.Discrepancy}");
    }

    [Fact]
    public void OneWeiMissingOrAppearingIsNotConserved()
    {
        var txs = new[] { Tx(Requester, 5, 0, [], gasUsed: 21_000, price: 2) };
        var before = Balances(1_000_000, 0, 0, 0);

        var leak = FundsLedger.Check(before, Balances(1_000_000 - 42_000 - 1, 0, 0, 0), txs);
        Assert.False(leak.Conserved);
        Assert.Equal(1, leak.Discrepancy);

        var minted = FundsLedger.Check(before, Balances(1_000_000 - 42_000, 0, 1, 0), txs);
        Assert.False(minted.Conserved);
        Assert.Equal(-1, minted.Discrepancy);
    }

    [Fact]
    public void ATipPaidToATrackedFeeRecipientStaysInTheSet()
    {
        // Base fee 1 is burnt, the priority fee 1 per gas goes to the prover as block fee recipient.
        var txs = new[] { Tx(Requester, 5, 0, [], gasUsed: 21_000, price: 2, baseFee: 1, miner: Prover) };
        var report = FundsLedger.Check(Balances(100_000, 0, 0, 0), Balances(100_000 - 42_000, 21_000, 0, 0), txs);
        Assert.Equal(21_000, report.TipsReceived);
        Assert.True(report.Conserved, $"discrepancy {report.Discrepancy}");
    }

    [Fact]
    public void GasOfUntrackedSendersIsNotChargedToTheSet_butIsCounted()
    {
        var txs = new[] { Tx(Addr(0x77), 5, 0, [], gasUsed: 21_000, price: 2) };
        var report = FundsLedger.Check(Balances(10, 0, 0, 0), Balances(10, 0, 0, 0), txs);
        Assert.True(report.Conserved);
        Assert.Equal(1, report.ForeignTransactions);
        Assert.Equal(0, report.Transactions);
    }

    [Fact]
    public void SnapshotsOfDifferentAccountsAreRefused()
    {
        var before = Balances(1, 0, 0, 0);
        var after = new Dictionary<Address, BigInteger>(before);
        after.Remove(Burn);
        after[Addr(0x55)] = 0;
        Assert.Throws<ArgumentException>(() => FundsLedger.Check(before, after, []));
    }

    [Fact]
    public void ATokenBalanceSheetMustMatchExactly()
    {
        Assert.True(FundsLedger.CheckToken(1, Addr(0x70), [5, 7], [12, 0]).Conserved);
        Assert.False(FundsLedger.CheckToken(1, Addr(0x70), [5, 7], [12, 1]).Conserved);
    }
}
