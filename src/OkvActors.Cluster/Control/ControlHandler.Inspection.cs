using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Inspection;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Replication;

namespace OkvActors.Cluster.Control;

/// <summary>The inspection commands okvctl speaks, in petabridge.cmd's vocabulary (see <see cref="ControlCatalog"/>).</summary>
public sealed partial class ControlHandler
{
    private const string TailCommand = "cluster-tail";

    public bool IsStreaming(ControlRequest request) => request.Command == TailCommand;

    private Task<ControlResponse> Inspect(ControlRequest request, Principal caller) => request.Command switch
    {
        "help" => Task.FromResult(Help()),
        "cluster-show" => Task.FromResult(ClusterShow()),
        "cluster-status" => ClusterStatus(),
        "cluster-leader" => Task.FromResult(ClusterLeader()),
        "cluster-join" => Task.FromResult(ClusterJoin(ParseAddress(request.Arg("address")))),
        "cluster-leave" => Task.FromResult(ClusterLeave(request.Optional("address") is { } a ? ParseAddress(a) : _node.Cluster.SelfAddress)),
        "cluster-down" => Task.FromResult(ClusterDown(ParseAddress(request.Arg("address")))),
        "cluster-down-unreachable" => Task.FromResult(ClusterDownUnreachable()),
        TailCommand => Task.FromResult(ControlResponse.Refused("cluster tail is a stream: ask for it on a streaming connection")),
        "actor-system" => Task.FromResult(ActorSystemInfo()),
        "actor-hierarchy" => Task.FromResult(ActorHierarchy(request.Optional("path") ?? "/user",
            request.Optional("depth") is { } d ? ParseCount(d, "depth") : int.MaxValue)),
        "log-peek" => Task.FromResult(LogPeek(request.Optional("count") is { } c ? ParseCount(c, "count") : 50,
            request.Optional("level") is { } l ? LogRing.Rank(l) : LogLevel.DebugLevel)),
        "log-set-level" => Task.FromResult(LogSetLevel(LogRing.Rank(request.Arg("level")))),
        "node-list" => NodeList(),
        "node-disable" => Lifecycle(caller, request, LifecycleAction.Disable),
        "node-enable" => Lifecycle(caller, request, LifecycleAction.Enable),
        "node-remove" => Lifecycle(caller, request, LifecycleAction.Remove),
        "node-force-remove" => Lifecycle(caller, request, LifecycleAction.ForceRemove),
        "keys-stats" => KeysStats(),
        "keys-show" => Vault(SessionOf(request, caller).GetAsync(request.Arg("uid"))),
        "shards-show" => request.Optional("all") is "true" ? ShardsCompared() : Shards(),
        "replication-lag" => ReplicationLag(),
        "conflicts-resolve" => Vault(SessionOf(request, caller).RenameAsync(request.Arg("uid"), [request.Arg("name")])),
        "mode" => Mode(),
        _ => Task.FromResult(ControlResponse.Refused($"unknown command '{request.Command}' (`help` lists them)")),
    };

    private static Address ParseAddress(string text)
    {
        try
        {
            return Address.Parse(text);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw new ControlException($"'{text}' is not a member address (akka.ssl.tcp://CLUSTER@HOST:PORT)");
        }
    }

    private static int ParseCount(string text, string what) =>
        int.TryParse(text, out var value) && value >= 0 ? value : throw new ControlException($"{what} must be a whole number, not '{text}'");

    private static ControlResponse Help() => ControlResponse.Done($"{ControlCatalog.Commands.Count} commands", new JsonObject
    {
        ["commands"] = new JsonArray(ControlCatalog.Commands.Select(c => (JsonNode)new JsonObject
        {
            ["command"] = c.Command,
            ["palette"] = c.Palette,
            ["verb"] = c.Verb,
            ["description"] = c.Description,
            ["switches"] = new JsonArray(c.Switches.Select(s => (JsonNode)new JsonObject
            {
                ["name"] = s.Name,
                ["short"] = s.Short,
                ["description"] = s.Description,
                ["flag"] = s.Flag,
                ["required"] = s.Required,
            }).ToArray()),
        }).ToArray()),
    });

