namespace OkvActors.Cluster.Audit;

/// <summary>What a verification of an audit chain found: <see cref="AuditChainValid"/> or <see cref="AuditChainBroken"/>.</summary>
public interface IAuditVerification;

/// <summary>Every entry links to the one before and hashes to what it says; <paramref name="Head"/> is the last one.</summary>
public sealed record AuditChainValid(long Entries, AuditHead Head) : IAuditVerification;

/// <summary>
/// The first place the chain breaks: the sequence number where it stops being trustworthy, the kind of
/// break and a sentence for the operator. Entries before <paramref name="Sequence"/> were verified.
/// </summary>
public sealed record AuditChainBroken(long Sequence, AuditBreak Break, string Reason) : IAuditVerification;

public enum AuditBreak
{
    /// <summary>The entry's fields don't hash to its <see cref="AuditEntry.Hash"/>: it was edited.</summary>
    HashMismatch,

    /// <summary>The sequence number expected next is missing (deleted) or comes out of order.</summary>
    SequenceGap,

    /// <summary>The entry does not link to the hash of the entry before it: something before it was replaced.</summary>
    PreviousHashMismatch,

    /// <summary>The log ends before the last entry this node knows it wrote.</summary>
    Truncated,

    /// <summary>A stored entry could not be read back at all.</summary>
    Unreadable,
}
