using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OkvActors.Kmip.Benchmarks;
using OkvActors.Lab.Peers;
using OkvActors.Lab.Report;

namespace OkvActors.Lab.Scenarios;

/// <summary>
/// The micro benchmarks, each beside its peer: the TTLV codec beside PyKMIP's, the KEK wrap beside RFC 5649 AES key wrap,
/// the key shard CRDT beside the stock LWWDictionary. The BenchmarkDotNet suites (tests/OkvActors.Benchmarks and
/// tests/OkvActors.Kmip.Benchmarks, built in Release) run as child processes from their project directories, where
/// BenchmarkDotNet finds the project it builds each benchmark's host from; PyKMIP runs Peers/pykmip_codec_bench.py on
/// the very bytes the codec benchmark uses (<see cref="GetSamples"/>). A part that cannot run (a suite not built, PyKMIP
/// missing) leaves its rows "not run" with the reason; it never stops the lab. About 5 minutes on 2 cores.
/// </summary>
public static class MicroBench
{
    /// <summary>
    /// The suite's [ShortJob], also imposed on the KMIP suite (which declares no job): given on the command line
    /// these counts modify the declared jobs instead of adding a second job, as `--job short` would.
    /// </summary>
    public const int LaunchCount = 1;
    public const int WarmupCount = 3;
    public const int IterationCount = 8;

    /// <summary>The design point (~250 objects per shard) and the size where the stock dictionaries had collapsed.</summary>
    public static readonly IReadOnlyList<int> ShardSizes = [250, 4000];

    public static readonly IReadOnlyList<int> BatchSizes = [1, 10];

    private const string OkvSuite = "OkvActors.Benchmarks";
    private const string KmipSuite = "OkvActors.Kmip.Benchmarks";
    private const string PyKmipSource = "PyKMIP";

    /// <summary>BenchmarkDotNet classes (namespace-qualified: both suites have a CodecBenchmarks) and what they measure.</summary>
    private static readonly Dictionary<string, (string Area, string System)> Classes = new(StringComparer.Ordinal)
    {
        ["OkvActors.Kmip.Benchmarks.CodecBenchmarks"] = (MicroAreas.Codec, Systems.Okv),
        ["OkvActors.Benchmarks.KekBenchmarks"] = (MicroAreas.KeyWrap, Systems.Okv),
        ["OkvActors.Benchmarks.AesKeyWrapBenchmarks"] = (MicroAreas.KeyWrap, MicroAreas.AesKeyWrap),
        ["OkvActors.Benchmarks.KeyShardBenchmarks"] = (MicroAreas.Crdt, Systems.Okv),
        ["OkvActors.Benchmarks.StockShardBenchmarks"] = (MicroAreas.Crdt, MicroAreas.StockDictionary),
    };

    /// <summary>Benchmark methods by name (ours and the peer's share them) and how the summary calls them.</summary>
    private static readonly Dictionary<string, string> Operations = new(StringComparer.Ordinal)
    {
        ["DecodeRequest"] = "Decode Get request",
        ["EncodeResponse"] = "Encode Get response",
        ["Wrap"] = "Wrap",
        ["Unwrap"] = "Unwrap",
        ["MergeDelta"] = "MergeDelta (1 new object)",
        ["Put"] = "Put (local write)",
        ["MergeFullState"] = "Merge (full state of 1 object)",
        ["DigestAfterChange"] = "Digest after a change",
    };

    private const string WrappedKey = "32-byte key";