    private static JsonObject MemberRow(Member m, bool reachable) => new()
    {
        ["address"] = m.Address.ToString(),
        ["roles"] = new JsonArray(m.Roles.Order(StringComparer.Ordinal).Select(r => (JsonNode)r).ToArray()),
        ["status"] = m.Status.ToString(),
        ["reachability"] = reachable ? "Reachable" : "Unreachable",
    };

    private ControlResponse ClusterShow()
    {
        var state = _node.Cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToArray();
        return ControlResponse.Done($"Count: {members.Length} nodes", new JsonObject
        {
            ["members"] = new JsonArray(members.Select(m => (JsonNode)MemberRow(m, !unreachable.Contains(m.Address))).ToArray()),
            ["count"] = members.Length,
        });
    }

    private async Task<ControlResponse> ClusterStatus()
    {
        var cluster = _node.Cluster;
        var state = cluster.State;
        var mode = await _node.Vault.ModeAsync();
        return ControlResponse.Done($"{cluster.SelfAddress} is {cluster.SelfMember.Status}", new JsonObject
        {
            ["self"] = cluster.SelfAddress.ToString(),
            ["name"] = _node.Manifest.Name,
            ["status"] = cluster.SelfMember.Status.ToString(),
            ["leader"] = state.Leader?.ToString(),
            ["members"] = state.Members.Count,
            ["up"] = state.Members.Count(m => m.Status == MemberStatus.Up),
            ["unreachable"] = state.Unreachable.Count,
            ["mode"] = mode.Restricted ? "restricted" : "normal",
        });
    }

    private ControlResponse ClusterLeader()
    {
        var leader = _node.Cluster.State.Leader;
        return leader is null
            ? ControlResponse.Refused("no leader: this node sees no reachable Up member to lead")
            : ControlResponse.Done($"{leader}", new JsonObject { ["leader"] = leader.ToString() });
    }

    private ControlResponse ClusterJoin(Address address)
    {
        _node.Cluster.Join(address);
        _log.Info("Management: join {0} requested", address);
        return ControlResponse.Done($"joining {address}", new JsonObject { ["address"] = address.ToString() });
    }

    private ControlResponse ClusterLeave(Address address)
    {
        RequireMember(address);
        _node.Cluster.Leave(address);
        _log.Info("Management: {0} asked to leave", address);
        return ControlResponse.Done($"{address} is leaving", new JsonObject { ["address"] = address.ToString() });
    }

    private ControlResponse ClusterDown(Address address)
    {
        RequireMember(address);
        _node.Cluster.Down(address);
        _log.Warning("Management: {0} downed by an operator", address);
        return ControlResponse.Done($"{address} downed", new JsonObject { ["address"] = address.ToString() });
    }

    private ControlResponse ClusterDownUnreachable()
    {
        var unreachable = _node.Cluster.State.Unreachable.Select(m => m.Address).ToArray();
        foreach (var address in unreachable)
        {
            _node.Cluster.Down(address);
            _log.Warning("Management: unreachable {0} downed by an operator", address);
        }

        return ControlResponse.Done($"downed {unreachable.Length} unreachable member(s)", new JsonObject
        {
            ["downed"] = new JsonArray(unreachable.Select(a => (JsonNode)a.ToString()).ToArray()),
        });
    }

    private void RequireMember(Address address)
    {
        if (_node.Cluster.State.Members.All(m => m.Address != address))
        {
            throw new ControlException($"{address} is not a member of this cluster (see `cluster show`)");
        }
    }

    public async IAsyncEnumerable<ControlResponse> StreamAsync(ControlRequest request, Principal caller,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!IsStreaming(request))
        {
            yield return await HandleAsync(request, caller, cancellationToken);
            yield break;
        }

        // Bounded: a reader that stops reading loses old events rather than growing the node's memory.
        var events = Channel.CreateBounded<ControlResponse>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        var tail = _node.System.ActorOf(Props.Create(() => new ClusterTail(events.Writer)));
        try
        {
            await foreach (var item in events.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            tail.Tell(PoisonPill.Instance);
        }
    }

