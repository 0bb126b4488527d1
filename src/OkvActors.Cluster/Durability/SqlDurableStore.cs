using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.DistributedData.Durable;
using Akka.Event;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;

namespace OkvActors.Cluster.Durability;

/// <summary>Asks the durable store for its counters; answered with <see cref="DurableStoreStats"/>.</summary>
public sealed class GetDurableStoreStats
{
    public static readonly GetDurableStoreStats Instance = new();

    private GetDurableStoreStats()
    {
    }
}

/// <summary>What the durable store has done since it started.</summary>
/// <param name="Transactions">Batches committed.</param>
/// <param name="StoresAcknowledged">Stores answered with their success message (or, without a reply, completed).</param>
/// <param name="StoresFailed">Stores answered with their failure message.</param>
/// <param name="StoresCoalesced">Stores superseded by a later Store of the same key before their batch began.</param>
/// <param name="ObjectsWritten">Key-shard object rows written.</param>
/// <param name="EntriesWritten">Whole-entry rows written (keys that are not key shards).</param>
public sealed record DurableStoreStats(long Transactions, long StoresAcknowledged, long StoresFailed, long StoresCoalesced,
    long ObjectsWritten, long EntriesWritten);

/// <summary>
/// Distributed Data's durable store on the node's SQL database (its SQLite file by default, or
/// PostgreSQL). The Replicator asks it to store a durable key before it acknowledges a write, so a
/// majority write to a durable key is on disk on a majority of nodes.
/// <para>
/// Group commit: while one transaction is in flight, the Stores that arrive queue up; when it ends,
/// everything queued (up to <c>max-batch-stores</c> keys and about <c>max-batch-bytes</c>) goes into the
/// next transaction. Each Store's reply leaves only after the transaction holding it committed, or with
/// its failure message if that transaction failed. Stores of the same key queued together collapse
/// into the last one: the Replicator always hands over the key's whole current value, which contains
/// every earlier one, so writing the last acknowledges them all.
/// </para>
/// <para>
/// A key shard is written as a row per object, only the objects that differ from the shard last
/// committed (by reference first: the Replicator's shards share unchanged objects); other keys are
/// serialized whole. The SQL runs on the thread pool, one operation at a time, never on this actor's thread.
/// </para>
/// </summary>
public sealed class SqlDurableStore : ReceiveActor
{
    private sealed class PendingKey(DurableDataEnvelope latest)
    {
        public DurableDataEnvelope Latest { get; set; } = latest;

        public List<StoreReply?> Replies { get; } = [];
    }

    private sealed record BatchKey(string Key, KeyShard? Shard, List<StoreReply?> Replies);

    private sealed record BatchCommitted(IReadOnlyList<BatchKey> Keys, IReadOnlyList<DurableWrite> Writes);

    private sealed record BatchFailed(IReadOnlyList<BatchKey> Keys, Exception Cause);

    private sealed record Loaded(IActorRef ReplyTo, ImmutableDictionary<string, KeyShard> Shards, IReadOnlyList<StoredEntry> Entries);

    private sealed record LoadFailed(Exception Cause);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DurableStoreSettings _settings;
    private readonly DurableStoreDatabase _database;
    private readonly Dictionary<string, KeyShard> _committed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PendingKey> _pending = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private bool _busy;
    private long _transactions;
    private long _acknowledged;
    private long _failed;
    private long _coalesced;
    private long _objectsWritten;
    private long _entriesWritten;

    public SqlDurableStore(Config config)
    {
        _settings = DurableStoreSettings.Create(config, Context.System.Settings.Config);
        _database = new DurableStoreDatabase(_settings.ProviderName, _settings.ConnectionString);

        Receive<Store>(Enqueue);
        Receive<BatchCommitted>(Committed);
        Receive<BatchFailed>(Failed);
        Receive<LoadAll>(_ => LoadAll());
        Receive<Loaded>(Deliver);
        Receive<LoadFailed>(failed =>
            throw new LoadFailedException($"the durable store could not be loaded: {failed.Cause.Message}", failed.Cause));
        Receive<GetDurableStoreStats>(_ => Sender.Tell(
            new DurableStoreStats(_transactions, _acknowledged, _failed, _coalesced, _objectsWritten, _entriesWritten)));
    }

    protected override void PostStop()
    {
        _database.Dispose();
        base.PostStop();
    }

    private void LoadAll()
    {
        // Loading happens once, before the Replicator stores anything; should a Store come first, the
        // load still waits for it (one database operation at a time).
        _busy = true;
        var replyTo = Sender;
        var database = _database;
        Task.Run(() =>
        {
            var contents = database.LoadAll();
            var shards = ImmutableDictionary.CreateBuilder<string, KeyShard>(StringComparer.Ordinal);
            foreach (var (key, encodings) in contents.ShardObjects)
            {
                try
                {
                    shards[key] = KeyShard.FromObjects(encodings.Select(e => ManagedObjectCodec.Decode(e)));
                }
                catch (Exception e)
                {
                    throw new InvalidDataException($"durable key '{key}' holds an object that does not decode: {e.Message}", e);
                }
            }

            return new Loaded(replyTo, shards.ToImmutable(), contents.Entries);
        }).PipeTo(Self, success: loaded => loaded, failure: e => new LoadFailed(Unwrapped(e)));
    }

