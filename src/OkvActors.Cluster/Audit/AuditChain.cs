using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OkvActors.Cluster.Audit;

/// <summary>
/// The hash chain of an audit log: Hash = SHA-256(previous hash bytes || canonical bytes of the entry),
/// lowercase hex, the first entry linking to <see cref="GenesisHash"/>. Editing, removing or reordering
/// any entry changes a hash that a later entry (or the node's recorded head) commits to.
/// </summary>
public static class AuditChain
{
    /// <summary>The previous hash of the first entry: 32 zero bytes.</summary>
    public static readonly string GenesisHash = new('0', 64);

    // Versions the encoding, and keeps these hashes from colliding with hashes of anything else.
    private static readonly byte[] Domain = "okv-audit/1"u8.ToArray();

    /// <summary>
    /// The entry's fields (all but the two hashes) in a fixed order: a domain tag, sequence and time as
    /// big-endian 64-bit integers (time in UTC ticks), then each string as a big-endian 32-bit byte length
    /// and its UTF-8 bytes, -1 for null. Unlike JSON there is one encoding per entry and no field can
    /// bleed into the next.
    /// </summary>
    public static byte[] CanonicalBytes(AuditEntry entry)
    {
        using var buffer = new MemoryStream(128);
        WriteBytes(buffer, Domain);
        WriteInt64(buffer, entry.Sequence);
        WriteInt64(buffer, entry.Time.UtcTicks);
        WriteString(buffer, entry.Node);
        WriteString(buffer, entry.Who);
        WriteString(buffer, entry.Operation);
        WriteString(buffer, entry.ObjectUid);
        WriteString(buffer, entry.Result);
        WriteString(buffer, entry.Detail);
        return buffer.ToArray();
    }

    /// <summary>The hash <paramref name="entry"/> must carry, given the hash it links to.</summary>
    public static string ComputeHash(string previousHash, AuditEntry entry)
    {
        var canonical = CanonicalBytes(entry);
        if (previousHash.Length != 64)
        {
            throw new FormatException("a previous hash is 64 hex digits");
        }

        var input = new byte[32 + canonical.Length];
        Convert.FromHexString(previousHash).CopyTo(input, 0);
        canonical.CopyTo(input, 32);
        return Convert.ToHexStringLower(SHA256.HashData(input));
    }

    /// <summary>The entry that follows <paramref name="head"/>: next sequence number, linked and hashed.</summary>
    public static AuditEntry Next(
        AuditHead head, DateTimeOffset time, string node, string who, string operation, string? objectUid, string result, string? detail)
    {
        var unsealed = new AuditEntry(head.Sequence + 1, time.ToUniversalTime(), node, who, operation, objectUid, result, detail, head.Hash, "");
        return unsealed with { Hash = ComputeHash(head.Hash, unsealed) };
    }

    /// <summary>Verifies a whole chain from its first entry (sequence 1).</summary>
    public static IAuditVerification Verify(IEnumerable<AuditEntry> entries) => Verify(entries, null);

    /// <summary>
    /// Verifies a whole chain and that it reaches <paramref name="expectedHead"/>, the last entry its writer
    /// knows it wrote: a chain alone can't show that entries were cut off its end.
    /// </summary>
    public static IAuditVerification Verify(IEnumerable<AuditEntry> entries, AuditHead? expectedHead)
    {
        var verifier = new AuditChainVerifier(expectedHead);
        foreach (var entry in entries)
        {
            if (!verifier.Accept(entry))
            {
                break;
            }
        }

        return verifier.Complete();
    }

    private static void WriteInt64(Stream buffer, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        buffer.Write(bytes);
    }

    private static void WriteBytes(Stream buffer, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
        buffer.Write(length);
        buffer.Write(value);
    }

    private static void WriteString(Stream buffer, string? value)
    {
        if (value is null)
        {
            Span<byte> none = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(none, -1);
            buffer.Write(none);
            return;
        }

        WriteBytes(buffer, Encoding.UTF8.GetBytes(value));
    }
}

/// <summary>
/// Verifies a chain one entry at a time, so a log far larger than memory can be checked page by page.
/// Feed entries in journal order to <see cref="Accept"/>, then read <see cref="Complete"/>. A log restored from a
/// backup starts at an anchor (the archived chain head, see <see cref="AuditAnchor"/>) instead of the genesis hash.
/// </summary>
public sealed class AuditChainVerifier(AuditHead? expectedHead = null, AuditHead? start = null)
{
    private AuditHead _head = start ?? AuditHead.Genesis;
    private long _entries;

    /// <summary>The last entry verified so far.</summary>
    public AuditHead Head => _head;

    /// <summary>The first break found, if any; once set, further entries are ignored.</summary>
    public AuditChainBroken? Broken { get; private set; }

    /// <summary>Checks the next entry; false once the chain is broken.</summary>
    public bool Accept(AuditEntry entry)
    {
        if (Broken is not null)
        {
            return false;
        }

        var expected = _head.Sequence + 1;
        if (entry.Sequence != expected)
        {
            return Break(expected, AuditBreak.SequenceGap, entry.Sequence > expected
                ? $"entry {expected} is missing: the next entry is {entry.Sequence}"
                : $"entry {entry.Sequence} comes again after entry {_head.Sequence}");
        }

        if (!string.Equals(entry.PreviousHash, _head.Hash, StringComparison.Ordinal))
        {
            return Break(expected, AuditBreak.PreviousHashMismatch,
                $"entry {expected} links to {entry.PreviousHash}, but entry {_head.Sequence} hashes to {_head.Hash}");
        }

        if (!string.Equals(AuditChain.ComputeHash(_head.Hash, entry), entry.Hash, StringComparison.Ordinal))
        {
            return Break(expected, AuditBreak.HashMismatch, $"entry {expected} does not hash to the hash it carries: it was changed");
        }

        if (expectedHead is not null && expectedHead.Sequence == expected && !string.Equals(expectedHead.Hash, entry.Hash, StringComparison.Ordinal))
        {
            return Break(expected, AuditBreak.HashMismatch, $"entry {expected} is not the entry this node recorded at that sequence");
        }

        _head = new AuditHead(entry.Sequence, entry.Hash);
        _entries++;
        return true;
    }

    /// <summary>Records that the entry after <see cref="Head"/> could not be read.</summary>
    public void Unreadable(string reason)
    {
        if (Broken is null)
        {
            Break(_head.Sequence + 1, AuditBreak.Unreadable, $"the entry after {_head.Sequence} could not be read: {reason}");
        }
    }

    /// <summary>The verdict over everything accepted; call once the last entry has been fed.</summary>
    public IAuditVerification Complete()
    {
        if (Broken is not null)
        {
            return Broken;
        }

        if (expectedHead is not null && _head.Sequence < expectedHead.Sequence)
        {
            return new AuditChainBroken(_head.Sequence + 1, AuditBreak.Truncated,
                $"the log ends at entry {_head.Sequence}, but this node recorded entries up to {expectedHead.Sequence}");
        }

        return new AuditChainValid(_entries, _head);
    }

    private bool Break(long sequence, AuditBreak kind, string reason)
    {
        Broken = new AuditChainBroken(sequence, kind, reason);
        return false;
    }
}
