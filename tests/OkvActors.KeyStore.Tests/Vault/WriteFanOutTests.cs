using Akka.Actor;
using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;

namespace OkvActors.KeyStore.Tests.Vault;

/// <summary>The outgoing half of the vault's replication: what queued for a peer goes as few batches as the bounds allow.</summary>
public sealed class WriteFanOutTests
{
    private static readonly Address B = new("akka.tcp", "okv", "127.0.0.1", 2);
    private static readonly Address C = new("akka.tcp", "okv", "127.0.0.1", 3);

    private static PendingWrite Write(int n) =>
        new(ActorRefs.Nobody, $"uid-{n:D4}", 0, 5_000, true) { Written = Scenario.BaseObject($"uid-{n:D4}") };

    [Fact]
    public void Writes_queued_for_a_peer_go_as_one_batch_each_and_only_the_first_asks_for_a_flush()
    {
        var fanOut = new WriteFanOut(512, 1 << 20);
        var writes = Enumerable.Range(0, 100).Select(Write).ToList();

        var flushes = writes.Count(w => fanOut.Enqueue(w, [B, C]));
        var batches = fanOut.Flush(now: 10);

        Assert.Equal(1, flushes);
        Assert.Equal([B, C], batches.Select(b => b.Peer));
        Assert.All(batches, b => Assert.Equal(writes.Select(w => w.Uid), b.Batch.Objects.Select(o => o.Uid)));
        Assert.Empty(fanOut.Flush(now: 11));
        Assert.True(fanOut.Enqueue(Write(100), [B]), "after a flush, the next write asks for one again");
    }

    [Fact]
    public void A_queue_longer_than_the_bounds_goes_as_several_batches()
    {
        var size = Write(0).Written!.EncodedLength;
        var byCount = new WriteFanOut(10, 1 << 20);
        var byBytes = new WriteFanOut(512, size * 4);
        foreach (var write in Enumerable.Range(0, 25).Select(Write))
        {
            byCount.Enqueue(write, [B]);
            byBytes.Enqueue(write, [B]);
        }

        Assert.Equal([10, 10, 5], byCount.Flush(0).Select(b => b.Batch.Objects.Count));
        Assert.Equal([4, 4, 4, 4, 4, 4, 1], byBytes.Flush(0).Select(b => b.Batch.Objects.Count));
    }

    [Fact]
    public void An_answer_names_its_batchs_writes_once_and_an_unknown_or_expired_batch_none()
    {
        var fanOut = new WriteFanOut(512, 1 << 20);
        fanOut.Enqueue(Write(1), [B, C]);
        var sent = fanOut.Flush(now: 100);
        var toB = sent.Single(b => b.Peer.Equals(B)).Batch.Id;
        var toC = sent.Single(b => b.Peer.Equals(C)).Batch.Id;

        var answered = fanOut.Answered(B, toB);
        Assert.Equal(["uid-0001"], answered!.Writes.Select(w => w.Uid));
        Assert.Equal(100, answered.SentAt);
        Assert.Null(fanOut.Answered(B, toB));
        Assert.Null(fanOut.Answered(C, toB));
        Assert.Equal(1, fanOut.Unanswered);

        fanOut.Expire(before: 101, isMember: _ => true);
        Assert.Null(fanOut.Answered(C, toC));
        Assert.Equal(0, fanOut.Unanswered);
    }

    [Fact]
    public void A_peer_that_left_is_forgotten_with_what_was_queued_for_it()
    {
        var fanOut = new WriteFanOut(512, 1 << 20);
        fanOut.Enqueue(Write(1), [B, C]);
        fanOut.Flush(now: 100);
        fanOut.Enqueue(Write(2), [B, C]);

        fanOut.Expire(before: 0, isMember: peer => !peer.Equals(C));

        Assert.Equal([B], fanOut.Flush(now: 101).Select(b => b.Peer));
        Assert.Equal(2, fanOut.Unanswered);
    }
}

/// <summary>The oldest open write to every node, found without walking the open writes (the vault asks on every message).</summary>
public sealed class WritesToAllTests
{
    private static PendingWrite Began(WritesToAll writes, long at, bool toAll = true)
    {
        var write = new PendingWrite(ActorRefs.Nobody, $"uid-{at}", at, at + 5_000, toAll);
        writes.Began(write);
        return write;
    }

    [Fact]
    public void The_oldest_open_write_is_overdue_once_it_has_waited_the_lag_timeout()
    {
        var writes = new WritesToAll();
        var first = Began(writes, at: 100);
        Began(writes, at: 110);

        Assert.Null(writes.Overdue(now: 119, lagTimeoutMs: 20));
        Assert.Same(first, writes.Overdue(now: 120, lagTimeoutMs: 20));
    }

    [Fact]
    public void Answered_writes_and_majority_writes_leave_and_the_next_oldest_counts()
    {
        var writes = new WritesToAll();
        var answered = Began(writes, at: 100);
        var toMajority = Began(writes, at: 105);
        var open = Began(writes, at: 110);
        Began(writes, at: 115, toAll: false); // never waited for every node: not held

        answered.Answered = true;
        toMajority.ToAll = false;

        Assert.Null(writes.Overdue(now: 129, lagTimeoutMs: 20));
        Assert.Same(open, writes.Overdue(now: 130, lagTimeoutMs: 20));
        Assert.Equal(1, writes.Held);
        open.Answered = true;
        Assert.Null(writes.Overdue(now: 10_000, lagTimeoutMs: 20));
        Assert.Equal(0, writes.Held);
    }
}
