using Akka.Actor;
using Akka.Cluster;
using OkvActors.Cluster.Storage;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Hosting;

/// <summary>
/// Records the current members, oldest first, as this node's seeds in node.json, so a restarted node
/// finds the cluster as it is now rather than as it was when the node joined.
/// </summary>
public sealed class SeedRecorder : ReceiveActor
{
    private readonly AkkaCluster _cluster = AkkaCluster.Get(Context.System);

    public SeedRecorder(NodeDirectory directory)
    {
        Receive<ClusterEvent.IMemberEvent>(_ =>
        {
            var seeds = _cluster.State.Members
                .Where(m => m.Status == MemberStatus.Up)
                .OrderBy(m => m, Member.AgeOrdering)
                .Select(m => m.Address.ToString())
                .ToArray();
            var manifest = directory.ReadManifest();
            if (seeds.Length > 0 && !seeds.SequenceEqual(manifest.Seeds ?? []))
            {
                directory.WriteManifest(manifest with { Seeds = seeds });
            }
        });
    }

    public static Props Props(NodeDirectory directory) => Akka.Actor.Props.Create(() => new SeedRecorder(directory));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
