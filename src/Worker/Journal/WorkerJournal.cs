using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;

namespace ProverMarketChain.Worker.Journal;

/// <summary>Where a sealed bid stands. Ordered: a bid only moves forward.</summary>
public enum BidState
{
    /// <summary>Salt and bid written; the commit transaction may or may not have been sent.</summary>
    Planned = 0,
    /// <summary>The commitment is on chain.</summary>
    Committed = 1,
    /// <summary>The reveal is on chain.</summary>
    Revealed = 2,
    /// <summary>Settled: the auction is over for this bid (won, lost or forfeited).</summary>
    Closed = 3,
}

/// <summary>Where a job the worker is responsible for stands. Ordered: a job only moves forward.</summary>
public enum JobState
{
    /// <summary>The worker must deliver (assigned to it, or open work it chose to take).</summary>
    Accepted = 0,
    /// <summary>A proof is written to the journal and ready to submit.</summary>
    ProofReady = 1,
    /// <summary>For two-step submission: the proof commitment is on chain.</summary>
    ProofCommitted = 2,
    /// <summary>Chain state shows the request fulfilled.</summary>
    Done = 3,
    /// <summary>Given up, with a reason (deadline passed, fulfilled by someone else, bad input).</summary>
    Abandoned = 4,
}

/// <summary>A request the worker follows, with everything needed to act on it without re-reading old events.</summary>
/// <param name="RequestId">0x-prefixed request id.</param>
/// <param name="CircuitId">Registry id of its circuit.</param>
/// <param name="Terms">The ABI-encoded <c>Request</c> tuple (passed back to every market call).</param>
/// <param name="Input">Inline input bytes (empty when <paramref name="InputUri"/> is used).</param>
/// <param name="InputUri">Where the input lives when not inline.</param>
/// <param name="PublicInputs">The public inputs the request expects, as decimal strings (may be empty).</param>
/// <param name="ProvingUnits">The circuit's proving units at submission.</param>
/// <param name="ReserveFee">Reserve fee at submission, in wei.</param>
/// <param name="Block">Block of the submission.</param>
public sealed record TrackedRequest(string RequestId, uint CircuitId, byte[] Terms, byte[] Input, string InputUri,
    IReadOnlyList<BigInteger> PublicInputs, ulong ProvingUnits, BigInteger ReserveFee, ulong Block);

/// <summary>A sealed bid as journalled.</summary>
/// <param name="RequestId">The request's id (0x-hex).</param>
/// <param name="Fee">The bid's fee in wei.</param>
/// <param name="LatencySeconds">The promised latency.</param>
/// <param name="Salt">The commitment's secret salt (written before the commit is sent).</param>
/// <param name="Commitment">The commitment posted on chain.</param>
/// <param name="State">How far the bid has gone.</param>
/// <param name="Lane">The prover's bid lane the commitment goes into (see <c>commitBid</c>).</param>
public sealed record BidRecord(string RequestId, BigInteger Fee, uint LatencySeconds, byte[] Salt, byte[] Commitment, BidState State, byte Lane);

/// <summary>What the worker decided about a standing-ask match of one of its asks.</summary>
public enum MatchDecision
{
    /// <summary>Take the job: <c>acceptMatch</c> (collateral locked, proving deadline starts).</summary>
    Accept = 0,
    /// <summary>Pass it on: <c>declineMatch</c> (nothing locked; the request goes to the next ask or opens).</summary>
    Decline = 1,
}

/// <summary>A standing-ask match decision as journalled (one per match: a request matched to us again gets a new one).</summary>
/// <param name="RequestId">The request's id (0x-hex).</param>
/// <param name="AcceptBy">The match's acceptance deadline (identifies the match).</param>
/// <param name="Decision">Accept or decline.</param>
/// <param name="Reason">Why (declines always have one).</param>
/// <param name="InputRejected">The decline is because the request's input failed the preflight: the worker does not
///     deliver the request in any other way either.</param>
public sealed record MatchRecord(string RequestId, ulong AcceptBy, MatchDecision Decision, string? Reason, bool InputRejected);

/// <summary>A transaction the worker signed for a request, journalled before it was broadcast.</summary>
/// <param name="RequestId">The request's id (0x-hex).</param>
/// <param name="Action">What the transaction does (<c>commitBid</c>, <c>lockDutch</c>, <c>fulfill</c>...).</param>
/// <param name="TransactionHash">The signed transaction's hash.</param>
/// <param name="Nonce">Its nonce.</param>
/// <param name="SentAt">Unix seconds (wall clock) when it was signed.</param>
public sealed record SendRecord(string RequestId, string Action, byte[] TransactionHash, ulong Nonce, long SentAt);

