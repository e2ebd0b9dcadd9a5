using ProverMarketChain.Indexer.Storage;

namespace ProverMarketChain.Indexer.Tests.Api;

public sealed class DatabaseUrlTests
{
    [Fact]
    public async Task test_parse_postgresUrlKeepsItsPartsAndHidesThePassword()
    {
        await using var db = IndexerDatabase.Parse("postgres://alice:s%40cret@db.example:6543/market?sslmode=disable");
        Assert.Equal(DatabaseKind.Postgres, db.Kind);
        Assert.DoesNotContain("s%40cret", db.Display);
        Assert.DoesNotContain("s@cret", db.Display);
        Assert.Contains("alice:***@db.example:6543/market", db.Display);
    }

    [Fact]
    public async Task test_parse_pathIsSqlite()
    {
        var dir = Directory.CreateTempSubdirectory("pmc-url-").FullName;
        await using var db = IndexerDatabase.Parse("sqlite:" + Path.Combine(dir, "sub", "x.db"));
        Assert.Equal(DatabaseKind.Sqlite, db.Kind);
        Assert.True(Directory.Exists(Path.Combine(dir, "sub")));
    }

    [Theory]
    [InlineData("", "--db is empty")]
    [InlineData("postgres://host", "names no database")]
    [InlineData("postgres://host/db?nonsense=1", "unknown PostgreSQL parameter 'nonsense'")]
    [InlineData("ftp://x/y", "unknown scheme")]
    public void test_parse_badValuesNameTheProblem(string value, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => IndexerDatabase.Parse(value)).Message);
}
