using System.Globalization;
using System.Text.Json;

namespace OkvActors.KmipLoad;

/// <summary>Command-line options. <see cref="Parse"/> throws <see cref="FormatException"/> on a bad command line.</summary>
public sealed record LoadOptions(
    IReadOnlyList<string> Servers,
    string Cert,
    string Key,
    string Ca,
    int Clients,
    double Seconds,
    LoadMix Mix,
    int PoolSize,
    int KeyBits,
    int DataBytes,
    bool Json)
{
    public const string Usage = """
        okv-kmip-load: KMIP load over many mutual-TLS connections against any KMIP server; reports ops/s and
        p50/p95/p99/max latency per operation. Exits non-zero only on errors, never on slow figures.

          --server HOST:PORT   a KMIP endpoint; repeat to spread clients over several nodes (round robin)
          --cert F --key F --ca F   client certificate, its key and the CA that issued the server's certificate (PEM)
          --cluster DIR/cluster.json   an `okv up` cluster: every node's kmip address and pki.endpoints[0]
          --clients N          concurrent connections, one request in flight each (default 32)
          --seconds S          measured duration (default 30)
          --mix SPEC           weights, default create=1,get=6,locate=1,encrypt=2 (decrypt=N adds Decrypt)
          --pool N             keys created and activated before the run, for Get/Locate/Encrypt/Decrypt (default 64)
          --key-bits N         AES key length for Create (default 256)
          --data-bytes N       plaintext per Encrypt (and per warm-up ciphertext for Decrypt) (default 64)
          --json               print the report as JSON instead of a table
        """;

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var servers = new List<string>();
        string? cert = null, key = null, ca = null, cluster = null;
        int clients = 32, pool = 64, bits = 256, dataBytes = 64;
        double seconds = 30;
        var mix = LoadMix.Parse(LoadMix.Default);
        var json = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--server": servers.Add(Value()); break;
                case "--cert": cert = Value(); break;
                case "--key": key = Value(); break;
                case "--ca": ca = Value(); break;
                case "--cluster": cluster = Value(); break;
                case "--clients": clients = PositiveInt(Value(), "--clients"); break;
                case "--seconds": seconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--mix": mix = LoadMix.Parse(Value()); break;
                case "--pool": pool = PositiveInt(Value(), "--pool"); break;
                case "--key-bits": bits = PositiveInt(Value(), "--key-bits"); break;
                case "--data-bytes": dataBytes = PositiveInt(Value(), "--data-bytes"); break;
                case "--json": json = true; break;
                default: throw new FormatException($"unknown option '{args[i]}'");
            }
        }

        if (cluster is not null)
        {
            var (nodes, c, k, a) = ReadCluster(cluster);
            if (servers.Count == 0)
            {
                servers.AddRange(nodes);
            }

            (cert, key, ca) = (cert ?? c, key ?? k, ca ?? a);
        }

        if (servers.Count == 0)
        {
            throw new FormatException("give --server HOST:PORT or --cluster DIR/cluster.json");
        }

        foreach (var server in servers)
        {
            var colon = server.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(server[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is 0 or > 65535)
            {
                throw new FormatException($"'{server}' is not HOST:PORT");
            }
        }

        if (cert is null || key is null || ca is null)
        {
            throw new FormatException("give --cert, --key and --ca (PEM), or --cluster");
        }

        if (!(seconds > 0))
        {
            throw new FormatException("--seconds must be positive");
        }

        return new LoadOptions(servers, cert, key, ca, clients, seconds, mix, pool, bits, dataBytes, json);
    }

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"{option} must be a positive integer");

    /// <summary>The kmip address of every node, and pki.endpoints[0]'s cert and key and pki.ca, from an `okv up` cluster.json.</summary>
    internal static (List<string> Servers, string Cert, string Key, string Ca) ReadCluster(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var servers = root.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("kmip").GetString()!).ToList();
        var pki = root.GetProperty("pki");
        var endpoint = pki.GetProperty("endpoints")[0];
        return (servers, endpoint.GetProperty("cert").GetString()!, endpoint.GetProperty("key").GetString()!, pki.GetProperty("ca").GetString()!);
    }
}
