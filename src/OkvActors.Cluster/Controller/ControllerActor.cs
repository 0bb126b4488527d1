using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Pki.Sealing;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Controller;

/// <summary>
/// The controller: a cluster singleton that owns membership policy. It sequences commands one at a
/// time, decides them with <see cref="ControllerRules"/>, and answers only after the new registry is
/// durable on a majority (the <see cref="ControllerRegistry"/> key). It also downs any member that
/// joined without admission. Its state lives in Distributed Data, not in the actor, so a hand-over to
/// the next-oldest node starts from the same registry.
/// </summary>
public sealed class ControllerActor : ReceiveActor, IWithStash, IWithTimers
{
    /// <summary>A decided command on its way to a majority; <see cref="Attempt"/> counts its decisions (see <see cref="MaxDecisions"/>).</summary>
    private sealed record PendingWrite(
        IControllerCommand Command, int Attempt, ControllerState NewState, IActorRef ReplyTo, IControllerReply Reply, Action? SideEffect);

    /// <summary>A command decided from a copy older than the local replica is decided again from the newer one, this often at most.</summary>
    private const int MaxDecisions = 3;

    private sealed record SuspectMember(Address Address);

    private sealed class RetryLoad
    {
        public static readonly RetryLoad Instance = new();
    }

    private static readonly object InitialLoad = new();

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AkkaCluster _cluster = AkkaCluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly NodeDirectory _directory;
    private readonly NodeCredentials _credentials;
    private readonly OkvClusterSettings _settings;
    private readonly TimeProvider _time;
    private readonly string _writer;
    private ControllerState? _state;

