using Akka.Actor;
using Akka.Persistence;

namespace OkvActors.Cluster.Audit;

/// <summary>
/// Reads the audit journal for one request and stops: a page for <see cref="ReadAudit"/>, or the whole
/// journal in pages for <see cref="VerifyAudit"/>, holding at most one page's worth at a time.
/// <para>
/// It speaks the journal's own replay protocol (<see cref="ReplayMessages"/>), which every Akka.Persistence
/// journal answers with the configuration the node already has (SQLite or PostgreSQL). A read journal
/// (Akka.Persistence.Query) would need its own plugin configuration kept in step with the journal's, and a
/// stream materializer, to read what this protocol already returns in order.
/// </para>
/// Journal sequence numbers are never below the entries' own (a rejected write skips one in the journal but
/// not in the chain), so replaying from the entry sequence asked for never misses it.
/// </summary>
internal sealed class AuditReader : ReceiveActor
{
    /// <summary>Sent by the log with the requester as sender.</summary>
    public sealed record Start(IActorRef Journal, string PersistenceId);

    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(30);

    private readonly long _from;
    private readonly long _journalFrom;
    private readonly int _max;
    private readonly AuditChainVerifier? _verifier;
    private readonly List<AuditEntry> _page = [];
    private IActorRef _journal = ActorRefs.Nobody;
    private IActorRef _replyTo = ActorRefs.Nobody;
    private string _persistenceId = "";
    private long _lastJournalSequence;
    private int _replayed;

    public AuditReader(long from, int max, AuditHead? expectedHead, AuditHead? anchor = null)
    {
        _from = from;
        // A log that continues an archived chain holds entry anchor+1 at journal sequence 1.
        _journalFrom = Math.Max(1, from - (anchor?.Sequence ?? 0));
        _max = max;
        _verifier = expectedHead is null ? null : new AuditChainVerifier(expectedHead, anchor);

        Receive<Start>(start =>
        {
            (_journal, _persistenceId, _replyTo) = (start.Journal, start.PersistenceId, Sender);
            SetReceiveTimeout(Idle);
            Replay(_journalFrom);
        });
        Receive<ReplayedMessage>(Replayed);
        Receive<RecoverySuccess>(PageDone);
        Receive<ReplayMessagesFailure>(f => Finish(f.Cause.Message));
        Receive<ReceiveTimeout>(_ => Finish($"the journal did not answer within {Idle.TotalSeconds:0} s"));
    }

    public static Props ForRead(long from, int max, AuditHead? anchor = null) => Props.Create(() => new AuditReader(from, max, null, anchor));

    public static Props ForVerify(AuditHead expectedHead, int pageSize, AuditHead? anchor = null) =>
        Props.Create(() => new AuditReader(1, pageSize, expectedHead, anchor));

    private void Replay(long fromJournalSequence)
    {
        _replayed = 0;
        _journal.Tell(new ReplayMessages(fromJournalSequence, long.MaxValue, _max, _persistenceId, Self));
    }

    private void Replayed(ReplayedMessage message)
    {
        _lastJournalSequence = message.Persistent.SequenceNr;
        _replayed++;
        if (message.Persistent.Payload is not AuditEntry entry)
        {
            _verifier?.Unreadable($"journal entry {message.Persistent.SequenceNr} holds a {message.Persistent.Payload.GetType().Name}");
            return;
        }

        if (_verifier is not null)
        {
            _verifier.Accept(entry);
        }
        else if (entry.Sequence >= _from)
        {
            _page.Add(entry);
        }
    }

    private void PageDone(RecoverySuccess success)
    {
        if (_verifier is null)
        {
            _replyTo.Tell(new AuditRead(_page, _page.Count == 0 ? _from : _page[^1].Sequence + 1));
            Context.Stop(Self);
            return;
        }

        var more = _verifier.Broken is null && _replayed == _max && _lastJournalSequence < success.HighestSequenceNr;
        if (more)
        {
            Replay(_lastJournalSequence + 1);
            return;
        }

        _replyTo.Tell(_verifier.Complete());
        Context.Stop(Self);
    }

    private void Finish(string failure)
    {
        if (_verifier is null)
        {
            _replyTo.Tell(new AuditReadFailed(failure));
        }
        else
        {
            _verifier.Unreadable(failure);
            _replyTo.Tell(_verifier.Complete());
        }

        Context.Stop(Self);
    }
}
