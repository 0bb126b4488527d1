using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OkvActors.Lab.Report;

namespace OkvActors.Lab.Scenarios;

/// <summary>
/// What a node spends its time on while a run the targets judge is in flight (issue #7: "profile with dotnet-counters /
/// dotnet-trace"): the repo's own dotnet-counters (runtime meters: CPU, GC pause share, allocation rate, collections,
/// lock contention, thread-pool queue) and dotnet-trace's kernel CPU sampling (`collect-linux --profile cpu-sampling`,
/// managed frames resolved), both attached to one node's process for the same window. The trace is kept beside the
/// run's logs; the summary gets the counters, the CPU share of each component and the heaviest frames.
/// A tool that is missing or refused (not root, no perf events) makes the profile a named gap, not a failed lab.
/// </summary>
public sealed partial class NodeProfiler(string workDir, TextWriter log)
{
    /// <summary>Frames that only carry work to where it is done (actor dispatch, thread pool, event loops): never the answer.</summary>
    private static readonly string[] Plumbing =
    [
        "Mailbox::", "ActorCell::", "ActorBase::", "ReceiveActor::", "UntypedActor::", "Become>", "ThreadPoolWorkQueue::", "WorkerThread::",
        "ExecutionContext::", "Tasks.Task::", "AsyncStateMachineBox", "AsyncTaskMethodBuilder", "SingleThreadEventExecutor::", "AbstractEventExecutor::",
        "ExecutorTaskScheduler::", "ThreadPoolTaskScheduler::", "Dispatcher::", "ActorTaskScheduler::", "FuncQueueNodeBase", "Thread::StartCallback",
        "PortableThreadPool", "LowLevelLifoSemaphore", "WaitHandle::", "Monitor::", "Interop+Sys::", "SocketAsyncEngine", "ThreadPoolTypedWorkItemQueue",
        "IThreadPoolWorkItem", "TimerQueue", "ContinuationWrapper", "AwaitTaskContinuation", "ActorRefImplicitSenderExtensions", "MoveNext()",
        "InnerInvoke", "ManualResetValueTaskSourceCore", "UnsafeQueueUserWorkItem", "GenericsHelpers", "AbstractChannelHandlerContext::",
        "ChannelHandlerAdapter::", "ExecuteFromThreadPool", "ManualResetEventSlim::", "__Canon", "ThreadPool::",
    ];

    /// <summary>Components a reader recognises, each by the frames that enter it; its share is its heaviest entry frame's.</summary>
    internal static readonly (string Component, Regex Frames)[] Components =
    [
        ("KMIP server (connections, codec, operations)", ComponentKmip()),
        ("TLS of KMIP clients (SslStream)", ComponentSslStream()),
        ("Akka remoting TLS (DotNetty TlsHandler)", ComponentDotNettyTls()),
        ("Akka remoting (endpoint reader/writer)", ComponentRemoting()),
        ("message serialization (Akka and ours)", ComponentSerialization()),
        ("Distributed Data replicator", ComponentReplicator()),
        ("key vault actor (reads, writes, quorum)", ComponentVault()),
        ("SQLite (replica store and audit journal)", ComponentSqlite()),
        ("audit journal (Akka.Persistence.Sql)", ComponentAudit()),
        ("crypto (AES-GCM, KEK unwrap)", ComponentCrypto()),
        ("kernel: TCP send/receive", ComponentTcp()),
    ];

