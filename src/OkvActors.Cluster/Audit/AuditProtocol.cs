namespace OkvActors.Cluster.Audit;

/// <summary>
/// Asks the node's <see cref="AuditLogActor"/> to record one operation. The log stamps sequence, time,
/// node and hashes; the caller says who (a certificate identity, <c>operator:local</c>), the operation
/// (<c>Create</c>, <c>Get</c>, <c>Destroy</c>, <c>Encrypt</c>, <c>node-remove</c>…), the object if any, the
/// result (<see cref="AuditEntry.Success"/> or a failure code) and a short detail that never holds key
/// material. Answered by <see cref="AuditRecorded"/> once on disk, or <see cref="AuditRecordRejected"/>;
/// fire-and-forget callers may ignore the answer.
/// </summary>
public sealed record RecordAudit(string Who, string Operation, string? ObjectUid, string Result, string? Detail = null);

/// <summary>The entry is in the journal under <paramref name="Sequence"/> with <paramref name="Hash"/>.</summary>
public sealed record AuditRecorded(long Sequence, string Hash);

/// <summary>The request was not recorded (a required field was blank); nothing was written.</summary>
public sealed record AuditRecordRejected(RecordAudit Request, string Reason);

/// <summary>
/// Reads up to <paramref name="Max"/> entries (capped by <c>okv.audit.page-size</c>) from sequence
/// <paramref name="FromSequence"/> on, straight from the journal. Answered by <see cref="AuditRead"/> or
/// <see cref="AuditReadFailed"/>.
/// </summary>
public sealed record ReadAudit(long FromSequence, int Max);

/// <summary>
/// Entries in sequence order; an empty page means there is nothing from the requested sequence on.
/// <paramref name="NextSequence"/> is where the next page starts.
/// </summary>
public sealed record AuditRead(IReadOnlyList<AuditEntry> Entries, long NextSequence);

public sealed record AuditReadFailed(string Reason);

/// <summary>Asks for the end of the chain (the last sequence and its hash), answered by <see cref="AuditHead"/>: where "recent entries" start.</summary>
public sealed record GetAuditHead
{
    public static readonly GetAuditHead Instance = new();
}

/// <summary>
/// Verifies the whole journal, page by page, against the chain and the head this node holds. Answered by
/// an <see cref="IAuditVerification"/>: <see cref="AuditChainValid"/> or <see cref="AuditChainBroken"/>.
/// </summary>
public sealed record VerifyAudit
{
    public static readonly VerifyAudit Instance = new();
}
