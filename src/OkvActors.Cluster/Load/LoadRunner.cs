using System.Diagnostics;
using Akka.Actor;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Load;

/// <summary>What one operation of a load run came to.</summary>
public enum LoadOutcome
{
    /// <summary>Acknowledged by the write quorum.</summary>
    Acknowledged,

    /// <summary>Not confirmed by the quorum within the write timeout, or the ask itself timed out.</summary>
    TimedOut,

    /// <summary>Refused or failed for another reason (restricted mode, an error).</summary>
    Failed,
}

/// <summary>
/// GC activity in the node's process during the run: collections per generation and the time the runtime
/// was paused for them. Without profiling tools on the machine, this is what tells allocation pressure apart
/// from waiting.
/// </summary>
public sealed record GcActivity(int Gen0, int Gen1, int Gen2, double PauseMs)
{
    public static GcActivity Now() =>
        new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds);

    public GcActivity Since(GcActivity start) => new(Gen0 - start.Gen0, Gen1 - start.Gen1, Gen2 - start.Gen2, PauseMs - start.PauseMs);
}

/// <summary>
/// The JIT's work in the node's process: methods compiled and time spent compiling (tiered re-compilation on the
/// runtime's background thread included). A freshly started node re-compiles its hot paths for a while under load;
/// a benchmark's warm-up is over when this stops growing.
/// </summary>
public sealed record JitActivity(long Methods, double CompileMs)
{
    public static JitActivity Now() =>
        new(System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds);

    public JitActivity Since(JitActivity start) => new(Methods - start.Methods, CompileMs - start.CompileMs);
}

/// <summary>The figures of one load run; rates count acknowledged operations only.</summary>
public sealed record LoadResult(
    int Count,
    int Acknowledged,
    int TimedOut,
    int Failed,
    double Seconds,
    double PerSecond,
    double? TargetRate,
    int Concurrency,
    LatencySummary Latency,
    GcActivity Gc,
    string? FirstFailure,
    LatencySummary? GcPauses = null,
    IReadOnlyList<WriteGap.Gap>? LongestWaits = null,
    JitActivity? Jit = null,
    GcPause? LongestGcPause = null)
{
    public override string ToString() =>
        $"{Acknowledged} of {Count} acknowledged in {Seconds:0.00} s ({PerSecond:0}/s), {TimedOut} timed out, {Failed} failed; {Latency}" +
        (GcPauses is { Samples: > 0 } pauses ? $"; {pauses.Samples} GC pauses, longest {pauses.Max:0.0} ms" : "") +
        (LongestGcPause is { } longest ? $" ({longest.Explained})" : "") +
        (LongestWaits is { Count: > 0 } waits
            ? $"; longest waits for an acknowledgement {string.Join(", ", waits.Select(w => $"{w.LengthMs:0} ms at +{w.StartMs / 1000:0.00} s"))}"
            : "");
}

/// <summary>
/// Drives a load run. Latency is measured from when an operation was due: in a paced run that is its slot
/// in the schedule, not when a free slot let it start, so a stalled node shows as latency instead of being
/// hidden by a slower send rate (coordinated omission).
/// </summary>
public static class LoadRunner
{
    private const int LongestWaitsReported = 5;

    public static async Task<LoadResult> RunAsync(LoadRequest request, Func<int, Task<IVaultReply>> operation, CancellationToken ct = default)
    {
        var latencies = new double[request.Count];
        var acknowledgedAtMs = new double[request.Count];
        var outcomes = new LoadOutcome[request.Count];
        string? firstFailure = null;
        var gcBefore = GcActivity.Now();
        var jitBefore = JitActivity.Now();
        using var pauses = new GcPauseListener();
        var start = Stopwatch.GetTimestamp();

        async Task One(int i, long due)
        {
            IVaultReply? reply = null;
            Exception? error = null;
            try
            {
                reply = await operation(i);
            }
            catch (Exception e)
            {
                // Whatever the failure, it is an outcome to count, not a reason to abandon the run.
                error = e;
            }

            latencies[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            acknowledgedAtMs[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            outcomes[i] = Classify(reply, error);
            if (outcomes[i] != LoadOutcome.Acknowledged)
            {
                Interlocked.CompareExchange(ref firstFailure, error?.Message ?? reply?.ToString() ?? "no reply", null);
            }
        }

        if (request.Rate is { } rate)
        {
            await Paced(request, rate, start, One, ct);
        }
        else
        {
            var next = -1;
            var workers = Enumerable.Range(0, Math.Min(request.Concurrency, request.Count)).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < request.Count)
                {
                    ct.ThrowIfCancellationRequested();
                    await One(i, Stopwatch.GetTimestamp());
                }
            });
            await Task.WhenAll(workers);
        }

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var acknowledged = outcomes.Count(o => o == LoadOutcome.Acknowledged);
        return new LoadResult(request.Count, acknowledged, outcomes.Count(o => o == LoadOutcome.TimedOut),
            outcomes.Count(o => o == LoadOutcome.Failed), seconds, seconds > 0 ? acknowledged / seconds : 0, request.Rate,
            request.Concurrency, LatencySummary.Of(latencies), GcActivity.Now().Since(gcBefore), firstFailure,
            LatencySummary.Of(pauses.PausesMs),
            // Where the run stalled: the longest stretches in which nothing was acknowledged, on the run's clock.
            WriteGap.Longest(acknowledgedAtMs.Where((_, i) => outcomes[i] == LoadOutcome.Acknowledged), 0, seconds * 1000, LongestWaitsReported),
            JitActivity.Now().Since(jitBefore), pauses.Longest);
    }

    public static LoadOutcome Classify(IVaultReply? reply, Exception? error) => (reply, error) switch
    {
        (ObjectStored, _) => LoadOutcome.Acknowledged,
        (WriteRefused { Restricted: false }, _) => LoadOutcome.TimedOut,
        (null, AskTimeoutException or TaskCanceledException or TimeoutException) => LoadOutcome.TimedOut,
        _ => LoadOutcome.Failed,
    };

    private static async Task Paced(LoadRequest request, double rate, long start, Func<int, long, Task> one, CancellationToken ct)
    {
        var ticksPerOperation = Stopwatch.Frequency / rate;
        using var slots = new SemaphoreSlim(request.Concurrency);
        for (var i = 0; i < request.Count; i++)
        {
            var due = start + (long)(i * ticksPerOperation);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, ct);
            }

            await slots.WaitAsync(ct);
            var index = i;
            _ = Task.Run(async () =>
            {
                try
                {
                    await one(index, due);
                }
                finally
                {
                    slots.Release();
                }
            }, CancellationToken.None);
        }

        for (var i = 0; i < request.Concurrency; i++)
        {
            await slots.WaitAsync(CancellationToken.None);
        }
    }
}
