using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Downing;
using OkvActors.Cluster.Durability;
using OkvActors.Cluster.Inspection;
using OkvActors.Cluster.Secrets;

namespace OkvActors.Cluster.Serialization;

/// <summary>
/// Serializes OkvActors' own messages and stored values as JSON under a fixed manifest per type.
/// Only the types listed here can be read: a peer can't make this node instantiate anything else,
/// which is the point of restricting serialization to our own types.
/// </summary>
public sealed class OkvSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4711;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly FrozenDictionary<string, Type> TypesByManifest = new Dictionary<string, Type>
    {
        ["registry"] = typeof(ControllerRegistry),
        ["state"] = typeof(ControllerState),
        ["request-admission"] = typeof(RequestAdmission),
        ["admitted"] = typeof(Admitted),
        ["admission-rejected"] = typeof(AdmissionRejected),
        ["approve"] = typeof(ApproveCandidate),
        ["add-subgroup"] = typeof(AddSubgroup),
        ["lifecycle"] = typeof(ChangeNodeLifecycle),
        ["revoke-certificate"] = typeof(RevokeCertificate),
        ["withdraw-admission"] = typeof(WithdrawAdmission),
        ["get-registry"] = typeof(GetRegistry),
        ["accepted"] = typeof(CommandAccepted),
        ["rejected"] = typeof(CommandRejected),
        ["registry-snapshot"] = typeof(RegistrySnapshot),
        ["durable-entry"] = typeof(DurableEntryStored),
        ["durable-key-added"] = typeof(DurableKeyAdded),
        ["durable-key-index"] = typeof(DurableKeyIndex),
        ["shard-objects"] = typeof(ShardObjectsStored),
        ["audit-entry"] = typeof(AuditEntry),
        ["audit-head"] = typeof(AuditHead),
        ["inspect-shards"] = typeof(InspectShards),
        ["shards-inspected"] = typeof(ShardsInspected),
        ["inspect-node"] = typeof(InspectNode),
        ["node-inspected"] = typeof(NodeInspected),
        ["sees-lag-probe"] = typeof(SeesLagProbe),
        ["lag-probe-seen"] = typeof(LagProbeSeen),
        ["sealed-secrets"] = typeof(SealedSecretsRecord),
        ["inspect-sealed-secrets"] = typeof(InspectSealedSecrets),
        ["sealed-secrets-inspected"] = typeof(SealedSecretsInspected),
        ["keyring"] = typeof(KeyringRecord),
        ["inspect-keyring"] = typeof(InspectKeyring),
        ["keyring-inspected"] = typeof(KeyringInspected),
        ["membership-query"] = typeof(MembershipQuery),
        ["membership-view"] = typeof(MembershipView),
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<Type, string> ManifestsByType =
        TypesByManifest.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);

    public override int Identifier => SerializerId;

    public override string Manifest(object o) =>
        ManifestsByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} is not an OkvActors wire type", nameof(o));

    public override byte[] ToBinary(object obj) => obj switch
    {
        ControllerRegistry registry => JsonSerializer.SerializeToUtf8Bytes(registry.State, Options),
        SealedSecretsRecord secrets => JsonSerializer.SerializeToUtf8Bytes(secrets.State, Options),
        KeyringRecord keyring => JsonSerializer.SerializeToUtf8Bytes(keyring.State, Options),
        ShardObjectsStored shard => WriteShardObjects(shard),
        _ => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"unknown OkvActors manifest '{manifest}'");
        }

        if (type == typeof(ControllerRegistry))
        {
            return new ControllerRegistry(Read<ControllerState>(bytes));
        }

        if (type == typeof(SealedSecretsRecord))
        {
            return new SealedSecretsRecord(Read<SealedSecretsState>(bytes));
        }

        if (type == typeof(KeyringRecord))
        {
            return new KeyringRecord(Read<KeyringState>(bytes));
        }

        if (type == typeof(ShardObjectsStored))
        {
            return ReadShardObjects(bytes);
        }

        return JsonSerializer.Deserialize(bytes, type, Options)
            ?? throw new SerializationException($"empty '{manifest}' message");
    }

    // Shard objects are the bulk of a node's journal: binary (key, then the key store's own encoding), not JSON.
    private static byte[] WriteShardObjects(ShardObjectsStored shard)
    {
        var key = System.Text.Encoding.UTF8.GetBytes(shard.Key);
        var bytes = new byte[4 + key.Length + shard.Objects.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes, key.Length);
        key.CopyTo(bytes, 4);
        shard.Objects.CopyTo(bytes, 4 + key.Length);
        return bytes;
    }

    private static ShardObjectsStored ReadShardObjects(byte[] bytes)
    {
        var keyLength = bytes.Length < 4 ? -1 : System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (keyLength < 0 || 4 + keyLength > bytes.Length)
        {
            throw new SerializationException("truncated shard-objects entry");
        }

        return new ShardObjectsStored(System.Text.Encoding.UTF8.GetString(bytes, 4, keyLength), bytes[(4 + keyLength)..]);
    }

    private static T Read<T>(byte[] bytes) =>
        JsonSerializer.Deserialize<T>(bytes, Options) ?? throw new SerializationException($"empty {typeof(T).Name}");
}
