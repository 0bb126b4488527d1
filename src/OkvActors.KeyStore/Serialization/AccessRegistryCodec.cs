using System.Collections.Immutable;
using System.Runtime.Serialization;
using System.Text.Json;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Serialization;

/// <summary>
/// The access registry as JSON with a fixed field order and entries in name order: deterministic, so
/// equal replicas have equal digests, and readable in a store dump. Format version 1.
/// </summary>
public static class AccessRegistryCodec
{
    private const int FormatVersion = 1;

    public static byte[] Encode(AccessRegistry registry)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", FormatVersion);
            WriteMap(json, "endpoints", registry.Endpoints, (w, e) =>
            {
                w.WriteString("fingerprint", e.Fingerprint);
                w.WriteString("defaultWallet", e.DefaultWallet);
            });
            WriteMap(json, "wallets", registry.Wallets, (w, e) => w.WriteString("description", e.Description));
            json.WriteStartArray("grants");
            foreach (var (key, register) in registry.Grants)
            {
                json.WriteStartObject();
                json.WriteString("key", key);
                WriteStamp(json, register.Stamp);
                if (register.Value is { } level)
                {
                    json.WriteNumber("level", (int)level);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static AccessRegistry Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            var root = document.RootElement;
            if (root.GetProperty("v").GetInt32() != FormatVersion)
            {
                throw new SerializationException($"access registry format {root.GetProperty("v")} is not supported");
            }

            var endpoints = ReadMap(root, "endpoints", (name, e) =>
                new EndpointEntry(name, e.GetProperty("fingerprint").GetString()!, e.GetProperty("defaultWallet").GetString()));
            var wallets = ReadMap(root, "wallets", (name, e) => new WalletEntry(name, e.GetProperty("description").GetString()!));
            var grants = ImmutableSortedDictionary.CreateBuilder<string, Register<AccessLevel?>>(StringComparer.Ordinal);
            foreach (var g in root.GetProperty("grants").EnumerateArray())
            {
                AccessLevel? level = g.TryGetProperty("level", out var l) ? (AccessLevel)l.GetInt32() : null;
                grants[g.GetProperty("key").GetString()!] = new Register<AccessLevel?>(level, ReadStamp(g));
            }

            return new AccessRegistry(endpoints, wallets, grants.ToImmutable());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new SerializationException($"unreadable access registry: {e.Message}", e);
        }
    }

    private static void WriteMap<T>(Utf8JsonWriter json, string name, ImmutableSortedDictionary<string, Register<T?>> map,
        Action<Utf8JsonWriter, T> writeValue)
        where T : class
    {
        json.WriteStartArray(name);
        foreach (var (key, register) in map)
        {
            json.WriteStartObject();
            json.WriteString("name", key);
            WriteStamp(json, register.Stamp);
            if (register.Value is { } value)
            {
                json.WriteStartObject("value");
                writeValue(json, value);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static ImmutableSortedDictionary<string, Register<T?>> ReadMap<T>(JsonElement root, string name, Func<string, JsonElement, T> readValue)
        where T : class
    {
        var map = ImmutableSortedDictionary.CreateBuilder<string, Register<T?>>(StringComparer.Ordinal);
        foreach (var e in root.GetProperty(name).EnumerateArray())
        {
            var key = e.GetProperty("name").GetString()!;
            var value = e.TryGetProperty("value", out var v) ? readValue(key, v) : null;
            map[key] = new Register<T?>(value, ReadStamp(e));
        }

        return map.ToImmutable();
    }

    private static void WriteStamp(Utf8JsonWriter json, Hlc stamp)
    {
        json.WriteNumber("wall", stamp.WallTicks);
        json.WriteNumber("counter", stamp.Counter);
        json.WriteString("node", stamp.Node);
    }

    private static Hlc ReadStamp(JsonElement e) =>
        new(e.GetProperty("wall").GetInt64(), e.GetProperty("counter").GetInt32(), e.GetProperty("node").GetString()!);
}
