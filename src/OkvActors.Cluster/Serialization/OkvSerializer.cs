using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Durability;

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
        ["get-registry"] = typeof(GetRegistry),
        ["accepted"] = typeof(CommandAccepted),
        ["rejected"] = typeof(CommandRejected),
        ["registry-snapshot"] = typeof(RegistrySnapshot),
        ["durable-entry"] = typeof(DurableEntryStored),
        ["durable-snapshot"] = typeof(DurableSnapshot),
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

        return JsonSerializer.Deserialize(bytes, type, Options)
            ?? throw new SerializationException($"empty '{manifest}' message");
    }

    private static T Read<T>(byte[] bytes) =>
        JsonSerializer.Deserialize<T>(bytes, Options) ?? throw new SerializationException($"empty {typeof(T).Name}");
}
