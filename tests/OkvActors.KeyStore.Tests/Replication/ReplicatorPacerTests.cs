using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;
using Xunit;
using static OkvActors.KeyStore.Replication.ReplicatorPacer;

namespace OkvActors.KeyStore.Tests.Replication;

/// <summary>
/// The pacer against a probe in the replicator's place: which of Distributed Data's ticks it sends, and when. Intervals
/// not under test are an hour, so any tick the probe gets is one the test caused.
/// </summary>
public sealed class ReplicatorPacerTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static PacingSettings Settings(TimeSpan? gossip = null, TimeSpan? catchUp = null, TimeSpan? delta = null, TimeSpan? activeWindow = null,
        TimeSpan? writing = null) =>
        new(true, gossip ?? Hour, Hour, catchUp ?? TimeSpan.FromMilliseconds(1), delta ?? Hour, activeWindow ?? Hour, Hour, writing ?? Hour);

    private static bool Is(object message, string tick) => message.GetType().FullName == "Akka.DistributedData.Internal." + tick;

    private ReplicationPacing StateOf(IActorRef pacer) => pacer.Ask<ReplicationPacing>(GetReplicationPacing.Instance, RemainingOrDefault).Result;

    [Fact]
    public void A_change_runs_delta_rounds_at_the_active_rate_for_the_active_window_and_then_none_at_the_idle_rate()
    {
        var replicator = CreateTestProbe();
        var pacer = Sys.ActorOf(Props(replicator, Settings(delta: TimeSpan.FromMilliseconds(100), activeWindow: TimeSpan.FromMilliseconds(600))));
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        pacer.Tell(ChangesMade.Instance);
        for (var round = 0; round < 3; round++)
        {
            replicator.ExpectMsg<object>(m => Is(m, "DeltaPropagationTick"), TimeSpan.FromSeconds(2));
        }

        Assert.True(StateOf(pacer).DeltaRoundsHurried);
        AwaitAssert(() => Assert.False(StateOf(pacer).DeltaRoundsHurried), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        replicator.ReceiveWhile<object>(TimeSpan.FromMilliseconds(150), m => m);
        // Four active intervals without a round: the idle rate (an hour) has taken over.
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public void Object_writes_run_delta_rounds_at_the_writing_rate_and_a_change_among_them_at_the_active_rate_each_for_its_window()
    {
        var replicator = CreateTestProbe();
        var pacer = Sys.ActorOf(Props(replicator, Settings(delta: TimeSpan.FromMilliseconds(50), activeWindow: TimeSpan.FromMilliseconds(1500),
            writing: TimeSpan.FromMilliseconds(500))));
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        pacer.Tell(ObjectsWritten.Instance);
        Assert.Equal(DeltaRoundRate.Writing, StateOf(pacer).DeltaRate);
        var whileWriting = replicator.ReceiveWhile<object>(TimeSpan.FromMilliseconds(1200), m => Is(m, "DeltaPropagationTick") ? m : null!);
        // 1.2 s at the writing rate is two rounds (three if the first came early); the active rate would have made ~24.
        Assert.InRange(whileWriting.Count, 1, 4);
        AwaitAssert(() => Assert.False(StateOf(pacer).DeltaRoundsHurried), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        replicator.ReceiveWhile<object>(TimeSpan.FromMilliseconds(600), m => m);
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(1200));

        // An access change among the writes: the active rate, for its own window.
        pacer.Tell(ObjectsWritten.Instance);
        pacer.Tell(ChangesMade.Instance);
        Assert.Equal(DeltaRoundRate.Active, StateOf(pacer).DeltaRate);
        var withChange = replicator.ReceiveWhile<object>(TimeSpan.FromMilliseconds(1000), m => Is(m, "DeltaPropagationTick") ? m : null!);
        Assert.True(withChange.Count >= 5, $"{withChange.Count} delta rounds in 1 s at the 50 ms active rate");
        AwaitAssert(() => Assert.False(StateOf(pacer).DeltaRoundsHurried), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Gossip_and_its_clock_run_at_the_catch_up_rate_after_start_and_after_a_doubt_and_at_the_idle_rate_otherwise()
    {
        var replicator = CreateTestProbe();
        var pacer = Sys.ActorOf(Props(replicator, Settings(gossip: TimeSpan.FromMilliseconds(100), catchUp: TimeSpan.FromMilliseconds(500))));

        // A starting node catches up.
        replicator.ExpectMsg<object>(m => Is(m, "GossipTick"), TimeSpan.FromSeconds(2));
        replicator.ExpectMsg<object>(m => Is(m, "ClockTick"), TimeSpan.FromSeconds(2));
        AwaitAssert(() => Assert.False(StateOf(pacer).GossipCatchingUp), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        replicator.ReceiveWhile<object>(TimeSpan.FromMilliseconds(150), m => m);
        replicator.ExpectNoMsg(TimeSpan.FromMilliseconds(400));
        var roundsWhileStarting = StateOf(pacer).GossipRounds;

        pacer.Tell(ReplicasMayDiffer.Instance);
        replicator.ExpectMsg<object>(m => Is(m, "GossipTick"), TimeSpan.FromSeconds(2));
        replicator.ExpectMsg<object>(m => Is(m, "ClockTick"), TimeSpan.FromSeconds(2));
        Assert.True(StateOf(pacer).GossipCatchingUp);
        Assert.True(StateOf(pacer).GossipRounds > roundsWhileStarting);
    }

    [Fact]
    public void A_writer_that_reports_every_change_and_doubt_tells_the_pacer_once_for_a_burst_of_each()
    {
        var pacer = CreateTestProbe();
        var notifier = new Notifier(pacer, Settings(activeWindow: TimeSpan.FromSeconds(5), catchUp: TimeSpan.FromSeconds(5)));
        for (var i = 0; i < 1000; i++)
        {
            notifier.ChangeMade();
            notifier.ReplicasMayDiffer();
            notifier.ObjectsWritten();
        }

        pacer.ExpectMsg<ChangesMade>();
        pacer.ExpectMsg<ReplicasMayDiffer>();
        pacer.ExpectMsg<ObjectsWritten>();
        pacer.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Pacing_on_is_refused_while_the_replicator_would_still_tick_by_itself()
    {
        var config = ConfigurationFactory.ParseString("""
            okv.key-store.pacing.enabled = on
            akka.cluster.distributed-data.gossip-interval = 2s
            """);
        var refused = Assert.Throws<ConfigurationException>(() => KeyStoreSettings.Create(config));
        Assert.Contains("akka.cluster.distributed-data.gossip-interval", refused.Message);

        var accepted = KeyStoreSettings.Create(ConfigurationFactory.ParseString("akka.cluster.distributed-data.gossip-interval = 1h").WithFallback(config));
        Assert.True(accepted.Pacing.Enabled);
    }

    [Fact]
    public void The_catch_up_window_is_enough_gossip_rounds_to_compare_every_shard_the_configured_number_of_times()
    {
        // 4,096 shards and a few metadata keys, 4 keys a chunk and 10 chunks a round: 103 rounds a pass.
        var settings = KeyStoreSettings.Create(ConfigurationFactory.ParseString("""
            okv.key-store { shard-count = 4096, pacing { enabled = on, gossip-interval = 2s, catch-up-passes = 3 } }
            akka.cluster.distributed-data { gossip-interval = 1h, max-delta-elements = 4 }
            """));
        Assert.Equal(TimeSpan.FromSeconds(3 * 103 * 2), settings.Pacing.CatchUpWindow);
        Assert.False(KeyStoreSettings.Create(ConfigurationFactory.Empty).Pacing.Enabled);
    }
}
