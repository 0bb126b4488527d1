using System.Globalization;
using System.Text;
using OkvActors.Lab.Scenarios;

namespace OkvActors.Lab.Report;

/// <summary>The micro benchmarks' section of the lab summary: one table per area, ours beside the peer, with allocations and the ratio.</summary>
public static class MicroSummary
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>What each area measures, said once above its table.</summary>
    private static readonly Dictionary<string, string> What = new(StringComparer.Ordinal)
    {
        [MicroAreas.Codec] = "A KMIP 1.4 Get request of 1 or 10 items decoded, and its response (a 256-bit AES key per item) encoded: " +
            "OkvActors' codec, and PyKMIP's (`RequestMessage.read`, `ResponseMessage.write`) on the very same bytes.",
        [MicroAreas.KeyWrap] = "A 256-bit key wrapped under a 256-bit KEK: ours is AES-256-GCM with the object's UID as associated data (a new `AesGcm` per call); " +
            "the peer is RFC 5649 AES key wrap with padding, the standard key wrap of KMIP servers and PKCS#11, which binds nothing to the key: .NET's `Aes.EncryptKeyWrapPadded`, " +
            "the key set once, which drives OpenSSL one AES block at a time (24 one-block ECB calls for a 32-byte key), so its figure is .NET's implementation as much as the algorithm.",
        [MicroAreas.Crdt] = "One shard of N objects (their ~300-byte encodings): OkvActors' `KeyShard` beside Akka.DistributedData's stock `LWWDictionary<string, byte[]>` holding the same bytes. " +
            "Digest: ours is SHA-256 over the objects' cached SHA-256 values; the stock type's is what Akka's Replicator computes, SHA-1 over the serialized (GZip-compressed) envelope.",
    };

    public static string Render(IReadOnlyList<MicroResult> results)
    {
        var md = new StringBuilder();
        Line(md, "## Micro benchmarks: OkvActors beside its peers, per operation");
        md.AppendLine();
        if (results.Count == 0)
        {
            Line(md, "Not run.");
            return md.ToString();
        }

        Line(md, $"BenchmarkDotNet, MemoryDiagnoser, {MicroBench.LaunchCount} launch, {MicroBench.WarmupCount} warm-up and {MicroBench.IterationCount} measured iterations per benchmark " +
            "(± is half its 99.9% confidence interval); allocated = managed bytes per operation. PyKMIP is timed with Python's `timeit` " +
            "(5 repeats of ~0.3 s, mean of the repeats, ± their standard deviation); Python allocations are not measured. " +
            "Ratio = peer time ÷ OkvActors time: above 1 OkvActors is faster.");
        var comparisons = MicroRatios.Pair(results);
        foreach (var area in MicroAreas.All)
        {
            var rows = comparisons.Where(c => c.Area == area).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            var peer = MicroAreas.PeerOf(area);
            md.AppendLine();
            Line(md, $"### {area}: OkvActors beside {peer}");
            md.AppendLine();
            Line(md, What[area]);
            md.AppendLine();
            Line(md, $"| operation | size | OkvActors | allocated | {peer} | allocated | ratio |");
            Line(md, "|---|---|---:|---:|---:|---:|---:|");
            foreach (var c in rows)
            {
                var theirs = c.Theirs is null ? "not run" : Time(c.Theirs);
                Line(md, $"| {c.Operation} | {c.Parameter} | {Time(c.Ours)} | {Bytes(c.Ours.AllocatedBytes)} | {theirs} | {Bytes(c.Theirs?.AllocatedBytes)} | {Ratio(c.Ratio)} |");
            }
        }

        return md.ToString();
    }

    /// <summary>The mean with its spread as a share of it, or why there is none.</summary>
    internal static string Time(MicroResult r)
    {
        if (r.MeanNs is not { } mean)
        {
            return r.Failure ?? "not run";
        }

        var spread = r.ErrorNs ?? r.StdDevNs;
        return spread is { } s && mean > 0 ? $"{Nanoseconds(mean)} ±{Percent(s / mean)}" : Nanoseconds(mean);
    }

    /// <summary>Three significant digits in the unit that suits: 292 ns, 78.4 µs, 5.41 ms.</summary>
    internal static string Nanoseconds(double ns) => ns switch
    {
        < 1e3 => Digits(ns) + " ns",
        < 1e6 => Digits(ns / 1e3) + " µs",
        < 1e9 => Digits(ns / 1e6) + " ms",
        _ => Digits(ns / 1e9) + " s",
    };

    internal static string Bytes(long? bytes) => bytes switch
    {
        null => "—",
        < 1024 => bytes.Value.ToString(C) + " B",
        < 1024 * 1024 => Digits(bytes.Value / 1024.0) + " KiB",
        _ => Digits(bytes.Value / 1048576.0) + " MiB",
    };

    /// <summary>Micro ratios run to the thousands (a one-object merge against a whole-map one): no decimals past 100.</summary>
    internal static string Ratio(double? ratio) => ratio switch
    {
        null => "—",
        >= 100 => ratio.Value.ToString("#,0", C) + "×",
        >= 10 => ratio.Value.ToString("0.0", C) + "×",
        _ => ratio.Value.ToString("0.00", C) + "×",
    };

    private static string Percent(double share) => share < 0.01 ? "<1%" : (share * 100).ToString("0", C) + "%";

    private static string Digits(double v) => v.ToString(v >= 100 ? "0" : v >= 10 ? "0.0" : "0.00", C);

    private static void Line(StringBuilder md, string text) => md.Append(text).Append('\n');
}
