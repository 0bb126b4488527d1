using Akka.TestKit.Xunit2;
using OkvActors.Cluster.Load;
using Xunit;

namespace OkvActors.Cluster.Tests.Load;

public sealed class GcPauseListenerTests : TestKit
{
    [Fact]
    public void A_blocking_collection_is_recorded_as_a_pause_with_its_length()
    {
        using var listener = new GcPauseListener();
        var watch = System.Diagnostics.Stopwatch.StartNew();

        // The runtime dispatches its events to listeners a little later: collect until one has arrived.
        AwaitAssert(() =>
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            Assert.NotEmpty(listener.PausesMs);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));

        // Each is the time between a suspension and the restart that follows it: positive, and within the test's own time.
        Assert.All(listener.PausesMs, p => Assert.InRange(p, double.Epsilon, watch.Elapsed.TotalMilliseconds));

        // Each says which collections ran in it: the forced gen2 ran, blocking, in one of them; the longest is the longest.
        // and it says that it compacted the heap, and why.
        AwaitAssert(() => Assert.Contains(listener.Pauses, p => p.Collections.Contains("gen2 blocking (induced, compacting), gen2 compacted (induced)", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        Assert.Equal(listener.PausesMs.Max(), listener.Longest!.Ms);
        Assert.All(listener.Pauses, p => Assert.InRange(p.SuspendingMs, 0, p.Ms));
    }
}
