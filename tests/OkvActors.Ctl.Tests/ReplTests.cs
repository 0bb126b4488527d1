using OkvActors.Cluster.Control;
using OkvActors.Ctl.Repl;
using Xunit;

namespace OkvActors.Ctl.Tests;

public sealed class ReplTests : IDisposable
{
    private readonly string _history = Path.Combine(Path.GetTempPath(), $"okvctl-history-{Guid.NewGuid():N}");

    [Fact]
    public void Tab_completes_palettes_then_verbs_then_switches_from_the_node_catalogue()
    {
        var commands = ControlCatalog.Commands;

        var palettes = ReplSession.Candidates(commands, []);
        var clusterVerbs = ReplSession.Candidates(commands, ["cluster"]);
        var keysShow = ReplSession.Candidates(commands, ["keys", "show"]);

        Assert.Contains("cluster", palettes);
        Assert.Contains("shards", palettes);
        Assert.Contains("exit", palettes);
        Assert.Equal(palettes.Count, palettes.Distinct().Count());
        Assert.Contains("show", clusterVerbs);
        Assert.Contains("down-unreachable", clusterVerbs);
        Assert.Contains("--uid", keysShow);
        Assert.Contains("--json", keysShow);
        Assert.Empty(ReplSession.Candidates(commands, ["no-such-palette"]));
    }

    [Fact]
    public void History_is_kept_in_its_file_without_repeating_the_last_line_and_read_back_by_the_next_session()
    {
        var editor = new LineEditor((_, _) => [], _history);

        editor.Remember("cluster show");
        editor.Remember("cluster show");
        editor.Remember("mode");
        editor.Remember("");

        Assert.Equal(["cluster show", "mode"], File.ReadAllLines(_history));
        var next = new LineEditor((_, _) => [], _history);
        next.Remember("mode");
        Assert.Equal(["cluster show", "mode"], File.ReadAllLines(_history));
    }

    public void Dispose() => File.Delete(_history);
}
