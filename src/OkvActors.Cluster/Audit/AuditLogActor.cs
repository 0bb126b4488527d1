using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace OkvActors.Cluster.Audit;

/// <summary>
/// This node's append-only, hash-chained audit log on Akka.Persistence.Sql (persistence id
/// <c>okv-audit-{node}</c>). Each <see cref="RecordAudit"/> becomes one journalled <see cref="AuditEntry"/>
/// linked to the one before; the journal is the log and this actor never deletes from it.
/// <para>
/// It keeps only the head (last sequence and hash) in memory. <see cref="Persist{TEvent}(TEvent, Action{TEvent})"/>,
/// not PersistAsync: commands wait while an entry is being written, so each entry is stamped with the head
/// its predecessor left, which is what makes the order of the journal the order of the chain. Snapshots
/// every <c>snapshot-every</c> entries hold just the head, so recovery replays at most that many entries.
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
    private AuditHead _head = AuditHead.Genesis;

    public AuditLogActor(string node, int snapshotEvery, int pageSize, TimeProvider time)
    {
        _node = node;
        _snapshotEvery = snapshotEvery > 0 ? snapshotEvery : throw new ArgumentOutOfRangeException(nameof(snapshotEvery));
        _pageSize = pageSize > 0 ? pageSize : throw new ArgumentOutOfRangeException(nameof(pageSize));
        _time = time;
        PersistenceId = PersistenceIdOf(node);

        Recover<SnapshotOffer>(offer => _head = (AuditHead)offer.Snapshot);
        Recover<AuditEntry>(Recovered);

        Command<RecordAudit>(Record);
        Command<ReadAudit>(read => Read(AuditReader.ForRead(Math.Max(1, read.FromSequence), Math.Clamp(read.Max, 0, _pageSize))));
        Command<VerifyAudit>(_ => Read(AuditReader.ForVerify(_head, _pageSize)));
        Command<GetAuditHead>(_ => Sender.Tell(_head));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("Audit head snapshot failed (recovery replays more): {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Superseded audit head snapshots not deleted: {0}", f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdOf(string node) => $"okv-audit-{node}";

    public static Props Props(string node, OkvClusterSettings settings, TimeProvider? time = null) =>
        Props(node, settings.AuditSnapshotEvery, settings.AuditPageSize, time);

    public static Props Props(string node, int snapshotEvery, int pageSize, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        return Akka.Actor.Props.Create(() => new AuditLogActor(node, snapshotEvery, pageSize, clock));
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

        _head = new AuditHead(entry.Sequence, entry.Hash);
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
        var entry = AuditChain.Next(_head, _time.GetUtcNow(), _node, request.Who, request.Operation, request.ObjectUid, request.Result, detail);
        var sender = Sender;
        Persist(entry, stored =>
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
        // The head did not move, so the next entry takes the rejected one's sequence and the chain stays whole.
        _log.Error(cause, "Audit log {0}: entry {1} was rejected by the journal", PersistenceId, ((AuditEntry)@event).Sequence);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }
}