    /// <summary>Every row the micro part reports, and which run produces it: a row no run produced is reported as not run.</summary>
    internal static IReadOnlyList<(MicroResult Row, string Source)> Expected()
    {
        var rows = new List<(MicroResult, string)>();
        foreach (var op in new[] { "DecodeRequest", "EncodeResponse" })
        {
            foreach (var n in BatchSizes)
            {
                rows.Add((Row(MicroAreas.Codec, op, Batch(n), Systems.Okv), KmipSuite));
                rows.Add((Row(MicroAreas.Codec, op, Batch(n), MicroAreas.PyKmipCodec), PyKmipSource));
            }
        }

        foreach (var op in new[] { "Wrap", "Unwrap" })
        {
            rows.Add((Row(MicroAreas.KeyWrap, op, WrappedKey, Systems.Okv), OkvSuite));
            rows.Add((Row(MicroAreas.KeyWrap, op, WrappedKey, MicroAreas.AesKeyWrap), OkvSuite));
        }

        foreach (var op in new[] { "MergeDelta", "Put", "MergeFullState", "DigestAfterChange" })
        {
            foreach (var size in ShardSizes)
            {
                rows.Add((Row(MicroAreas.Crdt, op, Objects(size), Systems.Okv), OkvSuite));
                rows.Add((Row(MicroAreas.Crdt, op, Objects(size), MicroAreas.StockDictionary), OkvSuite));
            }
        }

        return rows;

        static MicroResult Row(string area, string method, string parameter, string system) =>
            new(area, Operations[method], parameter, system, null, null, null, null);
    }

    /// <summary>BenchmarkDotNet's glob filters (matched against `Namespace.Class.Method(Param: value)`) for the rows the lab reports.</summary>
    internal static IReadOnlyList<string> Filters(string suite) => suite switch
    {
        OkvSuite => [
            "*.KekBenchmarks.*", "*.AesKeyWrapBenchmarks.*",
            .. ShardSizes.SelectMany(s => new[] { $"*.KeyShardBenchmarks.*(Size: {s})", $"*.StockShardBenchmarks.*(Size: {s})" })],
        KmipSuite => [.. BatchSizes.SelectMany(n => new[] { $"*.CodecBenchmarks.DecodeRequest(BatchSize: {n})", $"*.CodecBenchmarks.EncodeResponse(BatchSize: {n})" })],
        _ => throw new ArgumentOutOfRangeException(nameof(suite), suite, "not a benchmark suite"),
    };

    /// <summary>The command line of one suite: brief JSON (statistics without every measurement) into <paramref name="artifacts"/>.</summary>
    internal static IReadOnlyList<string> Arguments(string suite, string artifacts) =>
    [
        "--filter", .. Filters(suite),
        "--launchCount", Text(LaunchCount), "--warmupCount", Text(WarmupCount), "--iterationCount", Text(IterationCount),
        "--memory", "--exporters", "briefjson", "--artifacts", artifacts,
    ];

