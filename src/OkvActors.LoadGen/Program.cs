using System.CommandLine;
using OkvActors.Cluster.Control;
using OkvActors.LoadGen;

var dir = new Option<string>("--dir") { Description = "A new directory for the cluster `okv up` starts", DefaultValueFactory = _ => "./.okv-bench" };
var clusterFile = new Option<string?>("--cluster") { Description = "Measure a running cluster (its cluster.json) instead of starting one" };
var nodes = new Option<int>("--nodes") { DefaultValueFactory = _ => 3 };
var basePort = new Option<int>("--base-port") { Description = "First remoting port; +100, +200, +300 must be free too", DefaultValueFactory = _ => 41000 };
var shardCount = new Option<int?>("--shard-count") { Description = "Key shards (recorded at init); default: the node's configuration (256)" };
var objects = new Option<int>("--objects") { DefaultValueFactory = _ => 100_000 };
var concurrency = new Option<int>("--concurrency") { Description = "Creations in flight per node during the load", DefaultValueFactory = _ => 64 };
var rate = new Option<double>("--rate") { Description = "Paced single writes per second", DefaultValueFactory = _ => 1000 };
var pacedSeconds = new Option<int>("--paced-seconds") { DefaultValueFactory = _ => 30 };
var idleSeconds = new Option<int>("--idle-seconds") { DefaultValueFactory = _ => 30 };
var visibility = new Option<int>("--visibility-samples") { DefaultValueFactory = _ => 50 };
var noWipe = new Option<bool>("--no-wipe") { Description = "Skip the kill -9 / wipe / recover step" };
var noColdRestart = new Option<bool>("--no-cold-restart") { Description = "Skip the kill -9 of every node and their restart" };
var output = new Option<string?>("--out") { Description = "Where to write the JSON results (default DIR/results.json)" };

var root = new RootCommand("okv-load: issue #3's scale scenario against a real OkvActors cluster; reports figures against targets, fails only on errors")
{
    dir, clusterFile, nodes, basePort, shardCount, objects, concurrency, rate, pacedSeconds, idleSeconds, visibility, noWipe, noColdRestart, output,
};
root.SetAction(async (parse, token) =>
{
    var options = new ScaleOptions(parse.GetValue(dir)!, parse.GetValue(clusterFile), parse.GetValue(nodes), parse.GetValue(basePort),
        parse.GetValue(shardCount), parse.GetValue(objects), parse.GetValue(concurrency), parse.GetValue(rate), parse.GetValue(pacedSeconds),
        parse.GetValue(idleSeconds), parse.GetValue(visibility), !parse.GetValue(noWipe), !parse.GetValue(noColdRestart), parse.GetValue(output));
    try
    {
        options.Validate();
        await using var cluster = options.ClusterFile is { } file
            ? ClusterUnderTest.Attach(file, Console.Out)
            : await ClusterUnderTest.Start(options.Dir, options.Nodes, options.BasePort, options.ShardCount, Console.Out, token);
        var report = await new ScaleScenario(cluster, options, Console.Out).Run(token);
        var json = options.Out ?? Path.Combine(cluster.Root, "results.json");
        await File.WriteAllTextAsync(json, report.ToJson(), token);
        report.PrintTable(Console.Out);
        Console.WriteLine($"okv-load: results in {Path.GetFullPath(json)}");
        return 0;
    }
    catch (Exception e) when (e is LoadGenException or ControlException or IOException or OperationCanceledException)
    {
        Console.Error.WriteLine($"okv-load: error: {e.Message}");
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();
