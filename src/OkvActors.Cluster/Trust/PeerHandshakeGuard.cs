using System.Reflection;
using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Util;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Trust;

/// <summary>
/// Keeps a member running when one outbound TLS handshake to a peer fails.
/// <para>
/// Akka.NET's DotNetty transport runs CoordinatedShutdown (exit code 79) whenever a handshake this node opened
/// fails, on the theory that the node itself is misconfigured. In a cluster of members that already trust each
/// other, the usual causes are the peer's: it was killed or paused mid-handshake ("Channel is closed"), or it is
/// disabled or revoked and refused. Shutting down then turns one peer's trouble into a second lost node (chaos
/// runs saw exactly that), and with <c>use-passive-connections = off</c> a single disabled peer took the controller
/// down. The peer's side is dealt with where it belongs: the failure detector, quorum downing and restricted mode.
/// </para>
/// <para>
/// So the guard runs first in CoordinatedShutdown (phase <see cref="Phase"/>, recover off): for a handshake failure
/// on a node that is Up, it fails its task, which stops the run before any phase acts, and re-arms
/// CoordinatedShutdown for a later, real shutdown (leaving, downing, SIGTERM). A node that is not yet a member
/// keeps Akka's behaviour: its own certificate is then the likely fault, and it exits at once. A member whose own
/// trust is really broken cannot reach anyone: it is downed by the majority, or finds itself a minority, and
/// exits that way.
/// </para>
/// <para>
/// Akka.NET offers no setting for this and keeps both the reason type and the run state internal, so they are
/// reached by name here, in one place, checked at start: an Akka upgrade that renames them fails the node at
/// start instead of silently restoring the exit.
/// </para>
/// </summary>
public static class PeerHandshakeGuard
{
    /// <summary>The CoordinatedShutdown phase the guard runs in; reference.conf puts it before every other phase.</summary>
    public const string Phase = "okv-peer-handshake-guard";

    private const string HandshakeFailureReason = "Akka.Remote.Transport.DotNetty.TlsHandshakeFailureReason";

    private static readonly FieldInfo RunStarted = Field("_runStarted");
    private static readonly FieldInfo RunPromise = Field("_runPromise");
    private static readonly FieldInfo OrderedPhases = Field("OrderedPhases");

    private static FieldInfo Field(string name) =>
        typeof(CoordinatedShutdown).GetField(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingFieldException(typeof(CoordinatedShutdown).FullName, name);

    /// <summary>Thrown into the aborted run, so whoever awaits it sees why nothing shut down.</summary>
    public sealed class ShutdownDeclined(string reason)
        : Exception($"kept running after an outbound TLS handshake failure ({reason}); the peer is left to the failure detector");

    public static void Install(ActorSystem system)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        if (((IReadOnlyList<string>)OrderedPhases.GetValue(shutdown)!)[0] != Phase)
        {
            throw new InvalidOperationException(
                $"CoordinatedShutdown phase '{Phase}' must run first (akka.coordinated-shutdown.phases in OkvActors.Cluster's reference.conf)");
        }

        var log = Logging.GetLogger(system, typeof(PeerHandshakeGuard));
        shutdown.AddTask(Phase, "keep-member-on-peer-handshake-failure", () =>
        {
            var reason = shutdown.ShutdownReason;
            if (reason?.GetType().FullName != HandshakeFailureReason || !IsMember(system))
            {
                return Task.FromResult(Done.Instance);
            }

            log.Warning("Not shutting down: {0}. This node is a member; the peer is left to the failure detector and downing", reason);
            var aborted = (TaskCompletionSource<Done>)RunPromise.GetValue(shutdown)!;
            // The aborted run settles its promise after this task fails; only then may a new run start.
            aborted.Task.ContinueWith(_ => Rearm(shutdown, reason), TaskContinuationOptions.ExecuteSynchronously);
            return Task.FromException<Done>(new ShutdownDeclined(reason.ToString() ?? HandshakeFailureReason));
        });
    }

    private static bool IsMember(ActorSystem system) =>
        AkkaCluster.Get(system).SelfMember.Status is MemberStatus.Up or MemberStatus.WeaklyUp;

    private static void Rearm(CoordinatedShutdown shutdown, CoordinatedShutdown.Reason declined)
    {
        RunPromise.SetValue(shutdown, new TaskCompletionSource<Done>());
        ((AtomicReference<CoordinatedShutdown.Reason>)RunStarted.GetValue(shutdown)!).CompareAndSet(declined, null!);
    }
}
