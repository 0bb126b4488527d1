using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Durability;

// The journal events of the durable store before group commit (a persistent actor per key on
// Akka.Persistence.Sql). Nothing writes them any more; the serializer keeps reading them so journals
// written by earlier versions stay decodable.

/// <summary>A durable entry journalled whole: the Distributed Data key and its serialized envelope.</summary>
public sealed record DurableEntryStored(string Key, int SerializerId, string Manifest, byte[] Envelope) : IOkvMessage;

/// <summary>Objects of a key shard as journalled, in the key store's deterministic encoding.</summary>
public sealed record ShardObjectsStored(string Key, byte[] Objects) : IOkvMessage;

/// <summary>A durable key the store had stored at least once (the index of its per-key children).</summary>
public sealed record DurableKeyAdded(string Key) : IOkvMessage;

public sealed record DurableKeyIndex(IReadOnlyList<string> Keys) : IOkvMessage;
