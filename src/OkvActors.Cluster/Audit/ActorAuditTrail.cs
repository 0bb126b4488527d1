using Akka.Actor;
using Akka.Event;
using OkvActors.KeyStore.Audit;

namespace OkvActors.Cluster.Audit;

/// <summary>
/// The key store's <see cref="IAuditTrail"/> on this node's <see cref="AuditLogActor"/>: an operation's
/// reply waits until its entry is in the journal. If the log cannot record in time the operation still
/// stands (it has happened) and the failure is logged loudly, never silently dropped.
/// </summary>
public sealed class ActorAuditTrail(IActorRef auditLog, TimeSpan timeout, ILoggingAdapter log) : IAuditTrail
{
    public IActorRef Log => auditLog;

    public async Task RecordAsync(AuditEvent e, CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = await auditLog.Ask<object>(new RecordAudit(e.Who, e.Operation, e.ObjectUid, e.Result, e.Detail), timeout, cancellationToken);
            if (reply is AuditRecordRejected rejected)
            {
                log.Error("Audit entry rejected: {0} ({1} {2} by {3})", rejected.Reason, e.Operation, e.ObjectUid, e.Who);
            }
        }
        catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException)
        {
            log.Error("Audit entry not confirmed within {0}: {1} {2} by {3} -> {4}", timeout, e.Operation, e.ObjectUid, e.Who, e.Result);
        }
    }
}
