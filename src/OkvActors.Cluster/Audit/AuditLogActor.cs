using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace OkvActors.Cluster.Audit;

/// <summary>
/// This node's append-only, hash-chained audit log on Akka.Persistence.Sql (persistence id
/// <c>okv-audit-{node}</c>). Each <see cref="RecordAudit"/> becomes one journalled <see cref="AuditEntry"/>
/// linked to the one before; the journal is the log and this actor never deletes from it.
/// <para>
/// It keeps only heads (sequence and hash) in memory: the tail, the last entry handed to the journal, and the
/// head, the last one the journal confirmed. Each entry is stamped from the tail when its command arrives and
/// handed over with PersistAsync, so the journal's order (the order of the calls) is the chain's order, and
/// entries that arrive while a write is in flight go to the journal together in one write (Akka's persistent
/// actor batches them): every operation on the node is audited, so one disk write per entry would cap the
/// node's operations per second. An entry is acknowledged only once it is written. Snapshots every
/// <c>snapshot-every</c> entries hold just the head, so recovery replays at most that many entries.
/// Reads and verification go straight to the journal through a short-lived <see cref="AuditReader"/>,
/// so the log never has to fit in memory and recording goes on meanwhile.
/// </para>
/// </summary>
public sealed class AuditLogActor : ReceivePersistentActor
{
    /// <summary>Longer details are cut: the detail explains a result, it is not a payload.</summary>
    public const int MaxDetailLength = 256;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _node;
    private readonly int _snapshotEvery;
    private readonly int _pageSize;
    private readonly TimeProvider _time;
    private readonly AuditHead? _anchor;
    private AuditHead _head;
    private AuditHead _tail;

    /// <param name="anchor">
    /// Where the chain starts: null for a new log (the genesis hash), or the chain head archived by the backup
    /// this node was restored from, so its first entry links to the archived head (see <see cref="AuditAnchor"/>).
    /// </param>
    public AuditLogActor(string node, int snapshotEvery, int pageSize, TimeProvider time, AuditHead? anchor = null)
    {
        _anchor = anchor;
        _head = _tail = anchor ?? AuditHead.Genesis;
        _node = node;
        _snapshotEvery = snapshotEvery > 0 ? snapshotEvery : throw new ArgumentOutOfRangeException(nameof(snapshotEvery));
        _pageSize = pageSize > 0 ? pageSize : throw new ArgumentOutOfRangeException(nameof(pageSize));
        _time = time;
        PersistenceId = PersistenceIdOf(node);

        Recover<SnapshotOffer>(offer => _head = _tail = (AuditHead)offer.Snapshot);
        Recover<AuditEntry>(Recovered);

        Command<RecordAudit>(Record);
        // Deferred until every entry handed to the journal before them is written: a read sees what was recorded
        // before it was asked for, and verification checks the journal against the head it really ends at.
        Command<ReadAudit>(read => DeferAsync(read, r => Read(AuditReader.ForRead(Math.Max(1, r.FromSequence), Math.Clamp(r.Max, 0, _pageSize), _anchor))));
        Command<VerifyAudit>(verify => DeferAsync(verify, _ => Read(AuditReader.ForVerify(_head, _pageSize, _anchor))));
        Command<GetAuditHead>(get => DeferAsync(get, _ => Sender.Tell(_head)));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("Audit head snapshot failed (recovery replays more): {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Superseded audit head snapshots not deleted: {0}", f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdOf(string node) => $"okv-audit-{node}";

    public static Props Props(string node, OkvClusterSettings settings, TimeProvider? time = null, AuditHead? anchor = null) =>
        Props(node, settings.AuditSnapshotEvery, settings.AuditPageSize, time, anchor);

    public static Props Props(string node, int snapshotEvery, int pageSize, TimeProvider? time = null, AuditHead? anchor = null)
    {
        var clock = time ?? TimeProvider.System;
        return Akka.Actor.Props.Create(() => new AuditLogActor(node, snapshotEvery, pageSize, clock, anchor));
    }

    /// <summary>A reader that fails is not restarted: it would wait for a start that never comes again.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void Recovered(AuditEntry entry)
    {
        // Recovery doesn't refuse a broken chain: the log must stay writable and VerifyAudit says exactly where.
        if (entry.Sequence != _head.Sequence + 1 || !string.Equals(entry.PreviousHash, _head.Hash, StringComparison.Ordinal))
        {
            _log.Error("Audit log {0}: entry {1} does not follow entry {2}; run VerifyAudit", PersistenceId, entry.Sequence, _head.Sequence);
        }

        _head = _tail = new AuditHead(entry.Sequence, entry.Hash);
    }

    private void Record(RecordAudit request)
    {
        var blank = string.IsNullOrWhiteSpace(request.Who) ? "who"
            : string.IsNullOrWhiteSpace(request.Operation) ? "operation"
            : string.IsNullOrWhiteSpace(request.Result) ? "result"
            : null;
        if (blank is not null)
        {
            Sender.Tell(new AuditRecordRejected(request, $"an audit record needs a {blank}"));
            return;
        }

        var detail = request.Detail is { Length: > MaxDetailLength } text ? text[..(MaxDetailLength - 1)] + "…" : request.Detail;
        var entry = AuditChain.Next(_tail, _time.GetUtcNow(), _node, request.Who, request.Operation, request.ObjectUid, request.Result, detail);
        _tail = new AuditHead(entry.Sequence, entry.Hash);
        var sender = Sender;
        PersistAsync(entry, stored =>
        {
            _head = new AuditHead(stored.Sequence, stored.Hash);
            sender.Tell(new AuditRecorded(stored.Sequence, stored.Hash));
            if (stored.Sequence % _snapshotEvery == 0)
            {
                SaveSnapshot(_head);
            }
        });
    }

    private void Read(Props reader)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(JournalPluginId);
        Context.ActorOf(reader).Tell(new AuditReader.Start(journal, PersistenceId), Sender);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The actor stops (nothing after an unwritten entry may be chained to it); callers see no AuditRecorded.
        _log.Error(cause, "Audit log {0}: entry {1} could not be written", PersistenceId, ((AuditEntry)@event).Sequence);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // Entries after it may already be chained to it: stop, so the log restarts from what the journal holds
        // (its supervisor restarts it) and chains on from there. Callers of the rejected entry see no AuditRecorded.
        _log.Error(cause, "Audit log {0}: entry {1} was rejected by the journal", PersistenceId, ((AuditEntry)@event).Sequence);
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }
}
