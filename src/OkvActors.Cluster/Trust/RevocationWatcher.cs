using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Cluster.Controller;
using OkvActors.Pki.Trust;

namespace OkvActors.Cluster.Trust;

/// <summary>
/// Keeps this node's <see cref="RevocationList"/> in step with the replicated controller registry, so
/// the next TLS handshake of a revoked node is refused on every node, not only on the controller's.
/// </summary>
public sealed class RevocationWatcher : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public RevocationWatcher(RevocationList revocations)
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
        });
    }

    public static Props Props(RevocationList revocations) => Akka.Actor.Props.Create(() => new RevocationWatcher(revocations));

    protected override void PreStart() =>
        DistributedData.Get(Context.System).Replicator.Tell(new Subscribe(ControllerRegistry.Key, Self));
}