    public ControllerActor(NodeDirectory directory, NodeCredentials credentials, OkvClusterSettings settings, TimeProvider time, string writer)
    {
        _directory = directory;
        _credentials = credentials;
        _settings = settings;
        _time = time;
        _writer = writer;
        Loading();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeDirectory directory, NodeCredentials credentials, OkvClusterSettings settings, TimeProvider time, string writer) =>
        Akka.Actor.Props.Create(() => new ControllerActor(directory, credentials, settings, time, writer));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));
        // A registry written elsewhere (a previous controller's last write, arriving after a hand-over) is adopted as it
        // arrives, so the next decision starts from it.
        _replicator.Tell(new Subscribe(ControllerRegistry.Key, Self));
        _replicator.Tell(new Get(ControllerRegistry.Key, new ReadMajority(_settings.WriteTimeout), InitialLoad));
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _replicator.Tell(new Unsubscribe(ControllerRegistry.Key, Self));
    }

    private IWriteConsistency WriteMajority => new WriteMajority(_settings.WriteTimeout);

    private void Loading()
    {
        Receive<GetSuccess>(s => s.Request == InitialLoad, s =>
        {
            _state = ((ControllerRegistry)s.Data).State;
            Ready($"loaded registry v{_state.Version}");
        });
        Receive<NotFound>(n => n.Request == InitialLoad, _ =>
        {
            if (File.Exists(_directory.GenesisFile))
            {
                var genesis = System.Text.Json.JsonSerializer.Deserialize<ControllerState>(
                    File.ReadAllText(_directory.GenesisFile), GenesisJson.Options)!;
                _log.Info("Controller starts the registry from this node's genesis (cluster {0})", genesis.Policy.ClusterName);
                _replicator.Tell(new Update(ControllerRegistry.Key, new ControllerRegistry(genesis), WriteMajority,
                    _ => new ControllerRegistry(genesis), InitialLoad));
                _state = genesis;
                return;
            }

            _log.Warning("Controller found no registry on a majority yet; retrying");
            Timers.StartSingleTimer(RetryLoad.Instance, RetryLoad.Instance, TimeSpan.FromSeconds(2));
        });
        Receive<UpdateSuccess>(u => u.Request == InitialLoad, _ => Ready("registry created from genesis"));
        Receive<IUpdateFailure>(u => u.Request == InitialLoad, f =>
        {
            _log.Warning("Controller could not write the genesis registry to a majority ({0}); retrying", f.GetType().Name);
            Timers.StartSingleTimer(RetryLoad.Instance, RetryLoad.Instance, TimeSpan.FromSeconds(2));
        });
        Receive<GetFailure>(f => f.Request == InitialLoad, _ =>
        {
            // No majority answered: fall back to this node's durable replica rather than stall.
            _replicator.Tell(new Get(ControllerRegistry.Key, ReadLocal.Instance, InitialLoad));
        });
        Receive<RetryLoad>(_ =>
            _replicator.Tell(new Get(ControllerRegistry.Key, new ReadMajority(_settings.WriteTimeout), InitialLoad)));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready(string why)
    {
        _log.Info("Controller ready on {0}: {1}", _cluster.SelfAddress, why);
        Become(Serving);
        Stash.UnstashAll();
        foreach (var member in _cluster.State.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp))
        {
            CheckMember(member.Address);
        }
    }

    private ControllerState State => _state!;

    private void Serving()
    {
        Receive<GetRegistry>(_ => Sender.Tell(new RegistrySnapshot(State, _cluster.SelfAddress.ToString())));
        Receive<IControllerCommand>(c => Handle(c, Sender, attempt: 1));
        Membership();
    }

    private void Handle(IControllerCommand command, IActorRef replyTo, int attempt)
    {
        switch (command)
        {
            case ApproveCandidate c:
                Decide(c, attempt, replyTo, ControllerRules.Approve(State, c, Now, _writer));
                break;
            case AddSubgroup c:
                Decide(c, attempt, replyTo, ControllerRules.AddSubgroup(State, c, _writer));
                break;
            case ChangeNodeLifecycle c:
                Decide(c, attempt, replyTo, ControllerRules.ChangeLifecycle(State, c, Now, _writer), LifecycleEffect(c));
                break;
            case RevokeCertificate c:
                Decide(c, attempt, replyTo, ControllerRules.RevokeCertificate(State, c, Now, _writer));
                break;
            case WithdrawAdmission c:
                Decide(c, attempt, replyTo, ControllerRules.Withdraw(State, c, Now, _writer), DownIfStillMember(c.Name));
                break;
            case RequestAdmission c:
                Admit(c, attempt, replyTo);
                break;
            default:
                Unhandled(command);
                break;
        }
    }

    private void Writing(PendingWrite pending)
    {
        Receive<UpdateSuccess>(u => ReferenceEquals(u.Request, pending), _ =>
        {
            _state = pending.NewState;
            _log.Info("Controller registry v{0}: {1}", State.Version, Describe(pending.Reply));
            pending.ReplyTo.Tell(pending.Reply);
            pending.SideEffect?.Invoke();
            Become(Serving);
            Stash.UnstashAll();
        });
        Receive<ModifyFailure>(u => ReferenceEquals(u.Request, pending) && pending.Attempt < MaxDecisions, _ =>
        {
            // The local replica is newer than the copy the command was decided from: read it and decide again.
            _log.Info("Controller decided from registry v{0} but a newer one is here; deciding again", State.Version);
            _replicator.Tell(new Get(ControllerRegistry.Key, ReadLocal.Instance, pending));
            Become(() => Refreshing(pending));
        });
        Receive<IUpdateFailure>(u => ReferenceEquals(u.Request, pending), failure =>
        {
            // A timed-out majority write is still applied locally and spreads when the quorum returns,
            // so keep it as our state; the caller is told it is not confirmed.
            if (failure is UpdateTimeout)
            {
                _state = pending.NewState;
            }

            var reason = failure is ModifyFailure m
                ? $"the registry changed underneath the controller ({m.ErrorMessage}); retry"
                : "the controller could not reach a majority of nodes (restricted mode): the change is not confirmed; retry when the quorum is back";
            _log.Warning("Controller write not confirmed: {0}", reason);
            pending.ReplyTo.Tell(pending.Reply is Admitted
                ? new AdmissionRejected(AdmissionRefusal.RestrictedMode, reason)
                : new CommandRejected(reason));
            Become(Serving);
            Stash.UnstashAll();
        });
        Membership();
        ReceiveAny(_ => Stash.Stash());
    }

    private void Refreshing(PendingWrite pending)
    {
        Receive<IGetResponse>(r => ReferenceEquals(r.Request, pending), response =>
        {
            if (response is GetSuccess success)
            {
                MergeIntoState(((ControllerRegistry)success.Data).State);
            }

            Become(Serving);
            Stash.UnstashAll();
            Handle(pending.Command, pending.ReplyTo, pending.Attempt + 1);
        });
        Membership();
        ReceiveAny(_ => Stash.Stash());
    }

    private void Membership()
    {
        Receive<Changed>(c => c.Key.Equals(ControllerRegistry.Key), c => MergeIntoState(c.Get(ControllerRegistry.Key).State));
        Receive<ClusterEvent.MemberUp>(e => CheckMember(e.Member.Address));
        Receive<ClusterEvent.MemberJoined>(e => CheckMember(e.Member.Address));
        Receive<ClusterEvent.MemberWeaklyUp>(e => CheckMember(e.Member.Address));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<GetSuccess>(s => s.Request is SuspectMember, s =>
        {
            MergeIntoState(((ControllerRegistry)s.Data).State);
            DownIfNotAdmitted(((SuspectMember)s.Request!).Address);
        });
        Receive<IGetResponse>(r => r.Request is SuspectMember, r => DownIfNotAdmitted(((SuspectMember)r.Request!).Address));
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private void Admit(RequestAdmission request, int attempt, IActorRef replyTo)
    {
        var outcome = ControllerRules.Admit(State, request, SoftwareVersion.Current, Now, _writer);
        if (!outcome.Accepted)
        {
            _log.Warning("Controller refused admission of '{0}' from {1}: {2}", request.Name, request.Address, outcome.What);
            replyTo.Tell(new AdmissionRejected(outcome.Refusal!.Value, outcome.What));
            return;
        }

        var approval = State.ApprovalOf(Pki.Certificates.Fingerprint.Normalize(request.Fingerprint))!;
        var candidateKey = PublicKey.CreateFromSubjectPublicKeyInfo(approval.PublicKeyInfo, out _);
        var seeds = _cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up)
            .OrderBy(m => m, Member.AgeOrdering)
            .Select(m => m.Address.ToString())
            .ToArray();
        var admitted = new Admitted(
            State.Policy.ClusterName,
            seeds,
            PublicKeyWrap.Wrap(_credentials.Kek, candidateKey, NodeCredentials.KekPurpose),
            File.ReadAllBytes(_directory.SealedCaKeyFile),
            File.ReadAllBytes(_directory.SealedKekFile));
        Write(new PendingWrite(request, attempt, outcome.NewState!, replyTo, admitted, null));
    }

    private void Decide(IControllerCommand command, int attempt, IActorRef replyTo, RuleOutcome outcome, Func<ControllerState, Action?>? effect = null)
    {
        if (!outcome.Accepted)
        {
            _log.Info("Controller refused a command: {0}", outcome.What);
            replyTo.Tell(new CommandRejected(outcome.What));
            return;
        }

        Write(new PendingWrite(command, attempt, outcome.NewState!, replyTo, new CommandAccepted(outcome.What, outcome.NewState!), effect?.Invoke(State)));
    }

    private void Write(PendingWrite pending)
    {
        var newState = pending.NewState;
        // A decision that changes nothing (a repeated withdrawal) writes the registry it was decided from again, so
        // the reply still means "on a majority"; a new version would make the replicas disagree over nothing.
        var unchanged = ReferenceEquals(newState, State);
        _replicator.Tell(new Update(ControllerRegistry.Key, new ControllerRegistry(newState), WriteMajority, existing =>
        {
            var current = (ControllerRegistry)existing;
            if (current.State.Version > newState.Version || (current.State.Version == newState.Version && !unchanged))
            {
                throw new InvalidOperationException(
                    $"registry is at v{current.State.Version}, this controller decided from an older copy");
            }

            return unchanged ? current : new ControllerRegistry(newState);
        }, pending));
        Become(() => Writing(pending));
    }

    private Func<ControllerState, Action?> LifecycleEffect(ChangeNodeLifecycle command) => before =>
    {
        if (before.Node(command.Name)?.Address is not { } text)
        {
            return null;
        }

        var address = Address.Parse(text);
        return command.Action switch
        {
            LifecycleAction.Disable or LifecycleAction.Remove => () => _cluster.Leave(address),
            LifecycleAction.ForceRemove => () => _cluster.Down(address),
            _ => null,
        };
    };

    /// <summary>A node that withdrew but could not leave (its peers were unreachable) is downed, as any non-admitted member is.</summary>
    private Func<ControllerState, Action?> DownIfStillMember(string name) => before =>
        before.Node(name)?.Address is { } text && Address.Parse(text) is var address && _cluster.State.Members.Any(m => m.Address == address)
            ? () => _cluster.Down(address)
            : null;

    private void CheckMember(Address address)
    {
        if (State.NodeByAddress(address.ToString()) is { State: NodeState.Active })
        {
            return;
        }

        // Our copy may be older than the latest majority write (fresh hand-over): ask a majority first.
        _replicator.Tell(new Get(ControllerRegistry.Key, new ReadMajority(_settings.WriteTimeout), new SuspectMember(address)));
    }

    private void DownIfNotAdmitted(Address address)
    {
        var node = State.NodeByAddress(address.ToString());
        if (node is { State: NodeState.Active } || !_cluster.State.Members.Any(m => m.Address == address))
        {
            return;
        }

        var why = node is null ? "it joined without admission (not in the registry)" : $"node '{node.Name}' is {node.State}";
        _log.Warning("Controller downs member {0}: {1}", address, why);
        _cluster.Down(address);
    }

    private void MergeIntoState(ControllerState other)
    {
        if (other.Version > State.Version)
        {
            _state = other;
        }
    }

    private static string Describe(IControllerReply reply) => reply switch
    {
        CommandAccepted a => a.What,
        Admitted a => $"admitted a node into {a.ClusterName}",
        _ => reply.GetType().Name,
    };
}

/// <summary>JSON options for genesis.json (the same shape the wire serializer writes).</summary>
public static class GenesisJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
