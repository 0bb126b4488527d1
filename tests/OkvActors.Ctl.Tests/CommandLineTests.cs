using System.Text.Json.Nodes;
using OkvActors.Cluster.Control;
using OkvActors.Ctl;
using OkvActors.Ctl.Output;
using Xunit;

namespace OkvActors.Ctl.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void A_palette_verb_and_short_switches_become_the_nodes_command_and_long_arguments()
    {
        var command = CommandParser.Parse(["cluster", "down", "-a", "akka.ssl.tcp://okv@127.0.0.1:4053"]);

        Assert.Equal("cluster-down", command.Request.Command);
        Assert.Equal("akka.ssl.tcp://okv@127.0.0.1:4053", command.Request.Arg("address"));
        Assert.False(command.Json);
    }

    [Fact]
    public void Flags_json_and_palettes_without_verbs_are_understood()
    {
        var shards = CommandParser.Parse(["shards", "show", "--all", "--json"]);
        var mode = CommandParser.Parse(["mode"]);
        var hierarchy = CommandParser.Parse(["actor", "hierarchy", "-d", "2", "-s", "/system"]);

        Assert.Equal("true", shards.Request.Arg("all"));
        Assert.True(shards.Json);
        Assert.Equal("mode", mode.Request.Command);
        Assert.Null(mode.Request.Args);
        Assert.Equal("2", hierarchy.Request.Arg("depth"));
        Assert.Equal("/system", hierarchy.Request.Arg("path"));
    }

    public static TheoryData<string, string> BadCommands => new()
    {
        { "cluster down", "needs -a/--address" },
        { "cluster", "needs a verb" },
        { "mode now", "takes no verb" },
        { "keys show -x 1", "unknown switch '-x'" },
        { "cluster show --depth 3", "has no switch --depth" },
        { "keys show -u", "--uid needs a value" },
        { "cluster show stray", "unexpected 'stray'" },
    };

    [Theory]
    [MemberData(nameof(BadCommands))]
    public void A_wrong_command_is_a_usage_error_naming_the_problem(string line, string problem)
    {
        var error = Assert.Throws<CtlError>(() => CommandParser.Parse(CommandParser.Split(line)));

        Assert.Equal(CtlError.Usage, error.ExitCode);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Global_options_stand_anywhere_and_the_first_host_port_is_the_target()
    {
        var parsed = CtlArguments.Parse(["--cluster", "c.json", "10.0.0.5:9110", "cluster", "show", "--json", "--timeout", "5"]);

        Assert.Equal("10.0.0.5:9110", parsed.Connection.Target);
        Assert.Equal("c.json", parsed.Connection.ClusterFile);
        Assert.Equal(TimeSpan.FromSeconds(5), parsed.Connection.Timeout);
        Assert.True(parsed.Json);
        Assert.Equal(["cluster", "show"], parsed.Words);
    }

    [Theory]
    [InlineData("127.0.0.1:9110 mode", "no operator identity")]
    [InlineData("127.0.0.1:9110 --cert a.pem mode", "--cert and --key go together")]
    [InlineData("127.0.0.1:9110 --cert a.pem --key a.key mode", "--ca")]
    [InlineData("--ca ca.pem --cert a.pem --key a.key mode", "which node?")]
    [InlineData("--cluster c.json --timeout soon mode", "--timeout must be a number")]
    public void Missing_identity_or_target_is_a_usage_error(string line, string problem)
    {
        var error = Assert.Throws<CtlError>(() => CtlArguments.Parse(CommandParser.Split(line)));

        Assert.Equal(CtlError.Usage, error.ExitCode);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Quotes_group_words_in_a_repl_line()
    {
        Assert.Equal(["conflicts", "resolve", "-n", "a name"], CommandParser.Split("conflicts resolve -n \"a name\""));
    }

    [Fact]
    public void Cluster_show_is_an_aligned_table_followed_by_the_count()
    {
        var data = new JsonObject
        {
            ["members"] = new JsonArray(
                new JsonObject { ["address"] = "akka.ssl.tcp://okv@127.0.0.1:4053", ["roles"] = new JsonArray("okv-node"), ["status"] = "Up", ["reachability"] = "Reachable" },
                new JsonObject { ["address"] = "akka.ssl.tcp://okv@10.0.0.12:4053", ["roles"] = new JsonArray("okv-node", "subgroup-sg01"), ["status"] = "Up", ["reachability"] = "Unreachable" }),
            ["count"] = 2,
        };
        var output = new StringWriter();

        ResponseFormatter.Write(output, "cluster-show", ControlResponse.Done("Count: 2 nodes", data), json: false, colour: false);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("ADDRESS", lines[0]);
        Assert.Equal(lines[0].IndexOf("| STATUS", StringComparison.Ordinal), lines[2].IndexOf("| Up", StringComparison.Ordinal));
        Assert.EndsWith("| Unreachable", lines[2]);
        Assert.Equal("Count: 2 nodes", lines[3]);
        Assert.DoesNotContain("\u001b[", output.ToString());
    }

    [Fact]
    public void Json_output_is_the_answers_data()
    {
        var output = new StringWriter();

        ResponseFormatter.Write(output, "mode", ControlResponse.Done("normal: fine", new JsonObject { ["mode"] = "normal" }), json: true, colour: false);

        Assert.Equal("normal", JsonNode.Parse(output.ToString())!["mode"]!.GetValue<string>());
    }
}
