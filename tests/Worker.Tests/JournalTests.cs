using System.Numerics;
using ProverMarketChain.Worker.Journal;

namespace ProverMarketChain.Worker.Tests;

public sealed class JournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pmc-journal-").FullName;
    private string DbPath => Path.Combine(_dir, "worker.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PlanBid_survivesReopenAndKeepsTheFirstSalt()
    {
        var salt = new byte[32]; salt[0] = 1;
        var commitment = new byte[32]; commitment[31] = 9;
        using (var j = new WorkerJournal(DbPath))
            j.PlanBid("0xaa", 123, 7, salt, commitment);

        using var reopened = new WorkerJournal(DbPath);
        // A second plan after a restart must not replace the salt that may already be committed on chain.
        var again = reopened.PlanBid("0xaa", 999, 1, new byte[32], new byte[32]);
        Assert.Equal(salt, again.Salt);
        Assert.Equal(commitment, again.Commitment);
        Assert.Equal(new BigInteger(123), again.Fee);
        Assert.Equal(BidState.Planned, again.State);
        Assert.Single(reopened.OpenBids());
    }

    [Fact]
    public void DecideMatch_survivesReopenAndKeepsTheFirstDecision_perMatch()
    {
        using (var j = new WorkerJournal(DbPath))
            j.DecideMatch("0xbb", 1000, MatchDecision.Decline, "input hash mismatch", inputRejected: true);

        using var reopened = new WorkerJournal(DbPath);
        // After a restart the same match never gets the opposite decision (its transaction may already be on its way).
        var again = reopened.DecideMatch("0xbb", 1000, MatchDecision.Accept);
        Assert.Equal(MatchDecision.Decline, again.Decision);
        Assert.Equal("input hash mismatch", again.Reason);
        Assert.True(again.InputRejected);
        // A later match of the same request (another acceptance deadline) is decided afresh.
        Assert.Equal(MatchDecision.Accept, reopened.DecideMatch("0xbb", 1200, MatchDecision.Accept).Decision);
        Assert.Null(reopened.GetMatch("0xbb", 1100));
        Assert.Equal([1000UL, 1200UL], reopened.Matches("0xbb").Select(m => m.AcceptBy));
    }

    [Fact]
    public void PlanBid_keepsItsLane_andOpenBidsReportTheLanesInUse()
    {
        using (var j = new WorkerJournal(DbPath))
        {
            j.PlanBid("0x01", 1, 1, new byte[32], new byte[32], lane: 3);
            j.PlanBid("0x02", 1, 1, new byte[32], new byte[32], lane: 5);
            j.AdvanceBid("0x02", BidState.Closed);
        }
        using var reopened = new WorkerJournal(DbPath);
        Assert.Equal(3, reopened.GetBid("0x01")!.Lane);
        Assert.Equal(new HashSet<byte> { 3 }, reopened.LanesInUse()); // a closed bid's lane is reusable
    }

    /// <summary>A journal written before bid lanes existed gains the column; its bids were all in lane 0.</summary>
    [Fact]
    public void OldJournalWithoutLanes_isMigratedAndItsBidsReadLaneZero()
    {
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE bids (request_id TEXT PRIMARY KEY, fee TEXT NOT NULL, latency INTEGER NOT NULL,
                  salt BLOB NOT NULL, commitment BLOB NOT NULL, state INTEGER NOT NULL, updated_at TEXT NOT NULL);
                INSERT INTO bids VALUES ('0xold', '7', 9, x'01', x'02', 1, '2026-01-01');
                """;
            cmd.ExecuteNonQuery();
        }
        using var j = new WorkerJournal(DbPath);
        var bid = j.GetBid("0xold")!;
        Assert.Equal(0, bid.Lane);
        Assert.Equal(BidState.Committed, bid.State);
        Assert.Equal(new BigInteger(7), bid.Fee);
    }

    [Fact]
    public void AdvanceBid_neverMovesBackwards()
    {
        using var j = new WorkerJournal(DbPath);
        j.PlanBid("0x01", 1, 1, new byte[32], new byte[32]);
        j.AdvanceBid("0x01", BidState.Revealed);
        j.AdvanceBid("0x01", BidState.Committed);
        Assert.Equal(BidState.Revealed, j.GetBid("0x01")!.State);
        j.AdvanceBid("0x01", BidState.Closed);
        Assert.Empty(j.OpenBids());
    }

    [Fact]
    public void Jobs_acceptOnceKeepTheProofAndCloseForGood()
    {
        using var j = new WorkerJournal(DbPath);
        Assert.True(j.AcceptJob("0x02", 1));
        Assert.False(j.AcceptJob("0x02", 1));
        Assert.True(j.TrySaveProof("0x02", "{\"pi_a\":[]}", "[\"1\"]"));
        Assert.Equal(JobState.ProofReady, j.GetJob("0x02")!.State);
        j.AdvanceJob("0x02", JobState.Done);
        j.AdvanceJob("0x02", JobState.ProofCommitted);
        Assert.Equal(JobState.Done, j.GetJob("0x02")!.State);
        Assert.False(j.TrySaveProof("0x02", "{}", "[]"));
        Assert.Empty(j.OpenJobs());
        Assert.Equal(1, j.JobCounts()[JobState.Done]);
    }

    [Fact]
    public void Cursor_roundTrips()
    {
        using var j = new WorkerJournal(DbPath);
        Assert.Null(j.GetCursor());
        j.SetCursor(42, "0xabc");
        j.SetCursor(43, "0xdef");
        Assert.Equal((43UL, "0xdef"), j.GetCursor());
    }

    private static TrackedRequest Tracked(string id) => new(id, 1, [1], [], "", [], 10, 0, 5);

    [Fact]
    public void PlanLock_holdsUntilClosed_andSurvivesReopen()
    {
        using (var j = new WorkerJournal(DbPath))
        {
            j.TrackRequest(Tracked("0xaa"));
            Assert.True(j.PlanLock("0xaa", 77));
            Assert.False(j.PlanLock("0xaa", 99)); // one open lock per request: a second tick never plans another
        }
        using var reopened = new WorkerJournal(DbPath);
        Assert.True(reopened.HasOpenLock("0xaa"));
        Assert.Equal(["0xaa"], reopened.OpenLocks());
        reopened.CloseLock("0xaa");
        Assert.False(reopened.HasOpenLock("0xaa"));
        Assert.Empty(reopened.OpenLocks());
        // A request the worker locked is kept through a reorg of its submission event (it acted on it).
        reopened.DropRequestIfUntouched("0xaa");
        Assert.Single(reopened.ActiveRequests());
    }

    [Fact]
    public void PendingAccepts_countAcceptedMatchesUntilTheyAreJobs()
    {
        using var j = new WorkerJournal(DbPath);
        j.TrackRequest(Tracked("0xaa"));
        j.TrackRequest(Tracked("0xbb"));
        j.DecideMatch("0xaa", 100, MatchDecision.Accept);
        j.DecideMatch("0xbb", 100, MatchDecision.Decline, "no");
        Assert.Equal(["0xaa"], j.PendingAccepts(now: 100));
        Assert.Empty(j.PendingAccepts(now: 101)); // the window closed without the acceptance landing: it holds nothing
        j.AcceptJob("0xaa", 2);
        Assert.Empty(j.PendingAccepts(now: 100));
    }

    [Fact]
    public void Batches_listsTransactionsThatDeliveredSeveralRequests_newestFirst_andSurviveReopen()
    {
        using (var j = new WorkerJournal(DbPath))
        {
            j.RecordSend("0xaa", "fulfill", [1], 1); // a single delivery
            foreach (var id in new[] { "0xbb", "0xcc", "0xdd" }) j.RecordSend(id, "fulfill", [2], 2);
            foreach (var id in new[] { "0xee", "0xff" }) j.RecordSend(id, "fulfill", [3], 3);
            foreach (var id in new[] { "0x11", "0x22" }) j.RecordSend(id, "commitBid", [4], 4); // not a delivery
        }
        using var reopened = new WorkerJournal(DbPath);
        var batches = reopened.Batches("fulfill", 10);
        Assert.Equal(["0x03", "0x02"], batches.Select(b => b.TransactionHash));
        Assert.Equal(["0xbb", "0xcc", "0xdd"], batches[1].RequestIds.Order());
        Assert.Single(reopened.Batches("fulfill", 1));
        // Each request of a batch sees the batch as its own send (so it is never sent again while it is pending or done).
        Assert.Equal([2], reopened.GetSend("0xcc", "fulfill")!.TransactionHash);
    }

    [Fact]
    public void RecordSend_keepsEveryVersionNewestFirst()
    {
        using (var j = new WorkerJournal(DbPath))
        {
            j.RecordSend("0xaa", "commitBid", [1, 2], 7);
            j.RecordSend("0xaa", "commitBid", [3, 4], 8); // re-signed after a nonce resync
            j.RecordSend("0xaa", "revealBid", [5], 9);
        }
        using var reopened = new WorkerJournal(DbPath);
        var commit = reopened.GetSend("0xaa", "commitBid")!;
        Assert.Equal(new byte[] { 3, 4 }, commit.TransactionHash);
        Assert.Equal(8UL, commit.Nonce);
        // Every version is kept (a replacement of either may be the one mined), newest first.
        Assert.Equal([8UL, 7UL], reopened.GetSends("0xaa", "commitBid").Select(s => s.Nonce));
        Assert.Null(reopened.GetSend("0xaa", "fulfill"));
        Assert.Equal(3, reopened.Sends().Count);
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The journal holds unrevealed bids' salts: it is created 0600 whatever the umask, and so are the WAL and
    /// shared-memory files SQLite makes next to it; a folder the journal creates is 0700.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ANewJournal_anditsWalAndShm_areOwnerOnly()
    {
        var path = Path.Combine(_dir, "state", "worker.db");
        using var j = new WorkerJournal(path);
        j.PlanBid("0xaa", 1, 1, new byte[32], new byte[32]);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        foreach (var side in new[] { path + "-wal", path + "-shm" })
        {
            Assert.True(File.Exists(side), $"{side} missing");
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(side));
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }

    /// <summary>A journal (and WAL) left readable by others, by an older worker or a copy, is narrowed when opened.</summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AnExistingJournalReadableByOthers_isNarrowedToItsOwner()
    {
        using (var j = new WorkerJournal(DbPath)) j.PlanBid("0xaa", 1, 1, new byte[32], new byte[32]);
        var open = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead;
        File.SetUnixFileMode(DbPath, open);
        File.WriteAllBytes(DbPath + "-wal", []);
        File.SetUnixFileMode(DbPath + "-wal", open);

        using var reopened = new WorkerJournal(DbPath);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(DbPath));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(DbPath + "-wal"));
        Assert.NotNull(reopened.GetBid("0xaa"));
    }
}
