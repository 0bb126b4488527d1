using OkvActors.Chaos.History;
using Xunit;

namespace OkvActors.Chaos.Tests;

public sealed class OperationLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("okv-chaos-history-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_history_round_trips_through_json_lines_in_start_order()
    {
        var log = new OperationLog();
        var late = new ClientOperation(log.NextId(), 1, "node2", OpKind.Get, "u1", null, 3, 3.2, Outcome.Ok, "hash");
        var early = new ClientOperation(log.NextId(), 0, "node1", OpKind.Register, null, "sha", 1, 1.5, Outcome.Unknown, Error: "IOException: reset");
        log.Add(late);
        log.Add(early);
        var path = Path.Combine(_dir, "history.jsonl");

        OperationLog.WriteJsonLines(log.Snapshot(), path);

        Assert.Equal([early, late], OperationLog.ReadJsonLines(path));
        Assert.Contains("\"kind\":\"Register\"", File.ReadAllText(path));
    }
}