    private void Deliver(Loaded loaded)
    {
        var data = ImmutableDictionary.CreateBuilder<string, DurableDataEnvelope>(StringComparer.Ordinal);
        foreach (var (key, shard) in loaded.Shards)
        {
            data[key] = new DurableDataEnvelope(shard);
            _committed[key] = shard;
        }

        foreach (var entry in loaded.Entries)
        {
            try
            {
                data[entry.Key] = (DurableDataEnvelope)Context.System.Serialization.Deserialize(entry.Payload, entry.SerializerId, entry.Manifest);
            }
            catch (Exception e)
            {
                throw new LoadFailedException($"durable key '{entry.Key}' could not be deserialized", e);
            }
        }

        if (data.Count > 0)
        {
            loaded.ReplyTo.Tell(new LoadData(data.ToImmutable()));
        }

        loaded.ReplyTo.Tell(LoadAllCompleted.Instance);
        _log.Info("Durable store loaded {0} key(s), {1} object(s)", data.Count, loaded.Shards.Values.Sum(s => s.Count));
        _busy = false;
        StartBatch();
    }

    private void Enqueue(Store store)
    {
        if (_pending.TryGetValue(store.Key, out var pending))
        {
            pending.Latest = store.Data;
            _coalesced++;
        }
        else
        {
            pending = new PendingKey(store.Data);
            _pending.Add(store.Key, pending);
            _order.Enqueue(store.Key);
        }

        pending.Replies.Add(store.Reply);
        StartBatch();
    }

    /// <summary>When no transaction is in flight, writes what is queued (within the bounds) in one.</summary>
    private void StartBatch()
    {
        if (_busy || _order.Count == 0)
        {
            return;
        }

        var keys = new List<BatchKey>();
        var writes = new List<DurableWrite>();
        long bytes = 0;
        while (_order.Count > 0 && writes.Count < _settings.MaxBatchStores && bytes < _settings.MaxBatchBytes)
        {
            var key = _order.Dequeue();
            var pending = _pending[key];
            _pending.Remove(key);
            DurableWrite? write;
            try
            {
                write = WriteFor(key, pending.Latest);
            }
            catch (Exception e)
            {
                _log.Error(e, "Durable key {0} cannot be stored", key);
                Reply(pending.Replies, success: false);
                continue;
            }

            if (write is null)
            {
                // Nothing differs from what is committed: the value is on disk already.
                _committed[key] = (KeyShard)pending.Latest.Data;
                Reply(pending.Replies, success: true);
                continue;
            }

            keys.Add(new BatchKey(key, pending.Latest.Data as KeyShard, pending.Replies));
            writes.Add(write);
            bytes += write.Bytes;
        }

        if (writes.Count == 0)
        {
            return;
        }

        _busy = true;
        var database = _database;
        Task.Run(() => database.Write(writes))
            .PipeTo(Self, success: _ => new BatchCommitted(keys, writes), failure: e => new BatchFailed(keys, Unwrapped(e)));
    }

    private DurableWrite? WriteFor(string key, DurableDataEnvelope envelope)
    {
        if (envelope.Data is KeyShard shard)
        {
            var changed = Changed(_committed.GetValueOrDefault(key), shard);
            return changed.Count == 0 ? null : new ShardObjectsWrite(key, changed);
        }

        var serializer = Context.System.Serialization.FindSerializerFor(envelope);
        return new EntryWrite(key, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, envelope),
            serializer.ToBinary(envelope));
    }

    private void Committed(BatchCommitted batch)
    {
        _busy = false;
        _transactions++;
        foreach (var write in batch.Writes)
        {
            switch (write)
            {
                case ShardObjectsWrite shard:
                    _objectsWritten += shard.Objects.Count;
                    break;
                default:
                    _entriesWritten++;
                    break;
            }
        }

        foreach (var key in batch.Keys)
        {
            if (key.Shard is not null)
            {
                _committed[key.Key] = key.Shard;
            }

            Reply(key.Replies, success: true);
        }

        StartBatch();
    }

    private void Failed(BatchFailed batch)
    {
        // Nothing of the batch is on disk: every Store in it fails, and what is committed stays the base
        // of the next diff, so a later Store of the same key writes these objects again.
        _busy = false;
        _log.Error(batch.Cause, "Durable store transaction of {0} key(s) failed: {1}", batch.Keys.Count,
            string.Join(", ", batch.Keys.Take(8).Select(k => k.Key)));
        foreach (var key in batch.Keys)
        {
            Reply(key.Replies, success: false);
        }

        StartBatch();
    }

    private void Reply(List<StoreReply?> replies, bool success)
    {
        foreach (var reply in replies)
        {
            reply?.ReplyTo.Tell(success ? reply.SuccessMessage : reply.FailureMessage);
        }

        if (success)
        {
            _acknowledged += replies.Count;
        }
        else
        {
            _failed += replies.Count;
        }
    }

    private static Exception Unwrapped(Exception e) => e is AggregateException { InnerException: { } inner } ? inner : e;

    /// <summary>Objects of <paramref name="next"/> that <paramref name="committed"/> lacks or holds differently.</summary>
    private static List<ManagedObject> Changed(KeyShard? committed, KeyShard next)
    {
        if (committed is null)
        {
            return [.. next.Objects.Values];
        }

        if (ReferenceEquals(committed.Objects, next.Objects))
        {
            return [];
        }

        // Usually next derives from committed, and the shard's history names the few objects that changed;
        // otherwise (a shard replaced by a full merge, a history cut short) every object is compared.
        var changed = new List<ManagedObject>();
        foreach (var o in next.ChangedSince(committed) ?? (IEnumerable<ManagedObject>)next.Objects.Values)
        {
            if (!committed.Objects.TryGetValue(o.Uid, out var before)
                || !before.SameAs(o))
            {
                changed.Add(o);
            }
        }

        return changed;
    }
}