    /// <summary>Forwards membership events (the current members first) to one `cluster tail` caller.</summary>
    private sealed class ClusterTail : ReceiveActor
    {
        public ClusterTail(ChannelWriter<ControlResponse> events)
        {
            var cluster = Akka.Cluster.Cluster.Get(Context.System);
            Receive<ClusterEvent.IMemberEvent>(e => events.TryWrite(Event(e.GetType().Name, e.Member.Address, e.Member.Status.ToString())));
            Receive<ClusterEvent.UnreachableMember>(e => events.TryWrite(Event("Unreachable", e.Member.Address, e.Member.Status.ToString())));
            Receive<ClusterEvent.ReachableMember>(e => events.TryWrite(Event("Reachable", e.Member.Address, e.Member.Status.ToString())));
            Receive<ClusterEvent.LeaderChanged>(e => events.TryWrite(Event("LeaderChanged", e.Leader, "")));
            cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
        }

        private static ControlResponse Event(string what, Address? address, string status)
        {
            var at = DateTimeOffset.UtcNow;
            return ControlResponse.Event($"{at:HH:mm:ss.fff} {what} {address} {status}".TrimEnd(), new JsonObject
            {
                ["at"] = at,
                ["event"] = what,
                ["address"] = address?.ToString(),
                ["status"] = status,
            });
        }

        protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private ControlResponse ActorSystemInfo()
    {
        var system = _node.System;
        var process = Process.GetCurrentProcess();
        return ControlResponse.Done($"{system.Name} at {_node.Cluster.SelfAddress}, up {system.Uptime:d\\.hh\\:mm\\:ss}", new JsonObject
        {
            ["name"] = system.Name,
            ["address"] = _node.Cluster.SelfAddress.ToString(),
            ["startTime"] = DateTimeOffset.FromUnixTimeMilliseconds(system.StartTime.Ticks / TimeSpan.TicksPerMillisecond),
            ["uptime"] = system.Uptime.ToString(@"d\.hh\:mm\:ss"),
            ["akkaVersion"] = typeof(ActorSystem).Assembly.GetName().Version?.ToString(),
            ["pid"] = Environment.ProcessId,
            ["threads"] = process.Threads.Count,
            ["workingSetMiB"] = process.WorkingSet64 / (1024 * 1024),
        });
    }

    private ControlResponse ActorHierarchy(string path, int depth)
    {
        var root = ((ExtendedActorSystem)_node.System).Provider.RootGuardian;
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var start = names.Length == 0 ? root : root.GetChild(names);
        if (start is Nobody || start.IsNobody())
        {
            throw new ControlException($"no actor at {path}");
        }

        var rows = new JsonArray();
        void Walk(IActorRef actor, int level)
        {
            rows.Add(new JsonObject { ["path"] = actor.Path.ToStringWithoutAddress(), ["depth"] = level });
            if (level < depth && actor is ActorRefWithCell withCell)
            {
                foreach (var child in withCell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal))
                {
                    Walk(child, level + 1);
                }
            }
        }

        Walk(start, 0);
        return ControlResponse.Done($"{rows.Count} actor(s) under {path}", new JsonObject { ["actors"] = rows });
    }

    private ControlResponse LogPeek(int count, LogLevel minimum)
    {
        var lines = _logRing.Recent(count, minimum);
        return ControlResponse.Done($"{lines.Count} line(s)", new JsonObject
        {
            ["lines"] = new JsonArray(lines.Select(l => (JsonNode)new JsonObject
            {
                ["timestamp"] = l.Timestamp,
                ["level"] = l.Level,
                ["source"] = l.Source,
                ["message"] = l.Message,
            }).ToArray()),
        });
    }