/// <summary>One journalled transaction that acted on several requests at once (a <c>fulfillBatch</c>).</summary>
/// <param name="TransactionHash">Its hash (hex).</param>
/// <param name="RequestIds">The requests it delivered.</param>
/// <param name="SentAt">When it was signed (unix seconds).</param>
public sealed record BatchSendRecord(string TransactionHash, IReadOnlyList<string> RequestIds, long SentAt);

/// <summary>A job as journalled.</summary>
public sealed record JobRecord(string RequestId, int Mode, JobState State, string? ProofJson, string? PublicJson, string? Reason);

/// <summary>
/// The worker's durable state in SQLite (WAL, synchronous=FULL): the last processed block, every sealed bid's salt
/// (written before its commit is sent, so a crash never loses a reveal), jobs and their proofs (so a proof is never
/// submitted twice and never recomputed after a restart). Thread-safe: one connection, serialised.
/// </summary>
public sealed class WorkerJournal : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();

    /// <summary>Owner read and write only: the journal holds the sealed bids' salts.</summary>
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Opens (creating if needed) the journal at <paramref name="path"/>. The file holds the salts of sealed bids that
    /// are not yet revealed (whoever reads one learns the bid), so it is created 0600 before SQLite opens it (SQLite
    /// gives its <c>-wal</c> and <c>-shm</c> files the database file's mode), a folder it creates is 0700, and an
    /// existing journal, <c>-wal</c> or <c>-shm</c> file that its group or others may read or write is narrowed to its
    /// owner's bits.
    /// </summary>
    public WorkerJournal(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full);
        if (!OperatingSystem.IsWindows())
        {
            if (dir is not null && !Directory.Exists(dir))
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            CreatePrivate(full);
            foreach (var f in new[] { full, full + "-wal", full + "-shm" }) NarrowToOwner(f);
        }
        else if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        Exec("""
            CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 1), block INTEGER NOT NULL, hash TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS bids (
              request_id TEXT PRIMARY KEY, fee TEXT NOT NULL, latency INTEGER NOT NULL,
              salt BLOB NOT NULL, commitment BLOB NOT NULL, state INTEGER NOT NULL, updated_at TEXT NOT NULL,
              lane INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE IF NOT EXISTS requests (
              request_id TEXT PRIMARY KEY, circuit_id INTEGER NOT NULL, terms BLOB NOT NULL, input BLOB NOT NULL,
              input_uri TEXT NOT NULL, public_inputs TEXT NOT NULL, proving_units INTEGER NOT NULL, reserve_fee TEXT NOT NULL,
              block INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1, reason TEXT);
            CREATE TABLE IF NOT EXISTS matches (
              request_id TEXT NOT NULL, accept_by INTEGER NOT NULL, decision INTEGER NOT NULL, reason TEXT,
              input_rejected INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL, PRIMARY KEY (request_id, accept_by));
            CREATE TABLE IF NOT EXISTS jobs (
              request_id TEXT PRIMARY KEY, mode INTEGER NOT NULL, state INTEGER NOT NULL,
              proof_json TEXT, public_json TEXT, reason TEXT, updated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS locks (
              request_id TEXT PRIMARY KEY, price TEXT NOT NULL, open INTEGER NOT NULL DEFAULT 1, updated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS sends (
              request_id TEXT NOT NULL, action TEXT NOT NULL, tx_hash BLOB NOT NULL, nonce INTEGER NOT NULL,
              sent_at INTEGER NOT NULL, PRIMARY KEY (request_id, action, tx_hash));
            """);
        // Journals written before bid lanes existed: their bids all went to what is now lane 0.
        using (var info = Command("SELECT COUNT(*) FROM pragma_table_info('bids') WHERE name = 'lane'"))
            if (Convert.ToInt64(info.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
                Exec("ALTER TABLE bids ADD COLUMN lane INTEGER NOT NULL DEFAULT 0;");
    }

    /// <summary>Creates an empty (0600) file where none is; SQLite takes an empty file for an empty database.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CreatePrivate(string path)
    {
        if (File.Exists(path)) return;
        try
        {
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite, UnixCreateMode = PrivateFileMode,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created meanwhile (another process opening the same journal): NarrowToOwner checks its mode.
        }
    }

    /// <summary>Clears the group and other bits of an existing file (a journal from before this check, or a copy).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void NarrowToOwner(string path)
    {
        if (!File.Exists(path)) return;
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode groupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & groupOrOthers) != 0) File.SetUnixFileMode(path, mode & ~groupOrOthers);
    }

    /// <summary>The last fully processed block and its hash, or null on a fresh journal.</summary>
    public (ulong Block, string Hash)? GetCursor()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT block, hash FROM cursor WHERE id = 1");
            using var r = cmd.ExecuteReader();
            return r.Read() ? ((ulong)r.GetInt64(0), r.GetString(1)) : null;
        }
    }

    /// <summary>Records that every event up to <paramref name="block"/> (hash <paramref name="hash"/>) is processed.</summary>
    public void SetCursor(ulong block, string hash)
    {
        lock (_gate)
        {
            using var cmd = Command("INSERT INTO cursor (id, block, hash) VALUES (1, $b, $h) ON CONFLICT(id) DO UPDATE SET block = $b, hash = $h",
                ("$b", (long)block), ("$h", hash));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Starts following a request (idempotent: a replayed event changes nothing).</summary>
    public void TrackRequest(TrackedRequest r)
    {
        lock (_gate)
        {
            using var cmd = Command("""
                INSERT INTO requests (request_id, circuit_id, terms, input, input_uri, public_inputs, proving_units, reserve_fee, block)
                VALUES ($id, $c, $t, $i, $u, $p, $n, $f, $b) ON CONFLICT(request_id) DO NOTHING
                """, ("$id", r.RequestId), ("$c", (long)r.CircuitId), ("$t", r.Terms), ("$i", r.Input), ("$u", r.InputUri),
                ("$p", string.Join(',', r.PublicInputs.Select(x => x.ToString(CultureInfo.InvariantCulture)))),
                ("$n", (long)r.ProvingUnits), ("$f", r.ReserveFee.ToString(CultureInfo.InvariantCulture)), ("$b", (long)r.Block));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Requests still followed.</summary>
    public IReadOnlyList<TrackedRequest> ActiveRequests()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT request_id, circuit_id, terms, input, input_uri, public_inputs, proving_units, reserve_fee, block FROM requests WHERE active = 1 ORDER BY block");
            using var r = cmd.ExecuteReader();
            var list = new List<TrackedRequest>();
            while (r.Read())
            {
                var pis = r.GetString(5);
                list.Add(new TrackedRequest(r.GetString(0), (uint)r.GetInt64(1), (byte[])r[2], (byte[])r[3], r.GetString(4),
                    pis.Length == 0 ? [] : pis.Split(',').Select(x => BigInteger.Parse(x, CultureInfo.InvariantCulture)).ToArray(),
                    (ulong)r.GetInt64(6), BigInteger.Parse(r.GetString(7), CultureInfo.InvariantCulture), (ulong)r.GetInt64(8)));
            }
            return list;
        }
    }

    /// <summary>Stops following a request, with the reason.</summary>
    public void CloseRequest(string requestId, string reason)
    {
        lock (_gate)
        {
            using var cmd = Command("UPDATE requests SET active = 0, reason = $r WHERE request_id = $id", ("$r", reason), ("$id", requestId));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Why a request stopped being followed (null while it is followed or unknown).</summary>
    public string? ClosedReason(string requestId)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT reason FROM requests WHERE request_id = $id AND active = 0", ("$id", requestId));
            return cmd.ExecuteScalar() as string;
        }
    }

    /// <summary>Forgets a request whose submission was rolled back by a reorg, unless the worker already acted on it.</summary>
    public void DropRequestIfUntouched(string requestId)
    {
        lock (_gate)
        {
            using var cmd = Command("""
                DELETE FROM requests WHERE request_id = $id
                  AND NOT EXISTS (SELECT 1 FROM bids WHERE request_id = $id) AND NOT EXISTS (SELECT 1 FROM jobs WHERE request_id = $id)
                  AND NOT EXISTS (SELECT 1 FROM matches WHERE request_id = $id) AND NOT EXISTS (SELECT 1 FROM locks WHERE request_id = $id)
                """, ("$id", requestId));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Writes a planned bid before its commit transaction is sent. Returns the bid already journalled for this
    /// request if there is one (so a restart re-uses the same salt and commitment and never commits twice).
    /// </summary>
    public BidRecord PlanBid(string requestId, BigInteger fee, uint latencySeconds, byte[] salt, byte[] commitment, byte lane = 0)
    {
        lock (_gate)
        {
            using (var ins = Command("""
                INSERT INTO bids (request_id, fee, latency, salt, commitment, state, updated_at, lane)
                VALUES ($id, $fee, $lat, $salt, $c, 0, $t, $lane) ON CONFLICT(request_id) DO NOTHING
                """, ("$id", requestId), ("$fee", fee.ToString(CultureInfo.InvariantCulture)), ("$lat", (long)latencySeconds),
                ("$salt", salt), ("$c", commitment), ("$t", Now()), ("$lane", (long)lane)))
                ins.ExecuteNonQuery();
            return GetBidUnlocked(requestId)!;
        }
    }

    /// <summary>The journalled bid for a request, or null.</summary>
    public BidRecord? GetBid(string requestId)
    {
        lock (_gate) return GetBidUnlocked(requestId);
    }

    /// <summary>The bid lanes of bids not yet closed: a new bid goes to another lane.</summary>
    public IReadOnlySet<byte> LanesInUse() => OpenBids().Select(b => b.Lane).ToHashSet();

    /// <summary>Bids not yet closed, for the worker to drive after a restart.</summary>
    public IReadOnlyList<BidRecord> OpenBids()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT request_id, fee, latency, salt, commitment, state, lane FROM bids WHERE state < 3 ORDER BY updated_at");
            return ReadBids(cmd);
        }
    }

    /// <summary>Moves a bid forward; moving backwards is ignored (a stale observation never undoes progress).</summary>
    public void AdvanceBid(string requestId, BidState state)
    {
        lock (_gate)
        {
            using var cmd = Command("UPDATE bids SET state = $s, updated_at = $t WHERE request_id = $id AND state < $s",
                ("$s", (long)state), ("$t", Now()), ("$id", requestId));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Writes the decision on a standing-ask match before its <c>acceptMatch</c> or <c>declineMatch</c> is sent. Returns
    /// the decision already journalled for this match if there is one: a restart re-sends the same decision (guarded by
    /// chain state) and never sends the opposite one.
    /// </summary>
    public MatchRecord DecideMatch(string requestId, ulong acceptBy, MatchDecision decision, string? reason = null, bool inputRejected = false)
    {
        lock (_gate)
        {
            using (var ins = Command("""
                INSERT INTO matches (request_id, accept_by, decision, reason, input_rejected, updated_at)
                VALUES ($id, $by, $d, $r, $bad, $t) ON CONFLICT(request_id, accept_by) DO NOTHING
                """, ("$id", requestId), ("$by", (long)acceptBy), ("$d", (long)decision), ("$r", (object?)reason ?? DBNull.Value),
                ("$bad", inputRejected ? 1L : 0L), ("$t", Now())))
                ins.ExecuteNonQuery();
            return GetMatchUnlocked(requestId, acceptBy)!;
        }
    }

    /// <summary>The journalled decision on the match of <paramref name="requestId"/> with deadline <paramref name="acceptBy"/>, or null.</summary>
    public MatchRecord? GetMatch(string requestId, ulong acceptBy)
    {
        lock (_gate) return GetMatchUnlocked(requestId, acceptBy);
    }

    /// <summary>Every journalled match decision on a request, oldest first.</summary>
    public IReadOnlyList<MatchRecord> Matches(string requestId)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT request_id, accept_by, decision, reason, input_rejected FROM matches WHERE request_id = $id ORDER BY accept_by",
                ("$id", requestId));
            return ReadMatches(cmd);
        }
    }

    /// <summary>Records that the worker is responsible for a job; returns false if it already was.</summary>
    public bool AcceptJob(string requestId, int mode)
    {
        lock (_gate)
        {
            using var cmd = Command("INSERT INTO jobs (request_id, mode, state, updated_at) VALUES ($id, $m, 0, $t) ON CONFLICT(request_id) DO NOTHING",
                ("$id", requestId), ("$m", (long)mode), ("$t", Now()));
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>
    /// Stores the proof of an accepted job (before any submission is attempted). Returns false when the job is no
    /// longer open (done or abandoned meanwhile, e.g. a race won by someone else): the proof is not needed.
    /// </summary>
    public bool TrySaveProof(string requestId, string proofJson, string publicJson)
    {
        lock (_gate)
        {
            using var cmd = Command("UPDATE jobs SET proof_json = $p, public_json = $pub, state = MAX(state, 1), updated_at = $t WHERE request_id = $id AND state < 3",
                ("$p", proofJson), ("$pub", publicJson), ("$t", Now()), ("$id", requestId));
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>Moves a job forward, with an optional reason; moving backwards is ignored.</summary>
    public void AdvanceJob(string requestId, JobState state, string? reason = null)
    {
        lock (_gate)
        {
            using var cmd = Command("UPDATE jobs SET state = $s, reason = COALESCE($r, reason), updated_at = $t WHERE request_id = $id AND state < $s",
                ("$s", (long)state), ("$r", (object?)reason ?? DBNull.Value), ("$t", Now()), ("$id", requestId));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>A journalled job, or null.</summary>
    public JobRecord? GetJob(string requestId)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT request_id, mode, state, proof_json, public_json, reason FROM jobs WHERE request_id = $id", ("$id", requestId));
            return ReadJobs(cmd).SingleOrDefault();
        }
    }

    /// <summary>Jobs neither done nor abandoned, for the worker to drive after a restart.</summary>
    public IReadOnlyList<JobRecord> OpenJobs()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT request_id, mode, state, proof_json, public_json, reason FROM jobs WHERE state < 3 ORDER BY updated_at");
            return ReadJobs(cmd);
        }
    }

    /// <summary>
    /// Writes a Dutch lock before its transaction is sent: it holds a unit of capacity and its collateral counts as at
    /// risk until chain state resolves it (assigned to us, to another, or gone). Returns false when one is already open.
    /// </summary>
    public bool PlanLock(string requestId, BigInteger price)
    {
        lock (_gate)
        {
            using var cmd = Command("INSERT INTO locks (request_id, price, open, updated_at) VALUES ($id, $p, 1, $t) ON CONFLICT(request_id) DO NOTHING",
                ("$id", requestId), ("$p", price.ToString(CultureInfo.InvariantCulture)), ("$t", Now()));
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>Whether a Dutch lock of this request is journalled and not yet resolved.</summary>
    public bool HasOpenLock(string requestId)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT COUNT(*) FROM locks WHERE request_id = $id AND open = 1", ("$id", requestId));
            return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
        }
    }

    /// <summary>Marks a journalled Dutch lock resolved (chain state shows the outcome).</summary>
    public void CloseLock(string requestId)
    {
        lock (_gate)
        {
            using var cmd = Command("UPDATE locks SET open = 0, updated_at = $t WHERE request_id = $id", ("$t", Now()), ("$id", requestId));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Requests with an open Dutch lock.</summary>
    public IReadOnlyList<string> OpenLocks()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT request_id FROM locks WHERE open = 1");
            using var r = cmd.ExecuteReader();
            var list = new List<string>();
            while (r.Read()) list.Add(r.GetString(0));
            return list;
        }
    }

    /// <summary>
    /// Requests whose standing-ask match we decided to accept that are not yet a job (the acceptance may be in flight):
    /// they hold capacity like a job until their acceptance window closes (<paramref name="now"/>, Unix seconds; default
    /// the wall clock), after which an acceptance that did not land holds nothing.
    /// </summary>
    public IReadOnlyList<string> PendingAccepts(long? now = null)
    {
        lock (_gate)
        {
            using var cmd = Command("""
                SELECT DISTINCT m.request_id FROM matches m JOIN requests q ON q.request_id = m.request_id
                WHERE m.decision = 0 AND q.active = 1 AND m.accept_by >= $now
                  AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.request_id = m.request_id)
                """, ("$now", now ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
            using var r = cmd.ExecuteReader();
            var list = new List<string>();
            while (r.Read()) list.Add(r.GetString(0));
            return list;
        }
    }

    /// <summary>
    /// Journals a signed transaction before it is broadcast. Every version is kept (a fee-bumped replacement, a re-sign
    /// after a nonce resync): whichever of them is mined, the action is done.
    /// </summary>
    public void RecordSend(string requestId, string action, byte[] transactionHash, ulong nonce)
    {
        lock (_gate)
        {
            using var cmd = Command("""
                INSERT INTO sends (request_id, action, tx_hash, nonce, sent_at) VALUES ($id, $a, $h, $n, $t)
                ON CONFLICT(request_id, action, tx_hash) DO NOTHING
                """, ("$id", requestId), ("$a", action), ("$h", transactionHash), ("$n", (long)nonce), ("$t", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>The last journalled transaction for a request and action, or null.</summary>
    public SendRecord? GetSend(string requestId, string action) => GetSends(requestId, action).FirstOrDefault();

    /// <summary>Every journalled transaction for a request and action, newest first.</summary>
    public IReadOnlyList<SendRecord> GetSends(string requestId, string action)
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT request_id, action, tx_hash, nonce, sent_at FROM sends WHERE request_id = $id AND action = $a ORDER BY sent_at DESC, rowid DESC",
                ("$id", requestId), ("$a", action));
            using var r = cmd.ExecuteReader();
            var list = new List<SendRecord>();
            while (r.Read()) list.Add(new SendRecord(r.GetString(0), r.GetString(1), (byte[])r[2], (ulong)r.GetInt64(3), r.GetInt64(4)));
            return list;
        }
    }

    /// <summary>Every journalled transaction, oldest first (the double-send audit reads it).</summary>
    public IReadOnlyList<SendRecord> Sends()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT request_id, action, tx_hash, nonce, sent_at FROM sends ORDER BY sent_at");
            using var r = cmd.ExecuteReader();
            var list = new List<SendRecord>();
            while (r.Read()) list.Add(new SendRecord(r.GetString(0), r.GetString(1), (byte[])r[2], (ulong)r.GetInt64(3), r.GetInt64(4)));
            return list;
        }
    }

    /// <summary>The send action of a delivery by <c>fulfill</c> or <c>fulfillBatch</c>: one per request, whichever carried it.</summary>
    public const string DeliveryAction = "fulfill";

    /// <summary>
    /// The latest transactions that carried <paramref name="action"/> for more than one request (batches), newest first,
    /// each with its hash and requests, at most <paramref name="limit"/>.
    /// </summary>
    public IReadOnlyList<BatchSendRecord> Batches(string action, int limit)
    {
        lock (_gate)
        {
            using var cmd = Command("""
                SELECT tx_hash, group_concat(request_id, ','), MAX(sent_at) FROM sends WHERE action = $a
                GROUP BY tx_hash HAVING COUNT(*) > 1 ORDER BY MAX(sent_at) DESC, MAX(rowid) DESC LIMIT $n
                """, ("$a", action), ("$n", limit));
            using var r = cmd.ExecuteReader();
            var list = new List<BatchSendRecord>();
            while (r.Read()) list.Add(new BatchSendRecord(ProverMarketChain.ContractBindings.Primitives.Hex.Encode((byte[])r[0]), r.GetString(1).Split(','), r.GetInt64(2)));
            return list;
        }
    }

    /// <summary>Counts jobs per state, for the status command and metrics.</summary>
    public IReadOnlyDictionary<JobState, int> JobCounts()
    {
        lock (_gate)
        {
            using var cmd = Command("SELECT state, COUNT(*) FROM jobs GROUP BY state");
            using var r = cmd.ExecuteReader();
            var d = new Dictionary<JobState, int>();
            while (r.Read()) d[(JobState)r.GetInt32(0)] = r.GetInt32(1);
            return d;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _db.Dispose();

    private BidRecord? GetBidUnlocked(string requestId)
    {
        using var cmd = Command("SELECT request_id, fee, latency, salt, commitment, state, lane FROM bids WHERE request_id = $id", ("$id", requestId));
        return ReadBids(cmd).SingleOrDefault();
    }

    private MatchRecord? GetMatchUnlocked(string requestId, ulong acceptBy)
    {
        using var cmd = Command("SELECT request_id, accept_by, decision, reason, input_rejected FROM matches WHERE request_id = $id AND accept_by = $by",
            ("$id", requestId), ("$by", (long)acceptBy));
        return ReadMatches(cmd).SingleOrDefault();
    }

    private static List<MatchRecord> ReadMatches(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<MatchRecord>();
        while (r.Read())
            list.Add(new MatchRecord(r.GetString(0), (ulong)r.GetInt64(1), (MatchDecision)r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4) != 0));
        return list;
    }

    private static List<BidRecord> ReadBids(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<BidRecord>();
        while (r.Read())
            list.Add(new BidRecord(r.GetString(0), BigInteger.Parse(r.GetString(1), CultureInfo.InvariantCulture), (uint)r.GetInt64(2),
                (byte[])r[3], (byte[])r[4], (BidState)r.GetInt32(5), (byte)r.GetInt64(6)));
        return list;
    }

    private static List<JobRecord> ReadJobs(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<JobRecord>();
        while (r.Read())
            list.Add(new JobRecord(r.GetString(0), r.GetInt32(1), (JobState)r.GetInt32(2),
                r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
        return list;
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private void Exec(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params (string Name, object Value)[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return cmd;
    }
}
