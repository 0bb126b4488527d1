using System.Diagnostics.Tracing;

namespace OkvActors.Cluster.Load;

/// <summary>
/// This process's stop-the-world pauses while it is alive, as the runtime reports them (execution engine suspended,
/// then restarted). The total the runtime keeps (<see cref="GC.GetTotalPauseDuration"/>) cannot tell one 300 ms
/// blocking collection from a hundred 3 ms ones; a latency target can, so a load run records each pause, which
/// collections ran in it and how long stopping the threads took (a gen2 that blocked is a different finding from a
/// slow gen0, and both from a thread that would not stop). A gen2 that compacted says so, and why: a collection the
/// runtime starts as a background gen2 can still compact the whole heap before the threads restart (seen at 1M
/// objects: 2.6 s, "compacted (high fragmentation)", which is what <c>System.GC.ConserveMemory</c> asks for).
/// </summary>
public sealed class GcPauseListener : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int GcStart = 1;
    private const int SuspendExecutionEngineBegin = 9;
    private const int SuspendExecutionEngineEnd = 8;
    private const int RestartExecutionEngineEnd = 3;
    private const int PerHeapHistory = 204;
    private const int GlobalHeapHistory = 205;
    private const long CompactionMechanism = 0x2;

    // Initialised before the base constructor runs, which may already call OnEventSourceCreated.
    private readonly Lock _gate = new();
    private readonly List<GcPause> _pauses = [];
    private readonly List<string> _collections = [];
    private DateTime? _suspendedAt;
    private double _suspendingMs;
    private bool _gen2Compacting;

    /// <summary>Every pause recorded so far, in the order they ended, with the collections that ran in each.</summary>
    public IReadOnlyList<GcPause> Pauses
    {
        get
        {
            lock (_gate)
            {
                return _pauses.ToArray();
            }
        }
    }

    /// <summary>Every pause's length in milliseconds, in the order they ended.</summary>
    public IReadOnlyList<double> PausesMs => [.. Pauses.Select(p => p.Ms)];

    /// <summary>The longest pause so far; null before the first.</summary>
    public GcPause? Longest => Pauses.MaxBy(p => p.Ms);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_gate)
        {
            switch (e.EventId)
            {
                case SuspendExecutionEngineBegin:
                    _suspendedAt = e.TimeStamp;
                    _suspendingMs = 0;
                    _gen2Compacting = false;
                    _collections.Clear();
                    break;
                case SuspendExecutionEngineEnd when _suspendedAt is { } suspending:
                    _suspendingMs = (e.TimeStamp - suspending).TotalMilliseconds;
                    break;
                case GcStart when _suspendedAt is not null:
                    _collections.Add(Describe(e));
                    break;
                case GlobalHeapHistory when _suspendedAt is not null:
                    // A background gen2 never compacts, so a compacting gen2 in a pause is one that blocked in it.
                    _gen2Compacting = Field(e, "CondemnedGeneration") == 2 && (Field(e, "GlobalMechanisms") & CompactionMechanism) != 0;
                    break;
                case PerHeapHistory when _gen2Compacting:
                    _collections.Add($"gen2 compacted ({CompactReason(Field(e, "CompactMechanisms"))})");
                    _gen2Compacting = false;
                    break;
                case RestartExecutionEngineEnd when _suspendedAt is { } at:
                    _pauses.Add(new GcPause((e.TimeStamp - at).TotalMilliseconds, _suspendingMs,
                        _collections.Count == 0 ? "no collection (a suspension only)" : string.Join(", ", _collections)));
                    _suspendedAt = null;
                    break;
            }
        }
    }

    // GCStart_V2: Depth is the generation; Type 0 blocks, 1 runs in the background, 2 is an ephemeral one during a background gen2.
    private static string Describe(EventWrittenEventArgs e)
    {
        var generation = Field(e, "Depth");
        var kind = Field(e, "Type") switch
        {
            0 => "blocking",
            1 => "background",
            2 => "foreground",
            var other => $"type {other}",
        };
        var reason = Field(e, "Reason") switch
        {
            0 => "small allocation",
            1 => "induced",
            2 => "low memory",
            4 => "large allocation",
            5 => "out of space (SOH)",
            6 => "out of space (LOH)",
            7 => "induced, not forced",
            8 => "internal",
            9 => "induced, low memory",
            10 => "induced, compacting",
            11 => "low memory (host)",
            12 => "provisional mode",
            13 => "low memory (host), blocking",
            var other => $"reason {other}",
        };
        return $"gen{generation} {kind} ({reason})";
    }

    // The runtime reports the reason as one bit (1 << reason) under a "set" bit (bit 31); gc.h's compact_reason order.
    private static string CompactReason(long mechanisms)
    {
        string[] reasons =
        [
            "low ephemeral space", "high fragmentation", "no gaps", "large object heap forced", "last collection",
            "induced", "fragmented gen0", "high memory load", "high memory load, fragmented", "very high memory load, fragmented",
            "no-GC region",
        ];
        var bits = mechanisms & 0x7FFF_FFFF;
        return bits == 0 ? "reason not given"
            : System.Numerics.BitOperations.TrailingZeroCount(bits) is var reason && reason < reasons.Length ? reasons[reason] : $"reason {reason}";
    }

    private static long Field(EventWrittenEventArgs e, string name) =>
        e.PayloadNames?.IndexOf(name) is >= 0 and var i && e.Payload?[i] is { } value ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : -1;
}

/// <summary>
/// One stop-the-world pause: its length, how much of it went into stopping the threads (a thread that takes long to
/// reach a safe point holds every other one stopped), and the collections that ran in it ("gen2 blocking (small allocation)").
/// </summary>
public sealed record GcPause(double Ms, double SuspendingMs, string Collections)
{
    /// <summary>What the pause was: "gen2 background (small allocation); 2.1 ms of it suspending the threads".</summary>
    public string Explained => $"{Collections}; {SuspendingMs:0.0} ms of it suspending the threads";
}
