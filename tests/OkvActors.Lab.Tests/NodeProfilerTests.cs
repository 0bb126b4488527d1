using OkvActors.Lab.Report;
using OkvActors.Lab.Scenarios;
using Xunit;

namespace OkvActors.Lab.Tests;

/// <summary>The profile parsers against real output of dotnet-trace and dotnet-counters, taken from a node under KMIP Create.</summary>
public class NodeProfilerTests
{
    private static string Data(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", name));

    [Fact]
    public void Every_line_of_a_topN_report_becomes_a_frame_with_its_inclusive_share()
    {
        var frames = NodeProfiler.ParseTopN(Data("create-topN.txt"));

        Assert.Equal(149, frames.Count);
        Assert.Contains(new ProfileFrame("EventName: Universal.Events/cpu", 100), frames);
        Assert.Contains(new ProfileFrame("Sqlite.SqliteDataReader::NextResult()", 8.67), frames);
        Assert.Contains(frames, f => f.Frame.StartsWith("DistributedData.Replicator::NormalReceive", StringComparison.Ordinal) && f.InclusivePercent == 5.69);
    }

    [Fact]
    public void A_component_takes_the_share_of_its_heaviest_entry_frame_not_the_sum_of_nested_ones()
    {
        var shares = NodeProfiler.ComponentShares(NodeProfiler.ParseTopN(Data("create-topN.txt"))).ToDictionary(c => c.Frame, c => c.InclusivePercent);

        Assert.Equal(8.67, shares["SQLite (replica store and audit journal)"]);
        Assert.Equal(5.69, shares["Distributed Data replicator"]);
        // The audit log's journal writes (Akka.Persistence.Sql), apart from the SQLite work under them.
        Assert.Equal(4.02, shares["audit journal (Akka.Persistence.Sql)"]);
        // TlsHandler::Flush 5.14%, ::Decode 4.32%, ::Unwrap 2.73% nest in each other's time: the largest, not 12.19%.
        Assert.Equal(5.14, shares["Akka remoting TLS (DotNetty TlsHandler)"]);
        Assert.DoesNotContain("KMIP server (connections, codec, operations)", shares.Keys);
    }

    [Fact]
    public void The_heaviest_frames_leave_out_dispatch_plumbing_and_native_frames()
    {
        var heaviest = NodeProfiler.Heaviest(NodeProfiler.ParseTopN(Data("create-topN.txt")), 12);

        Assert.Equal(12, heaviest.Count);
        Assert.Equal("Sqlite.SqliteDataReader::NextResult()", heaviest[0].Frame);
        Assert.True(heaviest.Zip(heaviest.Skip(1)).All(p => p.Item1.InclusivePercent >= p.Item2.InclusivePercent));
        Assert.DoesNotContain(heaviest, f => f.Frame.Contains("Mailbox::", StringComparison.Ordinal) || f.Frame.Contains('!')
            || f.Frame.Contains("ThreadPoolWorkQueue", StringComparison.Ordinal) || f.Frame.Contains("InnerInvoke", StringComparison.Ordinal));
    }

    [Fact]
    public void Runtime_meters_sum_counts_and_cpu_modes_and_average_rates()
    {
        var m = RuntimeMeters.Parse(Data("create-counters.json"))!;

        // Three one-second samples: CPU is user + system per sample, averaged; collections are summed per generation.
        Assert.Equal(new RuntimeMeters(27.5, 5.5, 20.2, 3, 1, 0, 5.3, 4172, 231), m);
    }

    [Fact]
    public void Counters_without_events_give_no_meters() =>
        Assert.Null(RuntimeMeters.Parse("""{ "TargetProcess": "dotnet", "StartTime": "2026-11-30T15:41:44Z", "Events": [] }"""));
}
