using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Serialization;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Downing;

/// <summary>Asked of a node the registry lists as active but this node's cluster does not hold: which members are Up where you are?</summary>
public sealed record MembershipQuery : IOkvMessage
{
    public static readonly MembershipQuery Instance = new();
}

/// <summary>
/// The answer: the answering node's Up members as "address#uid" (an incarnation, so a restarted node's new
/// incarnation is told apart from its old one).
/// </summary>
public sealed record MembershipView(string Node, IReadOnlyList<string> UpMembers) : IOkvMessage
{
    public static string Incarnation(UniqueAddress member) => $"{member.Address}#{member.Uid}";
}

/// <summary>
/// Whether this node is an island: a cluster of its own, without a write quorum, beside the cluster that holds one.
/// </summary>
public static class IslandRule
{
    /// <summary>
    /// Why this node must leave and join again, or null. An island is a cluster formed apart from the running one (a
    /// first seed restarted while cut off from its peers forms one after okv.cluster.form-alone-after) and Akka never
    /// merges two clusters: left alone it stays read-only for good. It is one only when its own Up members are short of
    /// a majority of the registry's active nodes, the answering node's are not, and the two share no incarnation
    /// (a minority side of the same cluster shares them, and is ended by the majority's downing instead).
    /// </summary>
    public static string? MustRejoin(IReadOnlyCollection<string> ourMembers, int ourUp, int activeNodes, MembershipView answer)
    {
        if (HoldsQuorum(ourUp, activeNodes) || !HoldsQuorum(answer.UpMembers.Count, activeNodes) || answer.UpMembers.Any(ourMembers.Contains))
        {
            return null;
        }

        return $"{answer.Node} is in a cluster of {answer.UpMembers.Count} Up members ({string.Join(", ", answer.UpMembers)}), "
            + $"a majority of the registry's {activeNodes} active nodes, and this node is not among them: it formed a cluster of {ourUp} apart from it";
    }

    /// <summary>A cluster with this many Up members holds a majority of the registry's active nodes.</summary>
    public static bool HoldsQuorum(int up, int activeNodes) => up > activeNodes / 2;
}

/// <summary>
/// Finds out whether this node is an island (<see cref="IslandRule"/>) by asking the registry's active nodes its own
/// cluster does not hold, every okv.downing.island-check-interval while its cluster lacks a write quorum; an island
/// stops its node, whose service manager starts it again, and the restarted node joins the running members. Every
/// node also answers these questions.
/// </summary>
public sealed class IslandWatcher : ReceiveActor, IWithTimers
{
    public const string Name = "okv-island-watcher";

    private sealed record Check
    {
        public static readonly Check Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AkkaCluster _cluster = AkkaCluster.Get(Context.System);
    private IReadOnlyList<string> _activeAddresses = [];
    private bool _stopping;

    public IslandWatcher(TimeSpan interval)
    {
        Timers.StartPeriodicTimer(Check.Instance, Check.Instance, interval);
        Receive<Changed>(c => c.Key.Equals(ControllerRegistry.Key), changed =>
            _activeAddresses = ((ControllerRegistry)changed.Data).State.Nodes
                .Where(n => n.State == NodeState.Active && n.Address is not null)
                .Select(n => n.Address!)
                .ToArray());
        Receive<MembershipQuery>(_ => Sender.Tell(new MembershipView(_cluster.SelfAddress.ToString(), UpMembers().ToArray())));
        Receive<Check>(_ => AskTheOthers());
        Receive<MembershipView>(Judge);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan interval) => Akka.Actor.Props.Create(() => new IslandWatcher(interval));

    protected override void PreStart() =>
        DistributedData.Get(Context.System).Replicator.Tell(new Subscribe(ControllerRegistry.Key, Self));

    private IEnumerable<string> UpMembers() =>
        _cluster.State.Members.Where(m => m.Status == MemberStatus.Up).Select(m => MembershipView.Incarnation(m.UniqueAddress));

    private void AskTheOthers()
    {
        if (_stopping || _cluster.SelfMember.Status != MemberStatus.Up || _activeAddresses.Count == 0
            || IslandRule.HoldsQuorum(UpMembers().Count(), _activeAddresses.Count))
        {
            return;
        }

        var ours = _cluster.State.Members.Select(m => m.Address.ToString()).ToHashSet();
        foreach (var address in _activeAddresses.Where(a => !ours.Contains(a)))
        {
            Context.ActorSelection($"{address}/user/{Name}").Tell(MembershipQuery.Instance);
        }
    }

    private void Judge(MembershipView answer)
    {
        var ours = _cluster.State.Members.Select(m => MembershipView.Incarnation(m.UniqueAddress)).ToHashSet();
        if (_stopping || IslandRule.MustRejoin(ours, UpMembers().Count(), _activeAddresses.Count, answer) is not { } why)
        {
            return;
        }

        _stopping = true;
        _log.Error("This node is an island: {0}. It stops so that, started again, it joins the running members", why);
        CoordinatedShutdown.Get(Context.System).Run(IslandReason.Instance);
    }

    /// <summary>Why the node stopped, for CoordinatedShutdown; `okv run` exits with its code.</summary>
    public sealed class IslandReason : CoordinatedShutdown.Reason
    {
        public static readonly IslandReason Instance = new();

        /// <summary>EX_TEMPFAIL: a service manager restarting on failure starts the node again, and it then joins.</summary>
        public override int ExitCode => 75;
    }
}