    public async Task<NodeProfile> During(string run, string node, int pid, TimeSpan window, CancellationToken ct)
    {
        var stem = Path.Combine(workDir, $"profile-{Slug(run)}-{node}");
        var counters = Tool(["dotnet-counters", "collect", "-p", Text(pid), "--counters", "System.Runtime", "--format", "json", "-o", stem + ".counters.json",
            "--duration", Duration(window), "--refresh-interval", "1"], window, ct);
        var trace = Tool(["dotnet-trace", "collect-linux", "-p", Text(pid), "--profile", "cpu-sampling", "--duration", "00:" + Duration(window),
            "-o", stem + ".nettrace"], window, ct);
        var (counterFailure, traceFailure) = (await counters, await trace);
        log.WriteLine($"okv-lab:   profile of {node} during {run}: counters {counterFailure ?? "taken"}, trace {traceFailure ?? "taken"}");

        var meters = counterFailure is null ? RuntimeMeters.Parse(await File.ReadAllTextAsync(stem + ".counters.json", ct)) : null;
        IReadOnlyList<ProfileFrame> frames = [];
        if (traceFailure is null)
        {
            var (report, failure) = await Report(stem + ".nettrace", ct);
            traceFailure = failure;
            if (report is not null)
            {
                await File.WriteAllTextAsync(stem + ".topN.txt", report, ct);
                frames = ParseTopN(report);
            }
        }

        return new NodeProfile(run, node, Math.Round(window.TotalSeconds, 1), meters, ComponentShares(frames), Heaviest(frames, 12),
            traceFailure is null ? stem + ".nettrace" : null, counterFailure, traceFailure);
    }

    /// <summary>Every frame of `dotnet-trace report topN --inclusive` with its inclusive share of the CPU samples.</summary>
    internal static IReadOnlyList<ProfileFrame> ParseTopN(string report) =>
        report.Split('\n').Select(line => TopNLine().Match(line)).Where(m => m.Success)
            .Select(m => new ProfileFrame(m.Groups["frame"].Value.Trim(), double.Parse(m.Groups["inclusive"].Value, CultureInfo.InvariantCulture)))
            .ToList();

    /// <summary>Each component's share: the heaviest frame that enters it (inclusive shares nest, so they are not summed).</summary>
    internal static IReadOnlyList<ProfileFrame> ComponentShares(IReadOnlyList<ProfileFrame> frames) =>
        Components.Select(c => new ProfileFrame(c.Component, frames.Where(f => c.Frames.IsMatch(f.Frame)).Select(f => f.InclusivePercent).DefaultIfEmpty(0).Max()))
            .Where(c => c.InclusivePercent > 0).OrderByDescending(c => c.InclusivePercent).ToList();

    /// <summary>The heaviest managed frames that do work of their own kind, plumbing and native frames left out.</summary>
    internal static IReadOnlyList<ProfileFrame> Heaviest(IReadOnlyList<ProfileFrame> frames, int count) =>
        frames.Where(f => f.Frame.Contains("::", StringComparison.Ordinal) && !f.Frame.Contains('!') && !Plumbing.Any(p => f.Frame.Contains(p, StringComparison.Ordinal)))
            .OrderByDescending(f => f.InclusivePercent).Take(count).ToList();

    private static async Task<(string? Report, string? Failure)> Report(string trace, CancellationToken ct)
    {
        var (exit, stdout, stderr) = await Run(["dotnet-trace", "report", trace, "topN", "-n", "400", "--inclusive"], TimeSpan.FromMinutes(3), ct);
        return exit == 0 ? (stdout, null) : (null, $"dotnet-trace report failed ({exit}): {FirstLine(stderr + stdout)}");
    }

    /// <summary>One of the repo's dotnet tools for a window; null when it did its job, else why not.</summary>
    private static async Task<string?> Tool(string[] args, TimeSpan window, CancellationToken ct)
    {
        var (exit, stdout, stderr) = await Run(args, window + TimeSpan.FromMinutes(1), ct);
        return exit == 0 && !stdout.Contains("[ERROR]", StringComparison.Ordinal) ? null : $"{args[0]} failed ({exit}): {FirstLine(stderr + stdout)}";
    }

    /// <summary>`dotnet &lt;tool&gt;` resolves through the repo's tool manifest (.config/dotnet-tools.json) from the working directory.</summary>
    private static Task<(int Exit, string Stdout, string Stderr)> Run(string[] args, TimeSpan timeout, CancellationToken ct) =>
        ChildProcess.Run("dotnet", args, null, null, timeout, ct);

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(l => l.Contains("ERROR", StringComparison.OrdinalIgnoreCase))
        ?? text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";

    private static string Duration(TimeSpan window) => window.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Slug(string text) => NonWord().Replace(text.ToLowerInvariant(), "-").Trim('-');

    [GeneratedRegex(@"^\s*\d+\.\s+(?<frame>.+?)\s+(?<inclusive>\d+(\.\d+)?)%\s+(\d+(\.\d+)?)%\s*$")]
    private static partial Regex TopNLine();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonWord();

