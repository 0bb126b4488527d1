using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Cluster.Controller;
using OkvActors.KeyStore.Vault;
using OkvActors.Pki.Trust;

namespace OkvActors.Cluster.Hosting;

/// <summary>
/// Applies each version of the replicated controller registry to this node: the revocation list the
/// TLS validator reads (so a revoked node is refused on every node's next handshake, not only the
/// controller's), and the cluster's intended size for the key vault's write quorum (so a node that has
/// just started, or sees part of the cluster, never takes itself for a majority).
/// </summary>
public sealed class RegistryWatcher : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public RegistryWatcher(RevocationList revocations, IActorRef vault)
    {
        Receive<Changed>(c => c.Key.Equals(ControllerRegistry.Key), changed =>
        {
            var state = ((ControllerRegistry)changed.Data).State;
            var before = revocations.Count;
            revocations.Replace(state.Revocations.Select(r => r.Fingerprint));
            if (revocations.Count != before)
            {
                _log.Info("Revocation list now holds {0} fingerprint(s) (registry v{1})", revocations.Count, state.Version);
            }

            vault.Tell(new ExpectedMembers(state.Nodes.Count(n => n.State == NodeState.Active)));
        });
    }

    public static Props Props(RevocationList revocations, IActorRef vault) =>
        Akka.Actor.Props.Create(() => new RegistryWatcher(revocations, vault));

    protected override void PreStart() =>
        DistributedData.Get(Context.System).Replicator.Tell(new Subscribe(ControllerRegistry.Key, Self));
}
