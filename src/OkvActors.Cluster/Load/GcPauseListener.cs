using System.Diagnostics.Tracing;

namespace OkvActors.Cluster.Load;

/// <summary>
/// This process's stop-the-world pauses while it is alive, as the runtime reports them (execution engine suspended,
/// then restarted). The total the runtime keeps (<see cref="GC.GetTotalPauseDuration"/>) cannot tell one 300 ms
/// blocking collection from a hundred 3 ms ones; a latency target can, so a load run records each pause.
/// </summary>
public sealed class GcPauseListener : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int SuspendExecutionEngineBegin = 9;
    private const int RestartExecutionEngineEnd = 3;

    // Initialised before the base constructor runs, which may already call OnEventSourceCreated.
    private readonly Lock _gate = new();
    private readonly List<double> _pausesMs = [];
    private DateTime? _suspendedAt;

    /// <summary>Every pause recorded so far, in milliseconds, in the order they ended.</summary>
    public IReadOnlyList<double> PausesMs
    {
        get
        {
            lock (_gate)
            {
                return _pausesMs.ToArray();
            }
        }
    }

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
                    break;
                case RestartExecutionEngineEnd when _suspendedAt is { } at:
                    _pausesMs.Add((e.TimeStamp - at).TotalMilliseconds);
                    _suspendedAt = null;
                    break;
            }
        }
    }
}
