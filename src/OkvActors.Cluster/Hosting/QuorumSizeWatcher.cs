using Akka.Actor;
using Akka.DistributedData;
using OkvActors.Cluster.Controller;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Hosting;

/// <summary>
/// Tells the key vault how many nodes the cluster is meant to have (the registry's active nodes), so a
/// node that has just started, or sees only part of the cluster, does not take itself for a majority.
/// </summary>
public sealed class QuorumSizeWatcher : ReceiveActor
{
    public QuorumSizeWatcher(IActorRef vault)
    {
        Receive<Changed>(c => c.Key.Equals(ControllerRegistry.Key), changed =>
            vault.Tell(new ExpectedMembers(((ControllerRegistry)changed.Data).State.Nodes.Count(n => n.State == NodeState.Active))));
    }

    public static Props Props(IActorRef vault) => Akka.Actor.Props.Create(() => new QuorumSizeWatcher(vault));

    protected override void PreStart() =>
        DistributedData.Get(Context.System).Replicator.Tell(new Subscribe(ControllerRegistry.Key, Self));
}
