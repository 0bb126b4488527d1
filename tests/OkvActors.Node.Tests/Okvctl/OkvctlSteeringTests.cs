using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Node.Tests.Okvctl;

/// <summary>
/// okvctl's steering verbs against a real three-node cluster: `cluster tail` streams the members and
/// then the membership events as they happen; `cluster leave`, `cluster down -a` and
/// `cluster down-unreachable` take a node out (its process stops, the others see it gone); `cluster join`
/// of a member is a harmless no-op; `log set-level` changes the level at run time and refuses an unknown
/// one; `node approve` records a candidate's approval in the controller's registry. Every test brings
/// back the nodes it took out, so the cluster is three Up members again afterwards.
/// </summary>
[Collection(OkvctlSteeringClusterCollection.Name)]
public sealed class OkvctlSteeringTests(OkvctlSteeringCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Task<JsonNode> Json(string node, params string[] command) => Infrastructure.Okvctl.Json(cluster, node, command);

    private static void AssertOneLineRefusal(OkvResult result, string expected)
    {
        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("okvctl: ", line);
        Assert.True(line.Contains(expected, StringComparison.Ordinal), $"expected '{expected}' in: {line}");
    }

    /// <summary>Waits until <paramref name="node"/>'s process is gone and node1 no longer lists it.</summary>
    private async Task GoneFromTheCluster(string node, int pid)
    {
        await Eventually.Until(() => !Okv.IsAlive(pid), Timeout, $"{node}'s process to stop");
        await Eventually.Until(async () => !LocalCluster.AllMembers(await cluster.Status("node1")).Contains(cluster.Remoting(node)), Timeout,
            $"{node} to be removed from node1's view");
    }

    /// <summary>Restarts a node that was taken out and waits until every node sees three Up members again.</summary>
    private async Task BringBack(string node, string why)
    {
        cluster.StartNode(cluster.Dir(node).Root, Path.Combine(cluster.Root, $"{node}-{why}-{Guid.NewGuid():N}"[..30] + ".log"));
        foreach (var observer in new[] { "node1", "node2", "node3" })
        {
            await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status(observer)).Count == 3
                                               && LocalCluster.AllMembers(await cluster.Status(observer)).Count == 3, Timeout,
                $"{observer} to see three Up members after {node} came back");
        }
    }

    [Fact]
    public async Task Tail_streams_the_members_then_a_graceful_leave_of_the_node_asked()
    {
        var node3 = cluster.Remoting("node3");
        var pid = await cluster.CurrentPid("node3");
        await using var tail = TailProcess.Start(cluster, "node1");

        var members = await Eventually.Until(() =>
        {
            var up = tail.Events().Where(e => e["event"]!.GetValue<string>() == "MemberUp").Select(e => e["address"]!.GetValue<string>())
                .Distinct().ToArray();
            return Task.FromResult((up.Length == 3, up, tail.Seen()));
        }, Timeout, "cluster tail to show the three members");
        Assert.Equal(cluster.File.Nodes.Select(n => n.Remoting).Order(), members.Order());

        // Without -a the node asked leaves itself.
        var leave = await Json("node3", "cluster", "leave");

        Assert.Equal(node3, leave["address"]!.GetValue<string>());
        await Eventually.Until(() => tail.Events().Any(e => e["event"]!.GetValue<string>() == "MemberRemoved" && e["address"]!.GetValue<string>() == node3),
            Timeout, "cluster tail to show node3 removed");
        var seen = tail.Events().Where(e => e["address"]?.GetValue<string>() == node3).Select(e => e["event"]!.GetValue<string>()).ToArray();
        Assert.True(seen.Contains("MemberLeft") || seen.Contains("MemberExited"), $"a graceful leave passes through Leaving/Exiting: {string.Join(", ", seen)}");
        Assert.False(tail.HasExited, "cluster tail keeps streaming until it is stopped");
        await GoneFromTheCluster("node3", pid);
        Assert.Equal(2, LocalCluster.UpMembers(await cluster.Status("node2")).Count);

        await BringBack("node3", "left");
    }

    [Fact]
    public async Task Down_takes_a_live_member_out_and_down_unreachable_a_killed_one()
    {
        var node2 = cluster.Remoting("node2");
        var pid = await cluster.CurrentPid("node2");

        var down = await Json("node1", "cluster", "down", "-a", node2);

        Assert.Equal(node2, down["address"]!.GetValue<string>());
        await GoneFromTheCluster("node2", pid);
        await BringBack("node2", "downed");

        // kill -9: node1 sees node2 unreachable; our downing provider may also remove it after
        // stable-after (5 s in the fast profile), so the command downs node2 or finds it already gone.
        var killed = await cluster.CurrentPid("node2");
        Okv.Kill9(killed);
        await Eventually.Until(async () =>
        {
            var status = await cluster.Status("node1");
            return status["members"]!.AsArray().Any(m => m!["address"]!.GetValue<string>() == node2 && !m["reachable"]!.GetValue<bool>())
                   || !LocalCluster.AllMembers(status).Contains(node2);
        }, Timeout, "node1 to see the killed node2 unreachable");
        var offset = cluster.LogLength("node1");

        var downUnreachable = await Json("node1", "cluster", "down-unreachable");

        var downed = downUnreachable["downed"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
        Assert.All(downed, a => Assert.Equal(node2, a));
        if (downed.Length == 1)
        {
            await Eventually.Until(() => cluster.LogSince("node1", offset).Contains($"Management: unreachable {node2} downed by an operator", StringComparison.Ordinal),
                Timeout, "node1 to log the operator's downing");
        }

        await GoneFromTheCluster("node2", killed);
        Assert.Empty((await Json("node1", "cluster", "down-unreachable"))["downed"]!.AsArray());
        await BringBack("node2", "killed");
    }

    [Fact]
    public async Task Join_of_an_address_already_a_member_changes_nothing_and_a_bad_address_is_refused()
    {
        var node1 = cluster.Remoting("node1");
        var pid = await cluster.CurrentPid("node2");

        var join = await Json("node2", "cluster", "join", "-a", node1);
        var bad = await Infrastructure.Okvctl.On(cluster, "node2", "cluster", "join", "-a", "not-an-address");

        Assert.Equal(node1, join["address"]!.GetValue<string>());
        // Akka ignores a join from a node that is already part of a cluster; the node's log says so.
        await Eventually.Until(async () =>
        {
            var messages = (await Json("node2", "log", "peek", "-c", "500"))["lines"]!.AsArray().Select(l => l!["message"]!.GetValue<string>()).ToArray();
            return messages.Any(m => m.Contains($"Management: join {node1} requested", StringComparison.Ordinal))
                   && messages.Any(m => m.Contains($"Trying to join [{node1}] when already part of a cluster, ignoring", StringComparison.Ordinal));
        }, Timeout, "node2 to log the join request and Akka ignoring it");
        AssertOneLineRefusal(bad, "'not-an-address' is not a member address");
        var status = await Json("node2", "cluster", "status");
        Assert.Equal("Up", status["status"]!.GetValue<string>());
        Assert.Equal(3, status["up"]!.GetValue<int>());
        Assert.Equal(3, status["members"]!.GetValue<int>());
        Assert.Equal(pid, await cluster.CurrentPid("node2"));
    }

    [Fact]
    public async Task Log_set_level_changes_the_level_visibly_and_refuses_an_unknown_one()
    {
        var warning = await Json("node1", "log", "set-level", "-l", "warning");
        var original = warning["previous"]!.GetValue<string>();
        try
        {
            Assert.Equal("WARNING", warning["level"]!.GetValue<string>());
            var peek = await Json("node1", "log", "peek", "-l", "warning", "-c", "200");
            Assert.Contains(peek["lines"]!.AsArray(), l => l!["message"]!.GetValue<string>().Contains($"log level changed from {original} to WARNING"));

            var debug = await Json("node1", "log", "set-level", "-l", "DEBUG");
            Assert.Equal("DEBUG", debug["level"]!.GetValue<string>());
            Assert.Equal("WARNING", debug["previous"]!.GetValue<string>());

            var unknown = await Infrastructure.Okvctl.On(cluster, "node1", "log", "set-level", "-l", "loud");
            AssertOneLineRefusal(unknown, "unknown log level 'loud'");
            var missing = await Infrastructure.Okvctl.On(cluster, "node1", "log", "set-level");
            Assert.Equal(2, missing.ExitCode);
            Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            // The refusals changed nothing: the level is still the one last set.
            var again = await Json("node1", "log", "set-level", "-l", original);
            Assert.Equal("DEBUG", again["previous"]!.GetValue<string>());
            Assert.Equal(original, again["level"]!.GetValue<string>());
        }
        finally
        {
            await Infrastructure.Okvctl.On(cluster, "node1", "log", "set-level", "-l", original);
        }
    }

    [Fact]
    public async Task Node_approve_records_the_candidates_approval_and_refuses_a_fingerprint_that_is_not_the_csrs()
    {
        // The candidate is never started: its ports (base+9, +100/+200/+300) are only written in its manifest.
        var (dir, fingerprint) = await NodeFactory.Candidate(cluster, "steered", cluster.BasePort + 9);
        var csr = Path.Combine(dir, "candidate.csr");
        var before = (await cluster.Registry("node1"))["version"]!.GetValue<long>();

        var wrong = await Infrastructure.Okvctl.On(cluster, "node2", "node", "approve", "-f", new string('0', 64), "--csr", csr);
        Assert.Equal(before, (await cluster.Registry("node1"))["version"]!.GetValue<long>());
        var approve = await Json("node2", "node", "approve", "-f", fingerprint, "--csr", csr);

        AssertOneLineRefusal(wrong, "do not approve it");
        Assert.True(approve["version"]!.GetValue<long>() > before, approve.ToJsonString());
        var registry = await cluster.Registry("node3");
        var approval = Assert.Single(registry["approvals"]!.AsArray(), a => a!["fingerprint"]!.GetValue<string>() == Fingerprint.Normalize(fingerprint));
        Assert.Equal("steered", approval!["name"]!.GetValue<string>());
        Assert.DoesNotContain(registry["nodes"]!.AsArray(), n => n!["name"]!.GetValue<string>() == "steered");
    }

    /// <summary>`okvctl cluster tail --json` as a process: its stdout lines collected as they come; killed when disposed.</summary>
    private sealed class TailProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly Task _reading;

        private TailProcess(Process process)
        {
            _process = process;
            _reading = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    _lines.Enqueue(line);
                }
            });
        }

        public bool HasExited => _process.HasExited;

        public static TailProcess Start(LocalCluster cluster, string node)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Infrastructure.Okvctl.Dll, cluster.Management(node), "--cluster", Path.Combine(cluster.Root, "cluster.json"),
                         "cluster", "tail", "--json" })
            {
                info.ArgumentList.Add(a);
            }

            info.Environment["NO_COLOR"] = "1";
            return new TailProcess(Process.Start(info)!);
        }

        public IReadOnlyList<JsonNode> Events() => _lines.Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!).ToArray();

        public string Seen() => _process.HasExited
            ? $"okvctl exited with {_process.ExitCode}: {_process.StandardError.ReadToEnd()}"
            : string.Join(" | ", _lines);

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            await _reading;
            _process.Dispose();
        }
    }
}
