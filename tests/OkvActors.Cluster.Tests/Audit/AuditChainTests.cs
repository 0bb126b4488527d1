using OkvActors.Cluster.Audit;
using Xunit;

namespace OkvActors.Cluster.Tests.Audit;

public sealed class AuditChainTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 30, 15, TimeSpan.Zero);

    /// <summary>A chain of <paramref name="count"/> entries, one second apart, every third one a failure.</summary>
    internal static IReadOnlyList<AuditEntry> Chain(int count, string node = "node1")
    {
        var entries = new List<AuditEntry>();
        var head = AuditHead.Genesis;
        for (var i = 1; i <= count; i++)
        {
            var entry = AuditChain.Next(head, At.AddSeconds(i), node, "cn=endpoint1", i % 2 == 0 ? "Get" : "Create",
                $"uid-{i:D4}", i % 3 == 0 ? "item-not-found" : AuditEntry.Success, i % 3 == 0 ? "no such object" : null);
            entries.Add(entry);
            head = new AuditHead(entry.Sequence, entry.Hash);
        }

        return entries;
    }

    [Fact]
    public void The_first_entry_links_to_the_all_zero_genesis_hash_and_each_next_to_the_one_before()
    {
        var chain = Chain(3);

        Assert.Equal(new string('0', 64), chain[0].PreviousHash);
        Assert.Equal([1L, 2, 3], chain.Select(e => e.Sequence));
        Assert.Equal(chain[0].Hash, chain[1].PreviousHash);
        Assert.Equal(chain[1].Hash, chain[2].PreviousHash);
        Assert.All(chain, e => Assert.Matches("^[0-9a-f]{64}$", e.Hash));
    }

    [Fact]
    public void The_hash_is_sha256_of_the_previous_hash_bytes_then_the_canonical_bytes()
    {
        var entry = Chain(1)[0];

        var expected = System.Security.Cryptography.SHA256.HashData([.. new byte[32], .. AuditChain.CanonicalBytes(entry)]);

        Assert.Equal(Convert.ToHexStringLower(expected), entry.Hash);
    }

    [Fact]
    public void A_whole_chain_verifies_and_reports_its_head()
    {
        var chain = Chain(5);

        var valid = Assert.IsType<AuditChainValid>(AuditChain.Verify(chain));

        Assert.Equal(5, valid.Entries);
        Assert.Equal(new AuditHead(5, chain[4].Hash), valid.Head);
    }

    [Fact]
    public void An_empty_chain_is_valid_at_genesis()
    {
        var valid = Assert.IsType<AuditChainValid>(AuditChain.Verify([]));

        Assert.Equal(0, valid.Entries);
        Assert.Equal(AuditHead.Genesis, valid.Head);
    }

    [Fact]
    public void An_edited_field_breaks_the_chain_at_that_entry_with_a_hash_mismatch()
    {
        var chain = Chain(5).ToArray();
        chain[2] = chain[2] with { Result = AuditEntry.Success };

        var broken = Assert.IsType<AuditChainBroken>(AuditChain.Verify(chain));

        Assert.Equal((3L, AuditBreak.HashMismatch), (broken.Sequence, broken.Break));
    }

    [Fact]
    public void A_resealed_edit_breaks_the_chain_at_the_next_entry_with_a_previous_hash_mismatch()
    {
        var chain = Chain(5).ToArray();
        var edited = chain[2] with { Who = "cn=someone-else" };
        chain[2] = edited with { Hash = AuditChain.ComputeHash(edited.PreviousHash, edited) };

        var broken = Assert.IsType<AuditChainBroken>(AuditChain.Verify(chain));

        Assert.Equal((4L, AuditBreak.PreviousHashMismatch), (broken.Sequence, broken.Break));
    }

    [Fact]
    public void A_removed_entry_breaks_the_chain_at_its_sequence_with_a_gap()
    {
        var chain = Chain(5).Where(e => e.Sequence != 3);

        var broken = Assert.IsType<AuditChainBroken>(AuditChain.Verify(chain));

        Assert.Equal((3L, AuditBreak.SequenceGap), (broken.Sequence, broken.Break));
        Assert.Contains("missing", broken.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_first_entry_is_a_gap_at_sequence_one()
    {
        var broken = Assert.IsType<AuditChainBroken>(AuditChain.Verify(Chain(3).Skip(1)));

        Assert.Equal((1L, AuditBreak.SequenceGap), (broken.Sequence, broken.Break));
    }

    [Fact]
    public void A_replayed_or_reordered_entry_is_a_gap_where_the_next_sequence_was_expected()
    {
        var chain = Chain(4);

        var repeated = Assert.IsType<AuditChainBroken>(AuditChain.Verify([chain[0], chain[1], chain[1], chain[2]]));
        var swapped = Assert.IsType<AuditChainBroken>(AuditChain.Verify([chain[0], chain[2], chain[1], chain[3]]));

        Assert.Equal((3L, AuditBreak.SequenceGap), (repeated.Sequence, repeated.Break));
        Assert.Equal((2L, AuditBreak.SequenceGap), (swapped.Sequence, swapped.Break));
    }

    [Fact]
    public void A_truncated_or_forged_chain_fails_against_the_head_its_writer_recorded()
    {
        var chain = Chain(4);
        var expectedHead = new AuditHead(4, chain[3].Hash);

        // The last entry removed: every remaining link is sound, only the head shows the loss.
        var truncated = Assert.IsType<AuditChainBroken>(AuditChain.Verify(chain.Take(3), expectedHead));
        // The whole chain forged consistently: the forger can't reproduce the recorded head hash.
        var forged = Chain(4, node: "node9");
        var replaced = Assert.IsType<AuditChainBroken>(AuditChain.Verify(forged, expectedHead));

        Assert.Equal((4L, AuditBreak.Truncated), (truncated.Sequence, truncated.Break));
        Assert.Equal((4L, AuditBreak.HashMismatch), (replaced.Sequence, replaced.Break));
        Assert.IsType<AuditChainValid>(AuditChain.Verify(chain, expectedHead));
    }

    [Fact]
    public void Verification_stops_at_the_first_break()
    {
        var chain = Chain(6).ToArray();
        chain[1] = chain[1] with { Operation = "Destroy" };
        chain[4] = chain[4] with { Operation = "Destroy" };

        var broken = Assert.IsType<AuditChainBroken>(AuditChain.Verify(chain));

        Assert.Equal(2, broken.Sequence);
    }

    [Fact]
    public void The_canonical_bytes_are_the_same_for_equal_entries_whatever_the_time_offset()
    {
        var entry = Chain(1)[0];
        var elsewhere = entry with { Time = entry.Time.ToOffset(TimeSpan.FromHours(5)) };

        Assert.Equal(AuditChain.CanonicalBytes(entry), AuditChain.CanonicalBytes(entry with { }));
        Assert.Equal(AuditChain.CanonicalBytes(entry), AuditChain.CanonicalBytes(elsewhere));
        Assert.Equal(entry.Hash, Chain(1)[0].Hash);
    }

    [Fact]
    public void The_canonical_bytes_are_length_prefixed_so_moving_text_between_fields_changes_them()
    {
        var entry = Chain(1)[0] with { Who = "ab", Operation = "c" };

        Assert.NotEqual(AuditChain.CanonicalBytes(entry), AuditChain.CanonicalBytes(entry with { Who = "a", Operation = "bc" }));
        Assert.NotEqual(AuditChain.CanonicalBytes(entry with { Detail = null }), AuditChain.CanonicalBytes(entry with { Detail = "" }));
        Assert.NotEqual(AuditChain.CanonicalBytes(entry with { ObjectUid = null }), AuditChain.CanonicalBytes(entry with { Detail = null }));
    }

    [Fact]
    public void The_canonical_bytes_ignore_the_hashes_and_cover_every_other_field()
    {
        var entry = Chain(1)[0];
        var bytes = AuditChain.CanonicalBytes(entry);

        Assert.Equal(bytes, AuditChain.CanonicalBytes(entry with { PreviousHash = "x", Hash = "y" }));
        foreach (var changed in new[]
                 {
                     entry with { Sequence = 2 }, entry with { Time = entry.Time.AddTicks(1) }, entry with { Node = "node2" },
                     entry with { Who = "operator:local" }, entry with { Operation = "Destroy" }, entry with { ObjectUid = "uid-9" },
                     entry with { Result = "permission-denied" }, entry with { Detail = "x" },
                 })
        {
            Assert.NotEqual(bytes, AuditChain.CanonicalBytes(changed));
        }
    }

    [Fact]
    public void The_canonical_encoding_is_pinned_so_a_change_to_it_is_deliberate()
    {
        var entry = new AuditEntry(1, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), "n", "w", "op", null, "success", null,
            AuditChain.GenesisHash, "");

        var hex = Convert.ToHexStringLower(AuditChain.CanonicalBytes(entry));

        Assert.Equal(
            "0000000b6f6b762d61756469742f31" + "0000000000000001" + "08dd29f73c314000" + "000000016e" + "0000000177" + "000000026f70"
            + "ffffffff" + "0000000773756363657373" + "ffffffff",
            hex);
    }
}
