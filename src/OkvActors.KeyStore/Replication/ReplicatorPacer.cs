using System.Reflection;
using Akka.Actor;
using Akka.DistributedData;
using OkvActors.KeyStore.Vault;

namespace OkvActors.KeyStore.Replication;

/// <summary>
/// Sends this node's Distributed Data replicator the ticks it would otherwise schedule for itself, so that its delta
/// rounds run while this node is writing and its gossip runs fast while replicas may differ, and both rarely when the
/// cluster is idle and converged.
/// <para>
/// Akka.NET 1.5.73's replicator runs a delta round every fifth of its gossip interval, and every round walks every key
/// that ever had a delta, for every peer, and every fifth round rebuilds that map. A gossip round sends ten digest
/// chunks, and each chunk, sent or received, walks every key again. With 4,096 key shards that was most of an idle
/// node's CPU (tests/OkvActors.Benchmarks/RESULTS.md, "2026-12-01: idle CPU").
/// </para>
/// <list type="bullet">
/// <item>A delta round only has work after a change of this node that carries a delta (changes made elsewhere arrive as
/// deltas or gossip and are not sent on; object writes travel in the vault's own batches and leave only the
/// replicator's placeholders). Rounds run every <see cref="PacingSettings.DeltaInterval"/> for
/// <see cref="PacingSettings.ActiveWindow"/> after the vault's last access change, every
/// <see cref="PacingSettings.WritingDeltaInterval"/> for that window after its last object write (each round walks the
/// placeholders not yet cleared, and every fifth clears them: rare rounds walked up to 50 s of writes at once, a stall
/// every write behind it waited out), and every <see cref="PacingSettings.IdleDeltaInterval"/> otherwise, which also
/// carries a change nobody reported.</item>
/// <item>Gossip repairs what deltas and writes missed. Replicas can only differ after a member joined, left or changed
/// reachability, or after a write missed a member: the vault reports those. Gossip then runs every
/// <see cref="PacingSettings.GossipInterval"/> for <see cref="PacingSettings.CatchUpWindow"/> (enough rounds to compare
/// every shard catch-up-passes times), and every <see cref="PacingSettings.IdleGossipInterval"/> otherwise. A starting node
/// catches up. The replicator's clock tick, which times removed-node pruning, comes with each gossip round.</item>
/// </list>
/// <para>
/// The ticks are the replicator's own internal messages, looked up once by name (the version is pinned in
/// Directory.Packages.props; a missing one fails the node's start, not its replication). The replicator takes them
/// from any sender, on its own thread: nothing of its state is touched from outside.
/// </para>
/// </summary>
public sealed class ReplicatorPacer : ReceiveActor, IWithTimers
{
    private static readonly object GossipTick = ReplicatorTick("GossipTick");
    private static readonly object ClockTick = ReplicatorTick("ClockTick");
    private static readonly object DeltaPropagationTick = ReplicatorTick("DeltaPropagationTick");

    private readonly IActorRef _replicator;
    private readonly PacingSettings _settings;
    private Cadence _deltaRounds = null!;
    private Cadence _gossipRounds = null!;