    /// <summary>
    /// Raising the level takes effect at once (the event stream stops carrying lower events to the
    /// loggers); lowering it reaches the actors whose loggers are created after the change, because
    /// Akka fixes an adapter's enabled levels when it is made.
    /// </summary>
    private ControlResponse LogSetLevel(LogLevel level)
    {
        var previous = _node.System.EventStream.LogLevel;
        _node.System.EventStream.SetLogLevel(level);
        _log.Warning("Management: log level changed from {0} to {1}", LogRing.Name(previous), LogRing.Name(level));
        return ControlResponse.Done($"log level {LogRing.Name(level)} (was {LogRing.Name(previous)})", new JsonObject
        {
            ["level"] = LogRing.Name(level),
            ["previous"] = LogRing.Name(previous),
        });
    }

    private async Task<ControlResponse> NodeList()
    {
        var snapshot = await _node.ControllerProxy.Ask<RegistrySnapshot>(GetRegistry.Instance, _node.Settings.AskTimeout);
        var nodes = snapshot.State.Nodes;
        return ControlResponse.Done($"{nodes.Count} node(s), registry v{snapshot.State.Version}", new JsonObject
        {
            ["nodes"] = new JsonArray(nodes.Select(n => (JsonNode)new JsonObject
            {
                ["name"] = n.Name,
                ["state"] = n.State.ToString(),
                ["subgroup"] = n.Subgroup,
                ["version"] = n.Version,
                ["fingerprint"] = n.Fingerprint,
                ["address"] = n.Address,
                ["since"] = n.Since,
            }).ToArray()),
            ["controller"] = snapshot.ControllerAddress,
            ["version"] = snapshot.State.Version,
        });
    }

    private Task<ControlResponse> Lifecycle(Principal caller, ControlRequest request, LifecycleAction action) =>
        Ask(caller, new ChangeNodeLifecycle(request.Arg("name"), action));