    [GeneratedRegex(@"^(Server|Kmip|Protocol|Operations|Ttlv|Messages)\.\w*(Kmip|Ttlv|Connection|Operation|Codec)\w*::")]
    private static partial Regex ComponentKmip();

    [GeneratedRegex(@"^(Security\.)?SslStream::(Read|Write)")]
    private static partial Regex ComponentSslStream();

    [GeneratedRegex(@"^Tls\.TlsHandler::")]
    private static partial Regex ComponentDotNettyTls();

    [GeneratedRegex(@"^Remote\.(EndpointReader|EndpointWriter)::")]
    private static partial Regex ComponentRemoting();

    [GeneratedRegex(@"^Serialization\.\w+::(ToBinary|FromBinary)")]
    private static partial Regex ComponentSerialization();

    [GeneratedRegex(@"^DistributedData\.Replicator::")]
    private static partial Regex ComponentReplicator();

    [GeneratedRegex(@"^Vault\.KeyVaultActor::")]
    private static partial Regex ComponentVault();

    [GeneratedRegex(@"(SqlDurableStore|DurableStoreDatabase|Sqlite\w*)::")]
    private static partial Regex ComponentSqlite();

    [GeneratedRegex(@"^(Audit\.\w+|Dao\.BaseByteArrayJournalDao)::")]
    private static partial Regex ComponentAudit();

    [GeneratedRegex(@"(AesGcm|KeyEncryptionKey)::")]
    private static partial Regex ComponentCrypto();

    [GeneratedRegex(@"^vmlinux!tcp_(sendmsg|recvmsg)$")]
    private static partial Regex ComponentTcp();
}

/// <summary>
/// The runtime's meters over a profile window, from dotnet-counters' JSON: CPU as % of one core, the share of the
/// window the GC held the process paused, MB allocated per second, collections per generation, lock contentions and
/// thread-pool work items per second, and the largest working set.
/// </summary>
public sealed record RuntimeMeters(
    double CpuPercent, double GcPausePercent, double AllocatedMbPerSecond, int Gen0, int Gen1, int Gen2, double LockContentionsPerSecond,
    double WorkItemsPerSecond, double WorkingSetMb)
{
    /// <summary>Rates are per-second samples (one a second); counts sum the samples, the rest average them.</summary>
    public static RuntimeMeters? Parse(string json)
    {
        var events = JsonDocument.Parse(json).RootElement.GetProperty("Events").EnumerateArray()
            .Select(e => (Name: e.GetProperty("name").GetString() ?? "", Tags: e.GetProperty("tags").GetString() ?? "", Value: e.GetProperty("value").GetDouble()))
            .ToList();
        if (events.Count == 0)
        {
            return null;
        }

        IEnumerable<(string Name, string Tags, double Value)> Named(string prefix) => events.Where(e => e.Name.StartsWith(prefix + " ", StringComparison.Ordinal));
        double Mean(string prefix) => Named(prefix).Select(e => e.Value).DefaultIfEmpty(0).Average();
        var samples = Math.Max(1, Named("dotnet.gc.heap.total_allocated").Count());
        // CPU time is reported per mode (user, system) for each sample: their sum per sample is the process's CPU.
        var cpu = Named("dotnet.process.cpu.time").Sum(e => e.Value) / samples * 100;
        int Collections(string generation) => (int)Math.Round(Named("dotnet.gc.collections").Where(e => e.Tags.Contains("gc.heap.generation=" + generation, StringComparison.Ordinal)).Sum(e => e.Value));
        return new RuntimeMeters(
            Math.Round(cpu, 1),
            Math.Round(Mean("dotnet.gc.pause.time") * 100, 1),
            Math.Round(Mean("dotnet.gc.heap.total_allocated") / 1_000_000, 1),
            Collections("gen0"), Collections("gen1"), Collections("gen2"),
            Math.Round(Mean("dotnet.monitor.lock_contentions"), 1),
            Math.Round(Mean("dotnet.thread_pool.work_item.count"), 0),
            Math.Round(Named("dotnet.process.memory.working_set").Select(e => e.Value).DefaultIfEmpty(0).Max() / 1048576, 0));
    }
}
