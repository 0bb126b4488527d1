using Akka.Actor;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Vault;

/// <summary>
/// One write of an object by this node's vault: who asked, the object as written (set inside the Replicator's modify),
/// which nodes hold it durably, and until when it may wait for them.
/// </summary>
internal sealed class PendingWrite(IActorRef replyTo, string uid, long started, long deadline, bool toAll)
{
    public IActorRef ReplyTo { get; } = replyTo;

    public string Uid { get; } = uid;

    /// <summary>Environment.TickCount64 when the write began.</summary>
    public long Started { get; } = started;

    /// <summary>Environment.TickCount64 at which the write is refused as not acknowledged.</summary>
    public long Deadline { get; } = deadline;

    /// <summary>Waits for every member (all were reachable and none lagging when it began) until fan-out.lag-timeout; then a majority does.</summary>
    public bool ToAll { get; set; } = toAll;

    public ManagedObject? Written { get; set; }

    /// <summary>This node's replica holds it durably.</summary>
    public bool StoredHere { get; set; }

    /// <summary>Peers whose vaults answered that they hold it durably.</summary>
    public HashSet<Address> StoredBy { get; } = [];

    /// <summary>Environment.TickCount64 when it was last sent to the peers that have not confirmed it.</summary>
    public long LastSent { get; set; } = started;

    public bool Answered { get; set; }
}

/// <summary>
/// The outgoing half of the vault's own replication of object writes. Distributed Data sends each write it is given
/// with a write consistency in a message of its own to every node and expects an acknowledgement each: measured, the
/// per-message cost of TLS remoting was most of a node's CPU under load (issue #3, RESULTS.md). Here writes to one peer
/// are queued, and whatever queued up while the vault handled its mailbox goes as one <see cref="ReplicaBatch"/>,
/// answered by one <see cref="ReplicaBatchStored"/>. Plain bookkeeping, no actor: <see cref="KeyVaultActor"/> sends and
/// decides.
/// </summary>
internal sealed class WriteFanOut(int maxBatchObjects, int maxBatchBytes)
{
    private readonly Dictionary<Address, List<PendingWrite>> _queued = [];
    private readonly Dictionary<Address, Dictionary<long, SentBatch>> _sent = [];
    private long _lastId;

    /// <summary>Batches sent and not yet answered, over every peer.</summary>
    public int Unanswered => _sent.Values.Sum(b => b.Count);

    /// <summary>Queues <paramref name="write"/> for each of <paramref name="peers"/>; true when nothing was queued before (a flush is due).</summary>
    public bool Enqueue(PendingWrite write, IEnumerable<Address> peers)
    {
        var wasEmpty = _queued.Count == 0;
        foreach (var peer in peers)
        {
            if (!_queued.TryGetValue(peer, out var queue))
            {
                _queued[peer] = queue = [];
            }

            queue.Add(write);
        }

        return wasEmpty && _queued.Count > 0;
    }

    /// <summary>Everything queued, as batches of at most the configured objects and bytes, remembered as sent at <paramref name="now"/>.</summary>
    public List<(Address Peer, ReplicaBatch Batch)> Flush(long now)
    {
        var batches = new List<(Address, ReplicaBatch)>();
        foreach (var (peer, queue) in _queued)
        {
            if (!_sent.TryGetValue(peer, out var sent))
            {
                _sent[peer] = sent = [];
            }

            var writes = new List<PendingWrite>();
            var bytes = 0;
            foreach (var write in queue)
            {
                var size = write.Written!.EncodedLength;
                if (writes.Count > 0 && (writes.Count == maxBatchObjects || bytes + size > maxBatchBytes))
                {
                    batches.Add((peer, Seal(sent, writes, now)));
                    writes = [];
                    bytes = 0;
                }

                writes.Add(write);
                bytes += size;
            }

            batches.Add((peer, Seal(sent, writes, now)));
        }

        _queued.Clear();
        return batches;
    }

    /// <summary>Batch <paramref name="id"/> to <paramref name="peer"/>, now answered; null when it is not known (expired, or forgotten).</summary>
    public SentBatch? Answered(Address peer, long id) =>
        _sent.TryGetValue(peer, out var sent) && sent.Remove(id, out var batch) ? batch : null;

    /// <summary>Forgets batches sent before <paramref name="before"/> (their writes were answered or refused by then), and a removed peer's.</summary>
    public void Expire(long before, Func<Address, bool> isMember)
    {
        foreach (var (peer, sent) in _sent.ToArray())
        {
            if (!isMember(peer))
            {
                _sent.Remove(peer);
                _queued.Remove(peer);
                continue;
            }

            foreach (var (id, batch) in sent.ToArray())
            {
                if (batch.SentAt < before)
                {
                    sent.Remove(id);
                }
            }
        }
    }

    private ReplicaBatch Seal(Dictionary<long, SentBatch> sent, List<PendingWrite> writes, long now)
    {
        var id = ++_lastId;
        sent[id] = new SentBatch(writes, now);
        return new ReplicaBatch(id, [.. writes.Select(w => w.Written!)]);
    }
}

/// <summary>A batch sent to one peer: its writes, and when it went (Environment.TickCount64).</summary>
internal sealed record SentBatch(IReadOnlyList<PendingWrite> Writes, long SentAt);

/// <summary>
/// Open writes to every node in the order they began, so that the vault can ask on every message, at O(1), whether the
/// oldest has waited longer than fan-out.lag-timeout: the first to pass it is always the oldest. Answered writes and
/// writes turned into majority writes leave from the front when they get there.
/// </summary>
internal sealed class WritesToAll
{
    private readonly Queue<PendingWrite> _byAge = new();

    /// <summary>Writes held (answered ones not yet dropped from behind an open one included).</summary>
    public int Held => _byAge.Count;

    /// <summary>Remembers <paramref name="write"/> if it waits for every node.</summary>
    public void Began(PendingWrite write)
    {
        if (write.ToAll)
        {
            _byAge.Enqueue(write);
        }
    }

    /// <summary>The oldest write still waiting for every node if it began <paramref name="lagTimeoutMs"/> or more before <paramref name="now"/>.</summary>
    public PendingWrite? Overdue(long now, long lagTimeoutMs)
    {
        PendingWrite? oldest;
        while (_byAge.TryPeek(out oldest) && (oldest.Answered || !oldest.ToAll))
        {
            _byAge.Dequeue();
        }

        return oldest is not null && now - oldest.Started >= lagTimeoutMs ? oldest : null;
    }
}
