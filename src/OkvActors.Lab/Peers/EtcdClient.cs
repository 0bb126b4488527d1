using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace OkvActors.Lab.Peers;

/// <summary>
/// A small client for etcd's v3 HTTP/JSON gateway (grpc-gateway, plain HTTP on loopback): put, range and status.
/// Keys and values travel base64-encoded, as the gateway's JSON mapping of bytes fields requires.
/// </summary>
public sealed class EtcdClient : IDisposable
{
    private readonly HttpClient _http;

    public EtcdClient(int maxConnections)
    {
        // One connection per request in flight: a closed loop with N clients keeps N connections busy.
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    internal static string PutBody(string key, ReadOnlySpan<byte> value) =>
        new JsonObject { ["key"] = Base64(key), ["value"] = Convert.ToBase64String(value) }.ToJsonString();

    /// <summary>A range of one key; serializable reads answer from the member's own store (no quorum round).</summary>
    internal static string RangeBody(string key, bool serializable) =>
        new JsonObject { ["key"] = Base64(key), ["serializable"] = serializable }.ToJsonString();

    public async Task Put(string endpoint, string key, byte[] value, CancellationToken ct)
    {
        using var response = await Post(endpoint, "/v3/kv/put", PutBody(key, value), ct);
    }

    /// <summary>Whether the member at <paramref name="endpoint"/> holds <paramref name="key"/>.</summary>
    public async Task<bool> Has(string endpoint, string key, bool serializable, CancellationToken ct)
    {
        using var response = await Post(endpoint, "/v3/kv/range", RangeBody(key, serializable), ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
        return body?["kvs"] is JsonArray { Count: > 0 };
    }

    /// <summary>How many keys the cluster holds (a linearizable count of the whole key space).</summary>
    public async Task<long> Count(string endpoint, CancellationToken ct)
    {
        // key "\0" with range_end "\0": every key from the smallest up (etcd's "all keys" range).
        var all = Convert.ToBase64String([0]);
        using var response = await Post(endpoint, "/v3/kv/range", new JsonObject { ["key"] = all, ["range_end"] = all, ["count_only"] = true }.ToJsonString(), ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
        // The gateway writes int64 as a string and leaves zero out.
        return body?["count"] is { } count ? long.Parse(count.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>This member's id and the leader's id as it sees them (decimal strings, as the gateway writes uint64).</summary>
    public async Task<(string Member, string Leader)> Status(string endpoint, CancellationToken ct)
    {
        using var response = await Post(endpoint, "/v3/maintenance/status", "{}", ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))
            ?? throw new EtcdException($"{endpoint}: empty status");
        return (body["header"]?["member_id"]?.GetValue<string>() ?? throw new EtcdException($"{endpoint}: status without member_id"),
            body["leader"]?.GetValue<string>() ?? throw new EtcdException($"{endpoint}: status without leader"));
    }

    private async Task<HttpResponseMessage> Post(string endpoint, string path, string json, CancellationToken ct)
    {
        var response = await _http.PostAsync(new Uri($"http://{endpoint}{path}"), new StringContent(json, Encoding.UTF8, "application/json"), ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            response.Dispose();
            throw new EtcdException($"{endpoint}{path}: HTTP {(int)response.StatusCode}: {Shorten(text)}");
        }

        return response;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;

    public void Dispose() => _http.Dispose();
}

public sealed class EtcdException(string message) : Exception(message);