    /// <summary>
    /// Runs both suites, then PyKMIP, one after the other (2 cores: nothing beside a benchmark). Reports, BenchmarkDotNet's
    /// logs and the TTLV samples go to <paramref name="workDir"/>/micro. <paramref name="python"/> defaults to Debian's
    /// /usr/bin/python3 (the one with python3-pykmip; a pyenv python3 earlier on PATH has no kmip module), else python3;
    /// <paramref name="script"/> to Peers/pykmip_codec_bench.py beside okv-lab. Every expected row comes back, measured or not run.
    /// </summary>
    public static async Task<IReadOnlyList<MicroResult>> Run(string benchmarksDll, string kmipBenchmarksDll, string workDir, TextWriter log, CancellationToken ct,
        string? python = null, string? script = null)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetFullPath(workDir), "micro")).FullName;
        var clock = Stopwatch.StartNew();
        var measured = new List<MicroResult>();
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var (suite, dll) in new[] { (OkvSuite, benchmarksDll), (KmipSuite, kmipBenchmarksDll) })
        {
            var (results, failure) = await RunSuite(suite, Path.GetFullPath(dll), dir, log, ct);
            measured.AddRange(results);
            if (failure is not null)
            {
                failures[suite] = failure;
            }
        }

        python ??= File.Exists(PyKmipServer.Python) ? PyKmipServer.Python : "python3";
        script ??= Path.Combine(AppContext.BaseDirectory, "Peers", "pykmip_codec_bench.py");
        foreach (var n in BatchSizes)
        {
            var (results, failure) = await RunPyKmip(python, script, n, dir, log, ct);
            measured.AddRange(results);
            if (failure is not null)
            {
                failures[PyKmipSource] = failure;
            }
        }

        log.WriteLine($"okv-lab: micro benchmarks done in {clock.Elapsed.TotalMinutes:0.0} min");
        return Complete(measured, failures);
    }

    /// <summary>
    /// The expected rows in the summary's order, each with its measurement, or "not run" with why its run did not
    /// produce it. Measured rows nobody expects (a wider filter) are left out.
    /// </summary>
    internal static IReadOnlyList<MicroResult> Complete(IReadOnlyList<MicroResult> measured, IReadOnlyDictionary<string, string> failures) =>
        [.. Expected().Select(e => measured.FirstOrDefault(m => (m.Area, m.Operation, m.Parameter, m.System) == (e.Row.Area, e.Row.Operation, e.Row.Parameter, e.Row.System))
            ?? e.Row with { Failure = "not run: " + (failures.GetValueOrDefault(e.Source) ?? $"{e.Source} did not report it") })];

    private static async Task<(IReadOnlyList<MicroResult> Results, string? Failure)> RunSuite(string suite, string dll, string dir, TextWriter log, CancellationToken ct)
    {
        if (!File.Exists(dll))
        {
            return ([], $"{dll} is missing (dotnet build tests/{suite} -c Release)");
        }

        // BenchmarkDotNet builds a host for each job from the benchmark's project, which it looks for from the working directory.
        var project = ProjectDirectory(dll, suite);
        if (project is null)
        {
            return ([], $"{suite}.csproj not found above {dll}: BenchmarkDotNet builds from the project");
        }

        var artifacts = Path.Combine(dir, suite);
        var results = Path.Combine(artifacts, "results");
        if (Directory.Exists(results))
        {
            Directory.Delete(results, recursive: true);
        }

        var logFile = Path.Combine(dir, suite + ".log");
        log.WriteLine($"okv-lab: micro benchmarks: {suite} ({Filters(suite).Count} filters), BenchmarkDotNet log in {logFile}");
        var (exit, _, stderr) = await ChildProcess.Run("dotnet", [dll, .. Arguments(suite, artifacts)], project, logFile, TimeSpan.FromMinutes(20), ct);
        var parsed = Directory.Exists(results)
            ? Directory.GetFiles(results, "*-report-brief.json").Order(StringComparer.Ordinal).SelectMany(f => ParseReport(File.ReadAllText(f))).ToList()
            : [];
        return (parsed, exit == 0 ? null : $"BenchmarkDotNet exited {exit} ({FirstLine(stderr)}); see {logFile}");
    }

    private static async Task<(IReadOnlyList<MicroResult> Results, string? Failure)> RunPyKmip(string python, string script, int batch, string dir, TextWriter log, CancellationToken ct)
    {
        if (!File.Exists(script))
        {
            return ([], $"{script} is missing");
        }

        var request = Path.Combine(dir, $"get-request-{batch}.ttlv");
        var response = Path.Combine(dir, $"get-response-{batch}.ttlv");
        await File.WriteAllBytesAsync(request, GetSamples.RequestBytes(batch), ct);
        await File.WriteAllBytesAsync(response, GetSamples.ResponseBytes(batch), ct);
        log.WriteLine($"okv-lab: micro benchmarks: PyKMIP codec, batch {batch}");
        var (exit, stdout, stderr) = await ChildProcess.Run(python, [script, request, response, Text(batch)], dir, null, TimeSpan.FromMinutes(3), ct);
        var json = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (json is null)
        {
            return ([], exit == -1 ? FirstLine(stderr) : $"{python} {Path.GetFileName(script)} exited {exit}: {FirstLine(stderr)}");
        }

        var results = ParsePyKmip(json, batch);
        return (results, results.Select(r => r.Failure).FirstOrDefault(f => f is not null));
    }

    /// <summary>One BenchmarkDotNet JSON report (brief or full): a row per benchmark of a known class; a benchmark that failed has no statistics.</summary>
    internal static IReadOnlyList<MicroResult> ParseReport(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var results = new List<MicroResult>();
        foreach (var b in doc.RootElement.GetProperty("Benchmarks").EnumerateArray())
        {
            if (!Classes.TryGetValue($"{b.GetProperty("Namespace").GetString()}.{b.GetProperty("Type").GetString()}", out var cls))
            {
                continue;
            }

            var method = b.GetProperty("Method").GetString()!;
            var operation = Operations.GetValueOrDefault(method) ?? b.GetProperty("MethodTitle").GetString()!.Trim('\'');
            var parameter = Parameter(b.GetProperty("Parameters").GetString() ?? "");
            var allocated = b.TryGetProperty("Memory", out var memory) && memory.GetProperty("BytesAllocatedPerOperation") is { ValueKind: JsonValueKind.Number } bytes
                ? bytes.GetInt64()
                : (long?)null;
            if (b.GetProperty("Statistics") is not { ValueKind: JsonValueKind.Object } stats)
            {
                results.Add(new MicroResult(cls.Area, operation, parameter, cls.System, null, null, null, null, "failed: no result from BenchmarkDotNet (see its log)"));
                continue;
            }

            results.Add(new MicroResult(cls.Area, operation, parameter, cls.System, stats.GetProperty("Mean").GetDouble(),
                stats.GetProperty("ConfidenceInterval").GetProperty("Margin").GetDouble(), stats.GetProperty("StandardDeviation").GetDouble(), allocated));
        }

        return results;
    }

    /// <summary>BenchmarkDotNet's "Size=250" or "BatchSize=10" as the summary says it; no parameter is the key wrap's fixed key.</summary>
    private static string Parameter(string parameters) => parameters.Split('=') switch
    {
        ["Size", var n] => Objects(int.Parse(n, CultureInfo.InvariantCulture)),
        ["BatchSize", var n] => Batch(int.Parse(n, CultureInfo.InvariantCulture)),
        [""] => WrappedKey,
        _ => parameters,
    };

    /// <summary>
    /// The PyKMIP script's JSON: decode and encode of one batch size, or an error, which fails both (PyKMIP not installed:
    /// not run). No allocations: Python's would not compare with .NET's.
    /// </summary>
    internal static IReadOnlyList<MicroResult> ParsePyKmip(string json, int batch)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var failure = root.TryGetProperty("error", out var error)
                ? (root.TryGetProperty("missing", out var missing) && missing.GetBoolean() ? "not run: " : "failed: ") + error.GetString()
            : root.GetProperty("batch").GetInt32() != batch ? $"failed: the script measured batch {root.GetProperty("batch").GetInt32()}, not {batch}"
            : null;
        return
        [
            Result("DecodeRequest", "decode"),
            Result("EncodeResponse", "encode"),
        ];

        MicroResult Result(string method, string property)
        {
            var row = new MicroResult(MicroAreas.Codec, Operations[method], Batch(batch), MicroAreas.PyKmipCodec, null, null, null, null);
            if (failure is not null)
            {
                return row with { Failure = failure };
            }

            var timing = root.GetProperty(property);
            return row with { MeanNs = timing.GetProperty("mean_ns").GetDouble(), StdDevNs = timing.GetProperty("stdev_ns").GetDouble() };
        }
    }

    /// <summary>The directory above the dll (bin/Release/net10.0) holding `<paramref name="suite"/>.csproj`.</summary>
    internal static string? ProjectDirectory(string dll, string suite)
    {
        for (var dir = Path.GetDirectoryName(dll); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, suite + ".csproj")))
            {
                return dir;
            }
        }

        return null;
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no error output";

    private static string Objects(int size) => $"{Text(size)} objects";

    private static string Batch(int n) => $"batch {Text(n)}";

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}
