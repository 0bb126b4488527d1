using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Akka.TestKit;
using Microsoft.Data.Sqlite;
using OkvActors.Cluster.Audit;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Cluster.Tests.Audit;

/// <summary>
/// The audit log on a real SQLite file. Restarts stop the actor and start a new one on the same journal;
/// the tamper tests stop a whole ActorSystem, edit the file with plain SQL and start another.
/// </summary>
public sealed class AuditLogActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory;
    private readonly string _node = $"node-{Guid.NewGuid():N}";
    private readonly SteppingTime _time = new(Start);

    public AuditLogActorTests(ITestOutputHelper output)
        : this(Directory.CreateTempSubdirectory("okv-audit-").FullName, output)
    {
    }

    private AuditLogActorTests(string directory, ITestOutputHelper output)
        : base(SystemConfig(Path.Combine(directory, "okv.db")), nameof(AuditLogActorTests), output)
    {
        _directory = directory;
    }

    [Fact]
    public void A_record_is_stamped_chained_and_acknowledged_with_its_sequence_and_hash()
    {
        var log = Sys.ActorOf(LogProps());

        var first = Record(log, "Create", "uid-1");
        var second = Record(log, "Get", "uid-1", result: "permission-denied", detail: "no grant on wallet w1");

        var entries = ReadAll(log);
        Assert.Equal([1L, 2], [first.Sequence, second.Sequence]);
        Assert.Equal([first.Hash, second.Hash], entries.Select(e => e.Hash));
        Assert.Equal(AuditChain.GenesisHash, entries[0].PreviousHash);
        Assert.Equal(first.Hash, entries[1].PreviousHash);
        Assert.Equal([Start.AddSeconds(1), Start.AddSeconds(2)], entries.Select(e => e.Time));
        Assert.All(entries, e => Assert.Equal((_node, "cn=endpoint1"), (e.Node, e.Who)));
        Assert.Equal(("Get", "uid-1", "permission-denied", "no grant on wallet w1"),
            (entries[1].Operation, entries[1].ObjectUid, entries[1].Result, entries[1].Detail));
    }

    [Fact]
    public void A_log_continuing_an_archived_chain_links_its_first_entry_to_the_archived_head_and_verifies_from_there()
    {
        // What a node restored from a backup does: its first entry follows the archived head, not the genesis hash.
        var anchor = new AuditHead(41, new string('a', 64));
        var log = Sys.ActorOf(AuditLogActor.Props(_node, 1000, 2, _time, anchor));
        log.Tell(GetAuditHead.Instance);
        Assert.Equal(anchor, ExpectMsg<AuditHead>());

        Record(log, "Restore", null);
        var second = Record(log, "Get", "uid-1");
        var third = Record(log, "Get", "uid-2");

        var entries = ReadAll(log);
        Assert.Equal([42L, 43], entries.Select(e => e.Sequence)); // one page of two
        Assert.Equal(anchor.Hash, entries[0].PreviousHash);
        Assert.Equal(entries[0].Hash, entries[1].PreviousHash);
        log.Tell(new ReadAudit(43, 2));
        Assert.Equal([43L, 44], ExpectMsg<AuditRead>().Entries.Select(e => e.Sequence));
        Assert.Equal(new AuditChainValid(3, new AuditHead(44, third.Hash)), Verify(log));

        Stop(log);
        var restarted = Sys.ActorOf(AuditLogActor.Props(_node, 1000, 2, _time, anchor));
        Assert.Equal(45, Record(restarted, "Get", "uid-3").Sequence);
        Assert.Equal(new AuditHead(43, second.Hash), new AuditHead(entries[1].Sequence, entries[1].Hash));
        Assert.IsType<AuditChainValid>(Verify(restarted));
    }

    [Fact]
    public void The_head_is_the_last_entry_recorded_and_genesis_before_any()
    {
        var log = Sys.ActorOf(LogProps());
        log.Tell(GetAuditHead.Instance);
        Assert.Equal(AuditHead.Genesis, ExpectMsg<AuditHead>());

        Record(log, "Create", "uid-1");
        var last = Record(log, "Destroy", "uid-1");

        log.Tell(GetAuditHead.Instance);
        Assert.Equal(new AuditHead(last.Sequence, last.Hash), ExpectMsg<AuditHead>());
    }

    [Fact]
    public void A_record_without_who_operation_or_result_is_rejected_and_takes_no_sequence()
    {
        var log = Sys.ActorOf(LogProps());

        log.Tell(new RecordAudit(" ", "Create", null, AuditEntry.Success));
        Assert.Contains("who", ExpectMsg<AuditRecordRejected>().Reason, StringComparison.Ordinal);
        log.Tell(new RecordAudit("operator:local", "node-remove", null, ""));
        Assert.Contains("result", ExpectMsg<AuditRecordRejected>().Reason, StringComparison.Ordinal);

        Assert.Equal(1, Record(log, "node-remove", null).Sequence);
    }

    [Fact]
    public void A_detail_is_a_short_explanation_and_a_long_one_is_cut()
    {
        // The detail explains a result ("no grant on wallet w1"); callers never pass key material, and
        // whatever they pass is bounded so an entry can't carry a payload.
        var log = Sys.ActorOf(LogProps());

        Record(log, "Encrypt", "uid-1", result: "invalid-field", detail: new string('x', 1000));

        var detail = Assert.Single(ReadAll(log)).Detail!;
        Assert.Equal(AuditLogActor.MaxDetailLength, detail.Length);
        Assert.EndsWith("…", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_survive_a_restart_and_the_first_entry_after_it_links_to_the_last_before()
    {
        var log = Sys.ActorOf(LogProps());
        Record(log, "Create", "uid-1");
        Record(log, "Get", "uid-1");
        var last = Record(log, "Destroy", "uid-1");
        Stop(log);

        var restarted = Sys.ActorOf(LogProps());
        var next = Record(restarted, "Get", "uid-1", result: "item-not-found");

        var entries = ReadAll(restarted);
        Assert.Equal(4, next.Sequence);
        Assert.Equal([1L, 2, 3, 4], entries.Select(e => e.Sequence));
        Assert.Equal(last.Hash, entries[3].PreviousHash);
        Assert.Equal(new AuditHead(4, next.Hash), Assert.IsType<AuditChainValid>(Verify(restarted)).Head);
    }

    [Fact]
    public void A_snapshot_holds_only_the_head_recovery_starts_from_it_and_every_entry_stays_in_the_journal()
    {
        var log = Sys.ActorOf(LogProps(snapshotEvery: 3));
        var recorded = Enumerable.Range(1, 7).Select(i => Record(log, "Get", $"uid-{i}")).ToArray();

        var snapshot = AwaitSnapshot(6);
        Assert.Equal(new AuditHead(6, recorded[5].Hash), snapshot.Snapshot);
        Stop(log);

        var restarted = Sys.ActorOf(LogProps(snapshotEvery: 3));
        var next = Record(restarted, "Get", "uid-8");

        Assert.Equal(8, next.Sequence);
        var entries = ReadAll(restarted);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.Equal(recorded[6].Hash, entries[7].PreviousHash);
        Assert.Equal(8, Assert.IsType<AuditChainValid>(Verify(restarted)).Entries);
    }

    [Fact]
    public void Reads_page_through_the_journal_in_sequence_order_up_to_the_page_size()
    {
        var log = Sys.ActorOf(LogProps(pageSize: 3));
        for (var i = 1; i <= 5; i++)
        {
            Record(log, "Get", $"uid-{i}");
        }

        Assert.Equal(("1,2", 3L), Page(log, 1, 2));
        Assert.Equal(("3,4", 5L), Page(log, 3, 2));
        Assert.Equal(("5", 6L), Page(log, 5, 2));
        Assert.Equal(("", 6L), Page(log, 6, 2));
        Assert.Equal(("2,3,4", 5L), Page(log, 2, 100));
        Assert.Equal(("", 1L), Page(log, 1, 0));
    }

    [Fact]
    public void Verification_reads_the_journal_in_pages_and_a_fresh_log_is_valid_at_genesis()
    {
        var log = Sys.ActorOf(LogProps(pageSize: 2));
        Assert.Equal(new AuditChainValid(0, AuditHead.Genesis), Verify(log));

        var recorded = Enumerable.Range(1, 5).Select(i => Record(log, "Get", $"uid-{i}")).ToArray();

        Assert.Equal(new AuditChainValid(5, new AuditHead(5, recorded[4].Hash)), Verify(log));
    }

    [Fact]
    public void Records_sent_together_are_chained_in_arrival_order_acknowledged_once_written_and_verify_while_more_arrive()
    {
        var log = Sys.ActorOf(LogProps(snapshotEvery: 16));
        const int count = 200;

        // Nobody waits for an acknowledgement before sending the next: most arrive while a write is in flight.
        for (var i = 1; i <= count; i++)
        {
            log.Tell(new RecordAudit("cn=endpoint1", "Get", $"uid-{i}", AuditEntry.Success));
        }

        log.Tell(VerifyAudit.Instance); // deferred behind the 200 entries
        for (var i = 1; i <= count; i++)
        {
            log.Tell(new RecordAudit("cn=endpoint2", "Encrypt", $"uid-{i}", AuditEntry.Success));
        }

        // The verdict comes from a reader that starts once the first 200 are written, so it may overtake later acknowledgements.
        var replies = ReceiveN(2 * count + 1);
        var verified = Assert.IsType<AuditChainValid>(Assert.Single(replies.OfType<IAuditVerification>()));
        var recorded = replies.OfType<AuditRecorded>().ToArray();

        Assert.Equal(Enumerable.Range(1, 2 * count).Select(i => (long)i), recorded.Select(r => r.Sequence));
        // It checked at least the first 200 against the head they left (the journal may already hold more).
        Assert.InRange(verified.Head.Sequence, count, 2 * count);
        Assert.Equal(recorded[verified.Head.Sequence - 1].Hash, verified.Head.Hash);
        var entries = ReadAll(log);
        Assert.Equal(recorded.Select(r => r.Hash), entries.Select(e => e.Hash));
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"uid-{i}"), entries.Take(count).Select(e => e.ObjectUid));
        Assert.Equal(new AuditChainValid(2 * count, new AuditHead(2 * count, recorded[^1].Hash)), Verify(log));
    }

    [Fact]
    public async Task The_log_exports_as_json_lines_that_read_back_and_verify()
    {
        var log = Sys.ActorOf(LogProps(pageSize: 2));
        var recorded = Enumerable.Range(1, 5).Select(i => Record(log, i == 5 ? "Destroy" : "Get", "uid-1")).ToArray();
        using var output = new MemoryStream();

        var written = await AuditExport.WriteJsonLinesAsync(log, output, TimeSpan.FromSeconds(10), pageSize: 2);

        var lines = System.Text.Encoding.UTF8.GetString(output.ToArray());
        var back = AuditJsonLines.Read(new StringReader(lines)).ToArray();
        Assert.Equal(5, written);
        Assert.Equal(5, lines.Count(c => c == '\n'));
        Assert.Equal(recorded.Select(r => r.Hash), back.Select(e => e.Hash));
        Assert.IsType<AuditChainValid>(AuditChain.Verify(back, new AuditHead(5, recorded[4].Hash)));
    }

    [Fact]
    public async Task An_entry_edited_in_the_database_is_reported_at_its_sequence_after_a_restart()
    {
        var database = await WriteInSeparateSystem(count: 5, snapshotEvery: 1000);
        Tamper(database, "UPDATE journal SET message = @message WHERE persistence_id = @id AND sequence_number = 3",
            message => message.Replace("\"result\":\"success\"", "\"result\":\"item-not-found\"", StringComparison.Ordinal));

        var broken = await VerifyInSeparateSystem(database, snapshotEvery: 1000);

        Assert.Equal((3L, AuditBreak.HashMismatch), (broken.Sequence, broken.Break));
    }

    [Fact]
    public async Task An_entry_deleted_from_the_middle_of_the_database_is_reported_at_its_sequence_and_logging_goes_on()
    {
        var database = await WriteInSeparateSystem(count: 5, snapshotEvery: 1000);
        Tamper(database, "DELETE FROM journal WHERE persistence_id = @id AND sequence_number = 3");

        var broken = await VerifyInSeparateSystem(database, snapshotEvery: 1000, recordFirst: 6);

        Assert.Equal((3L, AuditBreak.SequenceGap), (broken.Sequence, broken.Break));
    }

    [Fact]
    public async Task Entries_cut_off_the_end_of_the_database_are_reported_against_the_snapshotted_head()
    {
        var database = await WriteInSeparateSystem(count: 5, snapshotEvery: 5);
        Tamper(database, "DELETE FROM journal WHERE persistence_id = @id AND sequence_number >= 4");

        var broken = await VerifyInSeparateSystem(database, snapshotEvery: 5);

        Assert.Equal((4L, AuditBreak.Truncated), (broken.Sequence, broken.Break));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static Config SystemConfig(string database)
    {
        var file = database.Replace("\\", "/", StringComparison.Ordinal);
        // The first write creates the tables; on a shared 2-core machine under load that took over the 3 s default.
        return ConfigurationFactory.ParseString($$"""
                akka.test.single-expect-default = 10s
                akka.persistence.journal.plugin = "akka.persistence.journal.sql"
                akka.persistence.journal.sql {
                  connection-string = "Data Source={{file}}"
                  provider-name = "SQLite.MS"
                  auto-initialize = true
                }
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
                akka.persistence.snapshot-store.sql {
                  connection-string = "Data Source={{file}}"
                  provider-name = "SQLite.MS"
                  auto-initialize = true
                }
                """)
            .WithFallback(OkvClusterSettings.DefaultConfig())
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    private Props LogProps(int snapshotEvery = 1000, int pageSize = 1000) => AuditLogActor.Props(_node, snapshotEvery, pageSize, _time);

    private AuditRecorded Record(IActorRef log, string operation, string? objectUid, string result = AuditEntry.Success, string? detail = null) =>
        Record(log, TestActor, this, operation, objectUid, result, detail);

    private static AuditRecorded Record(
        IActorRef log, IActorRef sender, TestKitBase probe, string operation, string? objectUid, string result = AuditEntry.Success, string? detail = null)
    {
        log.Tell(new RecordAudit("cn=endpoint1", operation, objectUid, result, detail), sender);
        return probe.ExpectMsg<AuditRecorded>();
    }

    private List<AuditEntry> ReadAll(IActorRef log)
    {
        log.Tell(new ReadAudit(1, int.MaxValue));
        return [.. ExpectMsg<AuditRead>().Entries];
    }

    /// <summary>The sequences of one page, comma-separated, and where the next page starts.</summary>
    private (string Sequences, long Next) Page(IActorRef log, long from, int max)
    {
        log.Tell(new ReadAudit(from, max));
        var page = ExpectMsg<AuditRead>();
        return (string.Join(",", page.Entries.Select(e => e.Sequence)), page.NextSequence);
    }

    private IAuditVerification Verify(IActorRef log)
    {
        log.Tell(VerifyAudit.Instance);
        return ExpectMsg<IAuditVerification>();
    }

    private void Stop(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Unwatch(actor);
    }

    private SelectedSnapshot AwaitSnapshot(long sequenceNr)
    {
        var snapshots = Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        var probe = CreateTestProbe();
        SelectedSnapshot? found = null;
        AwaitAssert(() =>
        {
            probe.Send(snapshots, new LoadSnapshot(AuditLogActor.PersistenceIdOf(_node), SnapshotSelectionCriteria.Latest, long.MaxValue));
            found = probe.ExpectMsg<LoadSnapshotResult>().Snapshot;
            Assert.Equal(sequenceNr, found?.Metadata.SequenceNr);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        return found!;
    }

    /// <summary>Records <paramref name="count"/> successes in a system of its own on a file of its own, then shuts it down.</summary>
    private async Task<string> WriteInSeparateSystem(int count, int snapshotEvery)
    {
        var database = Path.Combine(_directory, "tamper.db");
        var system = ActorSystem.Create(nameof(AuditLogActorTests) + "-writer", SystemConfig(database));
        try
        {
            var probe = CreateTestProbe(system);
            var log = system.ActorOf(AuditLogActor.Props(_node, snapshotEvery, 1000, _time));
            for (var i = 1; i <= count; i++)
            {
                Record(log, probe.Ref, probe, "Get", $"uid-{i}");
            }

            if (count % snapshotEvery == 0)
            {
                AwaitSnapshotIn(system, probe, count);
            }
        }
        finally
        {
            await ShutdownAsync(system, verifySystemShutdown: true);
            SqliteConnection.ClearAllPools();
        }

        return database;
    }

    private void AwaitSnapshotIn(ActorSystem system, TestProbe probe, long sequenceNr)
    {
        var snapshots = Persistence.Instance.Apply(system).SnapshotStoreFor(null);
        AwaitAssert(() =>
        {
            probe.Send(snapshots, new LoadSnapshot(AuditLogActor.PersistenceIdOf(_node), SnapshotSelectionCriteria.Latest, long.MaxValue));
            Assert.Equal(sequenceNr, probe.ExpectMsg<LoadSnapshotResult>().Snapshot?.Metadata.SequenceNr);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
    }

    /// <summary>Starts a new system on <paramref name="database"/>, optionally records one more entry, and verifies.</summary>
    private async Task<AuditChainBroken> VerifyInSeparateSystem(string database, int snapshotEvery, long? recordFirst = null)
    {
        var system = ActorSystem.Create(nameof(AuditLogActorTests) + "-reader", SystemConfig(database));
        try
        {
            var probe = CreateTestProbe(system);
            var log = system.ActorOf(AuditLogActor.Props(_node, snapshotEvery, 2, _time));
            if (recordFirst is { } expected)
            {
                Assert.Equal(expected, Record(log, probe.Ref, probe, "Get", "uid-after").Sequence);
            }

            probe.Send(log, VerifyAudit.Instance);
            return probe.ExpectMsg<AuditChainBroken>();
        }
        finally
        {
            await ShutdownAsync(system, verifySystemShutdown: true);
        }
    }

    /// <summary>
    /// Runs <paramref name="sql"/> on Akka.Persistence.Sql's journal table (default mapping: <c>journal</c>,
    /// keyed by <c>persistence_id</c> and <c>sequence_number</c>, the serialized event in <c>message</c>).
    /// </summary>
    private void Tamper(string database, string sql, Func<string, string>? edit = null)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@id", AuditLogActor.PersistenceIdOf(_node));
        if (edit is not null)
        {
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT message FROM journal WHERE persistence_id = @id AND sequence_number = 3";
            read.Parameters.AddWithValue("@id", AuditLogActor.PersistenceIdOf(_node));
            var original = System.Text.Encoding.UTF8.GetString((byte[])read.ExecuteScalar()!);
            var edited = edit(original);
            Assert.NotEqual(original, edited);
            command.Parameters.AddWithValue("@message", System.Text.Encoding.UTF8.GetBytes(edited));
        }

        Assert.NotEqual(0, command.ExecuteNonQuery());
    }

    /// <summary>A clock that moves one second on every reading, so entry n is stamped Start + n s.</summary>
    private sealed class SteppingTime(DateTimeOffset start) : TimeProvider
    {
        private long _readings;

        public override DateTimeOffset GetUtcNow() => start.AddSeconds(Interlocked.Increment(ref _readings));
    }
}