    public ReplicatorPacer(IActorRef replicator, PacingSettings settings)
    {
        _replicator = replicator;
        _settings = settings;
        Receive<ChangesMade>(_ => _deltaRounds.Hurry(_settings.DeltaInterval));
        Receive<ObjectsWritten>(_ => _deltaRounds.Hurry(_settings.WritingDeltaInterval));
        Receive<ReplicasMayDiffer>(_ => _gossipRounds.Hurry(_settings.GossipInterval));
        Receive<DeltaDue>(_ =>
        {
            _replicator.Tell(DeltaPropagationTick);
            _deltaRounds.Ticked();
        });
        Receive<GossipDue>(_ =>
        {
            _replicator.Tell(GossipTick);
            _replicator.Tell(ClockTick);
            _gossipRounds.Ticked();
        });
        Receive<GetReplicationPacing>(_ =>
            Sender.Tell(new ReplicationPacing(true, DeltaRate, _gossipRounds.Fast, _deltaRounds.Rounds, _gossipRounds.Rounds)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private DeltaRoundRate DeltaRate =>
        !_deltaRounds.Fast ? DeltaRoundRate.Idle
        : _deltaRounds.Interval == _settings.DeltaInterval ? DeltaRoundRate.Active
        : DeltaRoundRate.Writing;

    public static Props Props(IActorRef replicator, PacingSettings settings) => Akka.Actor.Props.Create(() => new ReplicatorPacer(replicator, settings));

    protected override void PreStart()
    {
        _deltaRounds = new Cadence(Timers, DeltaDue.Instance, _settings.IdleDeltaInterval, _settings.ActiveWindow);
        _gossipRounds = new Cadence(Timers, GossipDue.Instance, _settings.IdleGossipInterval, _settings.CatchUpWindow);
        _deltaRounds.Slow();
        _gossipRounds.Hurry(_settings.GossipInterval); // A starting node catches up.
    }

    private static object ReplicatorTick(string name)
    {
        var type = typeof(DistributedData).Assembly.GetType("Akka.DistributedData.Internal." + name)
            ?? throw new InvalidOperationException($"Akka.DistributedData has no {name}: okv.key-store.pacing needs the replicator's tick messages (Akka.NET 1.5.73)");
        const BindingFlags Static = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        return type.GetField("Instance", Static)?.GetValue(null) ?? type.GetProperty("Instance", Static)?.GetValue(null)
            ?? throw new InvalidOperationException($"Akka.DistributedData's {name} has no Instance: okv.key-store.pacing cannot send it");
    }

    /// <summary>This node changed replicated data: delta rounds run at the active rate for the active window.</summary>
    public sealed record ChangesMade
    {
        public static readonly ChangesMade Instance = new();
    }

    /// <summary>This node wrote objects (its own or its peers'): delta rounds run at the writing rate for the active window.</summary>
    public sealed record ObjectsWritten
    {
        public static readonly ObjectsWritten Instance = new();
    }

    /// <summary>Replicas may differ (a member came, went or changed reachability, or a write missed one): gossip catches up.</summary>
    public sealed record ReplicasMayDiffer
    {
        public static readonly ReplicasMayDiffer Instance = new();
    }

    /// <summary>
    /// A periodic tick at the fastest rate asked for within a window of being asked (<see cref="Hurry"/>), at a slow
    /// rate otherwise. Each rate asked for has its own window, so a rare fast one does not outlast its window.
    /// </summary>
    private sealed class Cadence(ITimerScheduler timers, object tick, TimeSpan slow, TimeSpan window)
    {
        private readonly Dictionary<TimeSpan, long> _hurriedUntil = [];
        /// <summary>The interval it ticks at now.</summary>
        public TimeSpan Interval { get; private set; }

        /// <summary>Whether it ticks faster than the slow rate now.</summary>
        public bool Fast => Interval != slow;

        public long Rounds { get; private set; }

        public void Hurry(TimeSpan interval)
        {
            _hurriedUntil[interval] = Environment.TickCount64 + (long)window.TotalMilliseconds;
            Pace();
        }

        public void Slow()
        {
            _hurriedUntil.Clear();
            Pace();
        }

        public void Ticked()
        {
            Rounds++;
            Pace();
        }

        /// <summary>Ticks at the fastest rate still within its window, or the slow one; a timer is restarted only on a change.</summary>
        private void Pace()
        {
            var now = Environment.TickCount64;
            var interval = slow;
            foreach (var (hurried, until) in _hurriedUntil)
            {
                if (now < until && hurried < interval)
                {
                    interval = hurried;
                }
            }

            if (interval != Interval || !timers.IsTimerActive(tick))
            {
                Interval = interval;
                timers.StartPeriodicTimer(tick, tick, interval);
            }
        }
    }

    private sealed record DeltaDue
    {
        public static readonly DeltaDue Instance = new();
    }

    private sealed record GossipDue
    {
        public static readonly GossipDue Instance = new();
    }

    /// <summary>
    /// Tells the pacer what a writer saw, each kind at most once a second (or a quarter of its window if shorter): a
    /// writer calls it for every change and every doubt, and the pacer still hears in time to keep its rates up.
    /// </summary>
    public sealed class Notifier(IActorRef pacer, PacingSettings settings)
    {
        private long _nextChange;
        private long _nextWrite;

        /// <summary>The pacer itself, for questions about its state.</summary>
        public IActorRef Pacer => pacer;
        private long _nextDoubt;

        public void ChangeMade() => Tell(ChangesMade.Instance, ref _nextChange, settings.ActiveWindow);

        public void ObjectsWritten() => Tell(ReplicatorPacer.ObjectsWritten.Instance, ref _nextWrite, settings.ActiveWindow);

        public void ReplicasMayDiffer() => Tell(ReplicatorPacer.ReplicasMayDiffer.Instance, ref _nextDoubt, settings.CatchUpWindow);

        private void Tell(object message, ref long next, TimeSpan window)
        {
            var now = Environment.TickCount64;
            if (now < next)
            {
                return;
            }

            next = now + Math.Min(1000, (long)window.TotalMilliseconds / 4);
            pacer.Tell(message);
        }
    }
}
