namespace OkvActors.KeyStore.Audit;

/// <summary>
/// One audited operation: who asked, what, on which object, and how it ended. Never key material: the
/// detail names wallets, endpoints or reasons only. The node and the time are stamped by the trail.
/// </summary>
public sealed record AuditEvent(string Who, string Operation, string? ObjectUid, string Result, string? Detail = null);

/// <summary>Where a node's operations are recorded (the node's hash-chained audit log).</summary>
public interface IAuditTrail
{
    /// <summary>Completes once the event is durably recorded.</summary>
    Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);
}

/// <summary>For hosts and tests that keep no audit log.</summary>
public sealed class NoAuditTrail : IAuditTrail
{
    public static readonly NoAuditTrail Instance = new();

    public Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
