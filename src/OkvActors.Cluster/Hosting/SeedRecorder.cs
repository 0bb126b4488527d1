using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Storage;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Hosting;

/// <summary>
/// Keeps this node's seed list (node.json) in join order: members are appended when they come Up and
/// dropped only when the controller removes them (or they withdraw a failed join), never because they left for a restart. Every node
/// therefore lists the same oldest surviving member first, and only that member may form the cluster
/// alone after a whole-cluster restart (see <see cref="NodeConfig.SeedsFor"/>); a graceful stop of all
/// nodes never leaves two nodes each waiting for the other.
/// </summary>
public sealed class SeedRecorder : ReceiveActor
{
    private readonly AkkaCluster _cluster = AkkaCluster.Get(Context.System);
    private readonly NodeDirectory _directory;

    public SeedRecorder(NodeDirectory directory)
    {
        _directory = directory;
        Receive<ClusterEvent.MemberUp>(up => Update(seeds => seeds.Contains(up.Member.Address.ToString())
            ? seeds
            : [.. seeds, up.Member.Address.ToString()]));
        Receive<Changed>(c => c.Key.Equals(ControllerRegistry.Key), changed =>
        {
            var gone = ((ControllerRegistry)changed.Data).State.Nodes.Where(n => n.HoldsNoSeat && n.Address is not null)
                .Select(n => n.Address!).ToHashSet();
            Update(seeds => seeds.Where(s => !gone.Contains(s)).ToArray());
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    public static Props Props(NodeDirectory directory) => Akka.Actor.Props.Create(() => new SeedRecorder(directory));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
        DistributedData.Get(Context.System).Replicator.Tell(new Subscribe(ControllerRegistry.Key, Self));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Update(Func<IReadOnlyList<string>, IReadOnlyList<string>> change)
    {
        _directory.UpdateManifest(manifest =>
        {
            var current = manifest.Seeds ?? (manifest.Founder ? [manifest.RemotingAddress(manifest.Cluster!)] : []);
            var next = change(current);
            return next.SequenceEqual(current) ? manifest : manifest with { Seeds = next };
        });
    }
}
