using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Remote;
using OkvActors.KeyStore.Membership;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Downing;

/// <summary>
/// The downing actor of <see cref="QuorumDowningProvider"/>: once membership and the gossiped reachability table
/// have not changed for <c>stable-after</c> while some link is broken, it applies <see cref="QuorumDecision"/>.
/// Only the lowest voting member of the kept side issues the downs, so one voice speaks.
/// <para>
/// A minority that the majority downed while it was cut off never hears of it: after the heal the others
/// have quarantined its incarnation and drop its gossip, and it would stay up read-only for good (Akka.NET
/// acts on nobody's quarantine notice: akkadotnet/akka.net#8482). So when a member's remoting says it has
/// quarantined this node, this node downs itself; the process exits and its service manager restarts it as
/// a new incarnation that joins again.
/// </para>
/// </summary>
public sealed class QuorumDowning : ReceiveActor, IWithTimers
{
    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private readonly AkkaCluster _cluster = AkkaCluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<UniqueAddress, Member> _members = [];
    private IReadOnlyList<BrokenLink> _brokenLinks = [];
    private readonly TimeSpan _stableAfter;
    private DateTime _changedAt = DateTime.UtcNow;
    private DowningDecision? _announced;
    private bool _downedSelf;

    public QuorumDowning(TimeSpan stableAfter)
    {
        _stableAfter = stableAfter;
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e is ClusterEvent.MemberRemoved)
            {
                _members.Remove(e.Member.UniqueAddress);
            }
            else
            {
                _members[e.Member.UniqueAddress] = e.Member;
            }

            Changed();
        });
        Receive<object>(e => ReachabilityTable.ChangedEvent.IsInstanceOfType(e), e =>
        {
            _brokenLinks = ReachabilityTable.BrokenLinks(e);
            Changed();
        });
        Receive<Tick>(_ => DecideIfStable());
        Receive<ThisActorSystemQuarantinedEvent>(OnQuarantinedByOther);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan stableAfter) => Akka.Actor.Props.Create(() => new QuorumDowning(stableAfter));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), ReachabilityTable.ChangedEvent);
        Context.System.EventStream.Subscribe(Self, typeof(ThisActorSystemQuarantinedEvent));
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(_stableAfter.TotalMilliseconds / 4, 100, 1000));
        Timers.StartPeriodicTimer("decide", Tick.Instance, interval);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private void OnQuarantinedByOther(ThisActorSystemQuarantinedEvent e)
    {
        // Only a member's word counts: a stranger's quarantine says nothing about this cluster.
        if (_downedSelf || !_members.Keys.Any(m => m.Address.Equals(e.RemoteAddress)))
        {
            return;
        }

        _downedSelf = true;
        _log.Warning("Member {0} has quarantined this node (it was removed from the cluster, e.g. while cut off): downing myself so a restart can join again",
            e.RemoteAddress);
        _cluster.Down(_cluster.SelfAddress);
    }

    private void Changed()
    {
        _changedAt = DateTime.UtcNow;
        _announced = null;
    }

    private void DecideIfStable()
    {
        if (_brokenLinks.Count == 0 || DateTime.UtcNow - _changedAt < _stableAfter)
        {
            return;
        }

        var views = _members.Values.Select(m => new MemberView(m.Address, m.Status)).ToArray();
        var decision = QuorumDecision.Decide(_cluster.SelfAddress, views, _brokenLinks);
        switch (decision)
        {
            case DowningDecision.DownUnreachable down when SpeaksForItsSide(views, down):
                _log.Warning("Downing unreachable members [{0}]: this side reaches {1} of {2} members; broken links [{3}]",
                    string.Join(", ", down.Members), down.Reachable, down.Counted,
                    string.Join(", ", _brokenLinks.Select(l => $"{l.Observer} -/-> {l.Subject}")));
                foreach (var address in down.Members)
                {
                    _cluster.Down(address);
                }

                Changed();
                break;
            case DowningDecision.StayRestricted stay when _announced is null:
                _log.Warning(
                    "This side reaches {0} of {1} members, not a majority: downing nobody and staying up (read-only) until the others return",
                    stay.Reachable, stay.Counted);
                _announced = decision;
                break;
        }
    }

    private bool SpeaksForItsSide(IEnumerable<MemberView> views, DowningDecision.DownUnreachable down)
    {
        var speaker = views.Where(v => QuorumDecision.Counts(v.Status) && !down.Members.Contains(v.Address))
            .Select(v => v.Address)
            .Min(QuorumDecision.AddressOrder.Instance);
        return _cluster.SelfAddress.Equals(speaker);
    }
}