    private async Task<ControlResponse> KeysStats()
    {
        var objects = await ShardInspector.ObjectsAsync(_node.System, _node.Settings.AskTimeout);
        static JsonObject Count(IEnumerable<string> keys) => new(keys.GroupBy(k => k).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, (JsonNode?)g.Count())));
        return ControlResponse.Done($"{objects.Count} object(s)", new JsonObject
        {
            ["objects"] = objects.Count,
            ["byType"] = Count(objects.Select(o => o.Type.ToString())),
            ["byState"] = Count(objects.Select(o => o.State.ToString())),
            ["byWallet"] = Count(objects.Select(o => o.Wallet.Value ?? "(none)")),
        });
    }

    private IEnumerable<(Member Member, ActorSelection Inspector)> UpInspectors() =>
        _node.Cluster.State.Members.Where(m => m.Status == MemberStatus.Up)
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => (m, _node.System.ActorSelection(new RootActorPath(m.Address) / "user" / InspectorActor.Name)));

    /// <summary>
    /// Every Up member's digests side by side: a shard differs when any member lacks it or holds another
    /// digest. A member that does not answer is listed, not counted as a difference.
    /// </summary>
    private async Task<ControlResponse> ShardsCompared()
    {
        var asks = UpInspectors().Select(async i =>
        {
            try
            {
                return (i.Member, Answer: await i.Inspector.Ask<ShardsInspected>(InspectShards.Instance, _node.Settings.AskTimeout));
            }
            catch (AskTimeoutException)
            {
                return (i.Member, Answer: (ShardsInspected?)null);
            }
        }).ToArray();
        var answers = await Task.WhenAll(asks);
        var answered = answers.Where(a => a.Answer is not null).Select(a => a.Answer!).ToArray();
        var keys = answered.SelectMany(a => a.Shards.Select(s => s.Key)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var byNode = answered.ToDictionary(a => a.Node, a => a.Shards.ToDictionary(s => s.Key));
        var rows = new JsonArray();
        var differences = 0;
        foreach (var key in keys)
        {
            var digests = new JsonObject();
            var objects = new JsonObject();
            foreach (var (node, shards) in byNode)
            {
                digests[node] = shards.TryGetValue(key, out var shard) ? shard.Digest : null;
                objects[node] = shard?.Objects;
            }

            var differs = byNode.Values.Select(s => s.TryGetValue(key, out var shard) ? shard.Digest : null).Distinct().Count() > 1;
            differences += differs ? 1 : 0;
            rows.Add(new JsonObject { ["key"] = key, ["differs"] = differs, ["digests"] = digests, ["objects"] = objects });
        }

        var silent = answers.Where(a => a.Answer is null).Select(a => (JsonNode)a.Member.Address.ToString()).ToArray();
        return ControlResponse.Done(
            $"{keys.Length} shard(s) on {answered.Length} node(s), {differences} differ{(silent.Length > 0 ? $", {silent.Length} node(s) did not answer" : "")}",
            new JsonObject
            {
                ["nodes"] = new JsonArray(byNode.Keys.Order(StringComparer.Ordinal).Select(n => (JsonNode)n).ToArray()),
                ["shards"] = rows,
                ["differences"] = differences,
                ["unanswered"] = new JsonArray(silent),
            });
    }

    /// <summary>
    /// What is measured, per Up member: the round trip of a request to its inspector (the link's latency
    /// now), and how long after this node writes a probe register locally the member's replica holds it
    /// (polled every 50 ms). The probe is written with local consistency, so the second figure is
    /// gossip dissemination: the worst case for a key-store write on a node outside its write quorum.
    /// </summary>
    private async Task<ControlResponse> ReplicationLag()
    {
        var timeout = _node.Settings.AskTimeout;
        var cluster = _node.Cluster;
        var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToHashSet();
        var probe = $"{_node.Manifest.Name}-{Guid.NewGuid():N}";
        var replicator = DistributedData.Get(_node.System).Replicator;
        var self = cluster.SelfUniqueAddress;
        var written = Stopwatch.StartNew();
        var update = await replicator.Ask<IUpdateResponse>(new Update(InspectorActor.LagProbeKey, new LWWRegister<string>(self, ""),
            WriteLocal.Instance, existing => ((LWWRegister<string>)existing).WithValue(self, probe)), timeout);
        if (!update.IsSuccessful)
        {
            return ControlResponse.Refused($"could not write the lag probe locally ({update.GetType().Name})");
        }

        var links = await Task.WhenAll(UpInspectors().Select(async i =>
        {
            var row = new JsonObject { ["address"] = i.Member.Address.ToString(), ["reachable"] = !unreachable.Contains(i.Member.Address) };
            try
            {
                var ping = Stopwatch.StartNew();
                var who = await i.Inspector.Ask<NodeInspected>(InspectNode.Instance, timeout);
                row["node"] = who.Node;
                row["roundTripMs"] = Math.Round(ping.Elapsed.TotalMilliseconds, 1);
                row["lastContact"] = DateTimeOffset.UtcNow;
                while (written.Elapsed < timeout)
                {
                    if ((await i.Inspector.Ask<LagProbeSeen>(new SeesLagProbe(probe), timeout)).Seen)
                    {
                        row["replicationMs"] = Math.Round(written.Elapsed.TotalMilliseconds, 1);
                        break;
                    }

                    await Task.Delay(50);
                }
            }
            catch (AskTimeoutException)
            {
                row["error"] = "did not answer";
            }

            row["replicationMs"] ??= null;
            return (JsonNode)row;
        }));
        var missing = links.Count(l => l!["replicationMs"] is null);
        return ControlResponse.Done($"{links.Length} link(s){(missing > 0 ? $", {missing} without the probe after {timeout.TotalSeconds:0}s" : "")}",
            new JsonObject { ["from"] = _node.Manifest.Name, ["links"] = new JsonArray(links) });
    }

    private async Task<ControlResponse> Mode()
    {
        var mode = await _node.Vault.ModeAsync();
        var name = mode.Restricted ? "restricted" : "normal";
        return ControlResponse.Done($"{name}: {mode.Reason}", new JsonObject
        {
            ["mode"] = name,
            ["reason"] = mode.Reason,
            ["reachable"] = mode.Reachable,
            ["members"] = mode.Members,
        });
    }
}
