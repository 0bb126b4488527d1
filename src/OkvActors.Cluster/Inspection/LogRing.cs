using Akka.Actor;
using Akka.Event;

namespace OkvActors.Cluster.Inspection;

/// <summary>One log line as `log peek` shows it.</summary>
public sealed record LogLine(DateTime Timestamp, string Level, string Source, string Message);

/// <summary>
/// The node's most recent log lines, in memory, for `log peek`: an operator sees what a node is saying
/// without a shell on its machine. Fed by an actor subscribed to the event stream (so it sees exactly
/// what the node's loggers see); bounded, the oldest line dropped first.
/// </summary>
public sealed class LogRing
{
    private readonly Queue<LogLine> _lines;
    private readonly int _capacity;
    private readonly Lock _gate = new();

    public LogRing(int capacity)
    {
        _capacity = capacity;
        _lines = new Queue<LogLine>(capacity);
    }

    /// <summary>Starts feeding a new ring of <paramref name="capacity"/> lines from <paramref name="system"/>'s event stream.</summary>
    public static LogRing Start(ActorSystem system, int capacity)
    {
        var ring = new LogRing(capacity);
        var feeder = system.ActorOf(Props.Create(() => new Feeder(ring)), "okv-log-ring");
        system.EventStream.Subscribe(feeder, typeof(LogEvent));
        return ring;
    }

    public void Add(LogLine line)
    {
        lock (_gate)
        {
            if (_lines.Count == _capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }
    }

    /// <summary>The last <paramref name="count"/> lines at <paramref name="minimum"/> or above, oldest first.</summary>
    public IReadOnlyList<LogLine> Recent(int count, LogLevel minimum = LogLevel.DebugLevel)
    {
        lock (_gate)
        {
            var matching = _lines.Where(l => Rank(l.Level) >= minimum).ToArray();
            return matching[Math.Max(0, matching.Length - count)..];
        }
    }

    public static string Name(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => "DEBUG",
        LogLevel.InfoLevel => "INFO",
        LogLevel.WarningLevel => "WARNING",
        _ => "ERROR",
    };

    public static LogLevel Rank(string level) => level.ToUpperInvariant() switch
    {
        "DEBUG" => LogLevel.DebugLevel,
        "INFO" => LogLevel.InfoLevel,
        "WARNING" or "WARN" => LogLevel.WarningLevel,
        "ERROR" => LogLevel.ErrorLevel,
        _ => throw new ArgumentException($"unknown log level '{level}' (debug, info, warning or error)"),
    };

    private sealed class Feeder : ReceiveActor
    {
        public Feeder(LogRing ring) =>
            Receive<LogEvent>(e => ring.Add(new LogLine(e.Timestamp, Name(e.LogLevel()), e.LogSource, e.Message?.ToString() ?? "")));
    }
}
