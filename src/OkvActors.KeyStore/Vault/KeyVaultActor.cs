using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Vault;

/// <summary>
/// This node's door to the replicated key store. Reads are local (every node holds every shard); a write
/// is an Update of the object's shard through the Replicator with the configured consistency, answered
/// only when that quorum holds it. A change runs inside the Replicator's modify function, so the lifecycle
/// check and the write it allows see the same replica. Tracks reachability to know when the node is in
/// restricted (read-only) mode, and then refuses writes at once instead of letting them time out.
/// </summary>
public sealed class KeyVaultActor : ReceiveActor
{
    /// <summary>Who asked about which object; for a write also the object as written (set inside modify).</summary>
    private sealed record Pending(IActorRef ReplyTo, string Uid)
    {
        public ManagedObject? Written { get; set; }
    }

    /// <summary>A change waiting for its majority read; then it becomes a write.</summary>
    private sealed record PendingChange(IActorRef ReplyTo, ChangeObject Change);

    /// <summary>A read that missed locally and asked a majority.</summary>
    private sealed record PendingRead(IActorRef ReplyTo, string Uid);

    /// <summary>An access change waiting for its quorum; the registry as written is set inside modify.</summary>
    private sealed record PendingAccess(IActorRef ReplyTo)
    {
        public AccessRegistry? Written { get; set; }
    }

    private sealed record PendingAccessRead(IActorRef ReplyTo, bool Majority);

    private sealed record PendingAccessChange(IActorRef ReplyTo, ChangeAccess Change);

    /// <summary>A locate gathering every shard's local replica.</summary>
    private sealed class PendingScan(IActorRef replyTo, LocateObjects locate, int shards)
    {
        public IActorRef ReplyTo { get; } = replyTo;

        public LocateObjects Locate { get; } = locate;

        public int Outstanding { get; set; } = shards;

        public List<ManagedObject> Found { get; } = [];
    }

    private sealed class MissingObject(string uid) : Exception($"no object {uid}");

    public static readonly AccessRegistryKey AccessKey = new("okv-access");

    private readonly Dictionary<Address, MemberStatus> _members = [];
    private readonly HashSet<Address> _unreachable = [];

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly AkkaCluster _cluster = AkkaCluster.Get(Context.System);
    private readonly KeyStoreSettings _settings;
    private ModeStatus _mode = WriteQuorum.Evaluate(1, 1);
    private int _expected;

    public KeyVaultActor(KeyStoreSettings settings)
    {
        _settings = settings;
        Receive<StoreObject>(s => Write(s.Object.Uid, _ => s.Object));
        // A change first reads a majority, so it is judged against every acknowledged write (a majority
        // read meets every majority write), then runs against the merged local replica.
        Receive<ChangeObject>(c =>
        {
            // Refused at once in restricted mode, as a new object is: the majority read would only time out.
            if (_mode.Restricted)
            {
                Sender.Tell(new WriteRefused(_mode.Reason, true));
                return;
            }

            _replicator.Tell(new Get(KeyOf(c.Uid), new ReadMajority(_settings.WriteTimeout), new PendingChange(Sender, c)));
        });
        Receive<IGetResponse>(r => r.Request is PendingChange, response =>
        {
            var (replyTo, change) = (PendingChange)response.Request!;
            switch (response)
            {
                case GetFailure:
                    replyTo.Tell(new WriteRefused(
                        $"could not read {change.Uid} from a majority of nodes within {_settings.WriteTimeout.TotalSeconds:0}s; nothing was changed", false));
                    break;
                case NotFound:
                    replyTo.Tell(new ObjectNotFound(change.Uid));
                    break;
                default:
                    Write(change.Uid, shard => change.Change(shard.Get(change.Uid) ?? throw new MissingObject(change.Uid)), replyTo);
                    break;
            }
        });
        Receive<GetObject>(g => _replicator.Tell(g.Freshness == ReadFreshness.Latest && !_mode.Restricted
            ? new Get(KeyOf(g.Uid), new ReadMajority(_settings.WriteTimeout), new PendingRead(Sender, g.Uid))
            : new Get(KeyOf(g.Uid), ReadLocal.Instance, new Pending(Sender, g.Uid))));
        // No majority answered: serve this node's replica rather than nothing.
        Receive<GetFailure>(r => r.Request is PendingRead, response =>
        {
            var pending = (PendingRead)response.Request!;
            _replicator.Tell(new Get(KeyOf(pending.Uid), ReadLocal.Instance, new Pending(pending.ReplyTo, pending.Uid)));
        });
        Receive<IGetResponse>(r => r.Request is PendingRead, response =>
        {
            var pending = (PendingRead)response.Request!;
            pending.ReplyTo.Tell(Found(response, pending.Uid));
        });
        Receive<GetMode>(_ => Sender.Tell(_mode));
        Receive<GetAccess>(g => _replicator.Tell(g.Freshness == ReadFreshness.Latest && !_mode.Restricted
            ? new Get(AccessKey, new ReadMajority(_settings.WriteTimeout), new PendingAccessRead(Sender, true))
            : new Get(AccessKey, ReadLocal.Instance, new PendingAccessRead(Sender, false))));
        Receive<IGetResponse>(r => r.Request is PendingAccessRead, response =>
        {
            var (replyTo, majority) = (PendingAccessRead)response.Request!;
            if (response is GetFailure && majority)
            {
                // No majority answered: this node's replica rather than nothing.
                _replicator.Tell(new Get(AccessKey, ReadLocal.Instance, new PendingAccessRead(replyTo, false)));
                return;
            }

            replyTo.Tell(new AccessFound(response is GetSuccess { Data: AccessRegistry registry } ? registry : AccessRegistry.Empty));
        });
        // Like an object change, an access change is judged against a majority's merged registry first.
        Receive<ChangeAccess>(c =>
        {
            if (_mode.Restricted)
            {
                Sender.Tell(new WriteRefused(_mode.Reason, true));
                return;
            }

            _replicator.Tell(new Get(AccessKey, new ReadMajority(_settings.WriteTimeout), new PendingAccessChange(Sender, c)));
        });
        Receive<IGetResponse>(r => r.Request is PendingAccessChange, response =>
        {
            var (replyTo, change) = (PendingAccessChange)response.Request!;
            if (response is GetFailure)
            {
                replyTo.Tell(new WriteRefused(
                    $"could not read the access registry from a majority of nodes within {_settings.WriteTimeout.TotalSeconds:0}s; nothing was changed", false));
                return;
            }

            var pending = new PendingAccess(replyTo);
            _replicator.Tell(new Update(AccessKey, AccessRegistry.Empty, _settings.WriteConsistency, existing =>
            {
                pending.Written = change.Change((AccessRegistry)existing);
                return pending.Written;
            }, pending));
        });
        Receive<IUpdateResponse>(r => r.Request is PendingAccess, response =>
        {
            var pending = (PendingAccess)response.Request!;
            pending.ReplyTo.Tell(response switch
            {
                UpdateSuccess => new AccessChanged(pending.Written!),
                ModifyFailure { Cause: AccessChangeException e } => new AccessChangeRefused(e.Message),
                UpdateTimeout => new WriteRefused(
                    $"the access change was not confirmed by a {_settings.WriteConsistencyName} of nodes within {_settings.WriteTimeout.TotalSeconds:0}s; it is not acknowledged",
                    false),
                _ => new WriteRefused($"the access change failed ({response.GetType().Name})", false),
            });
        });
        Receive<LocateObjects>(locate =>
        {
            var scan = new PendingScan(Sender, locate, _settings.ShardCount);
            for (var shard = 0; shard < _settings.ShardCount; shard++)
            {
                _replicator.Tell(new Get(new KeyShardKey(ShardMap.KeyId(shard)), ReadLocal.Instance, scan));
            }
        });
        Receive<IGetResponse>(r => r.Request is PendingScan, response =>
        {
            var scan = (PendingScan)response.Request!;
            if (response is GetSuccess { Data: KeyShard shard })
            {
                scan.Found.AddRange(scan.Locate.Visible is { } visible ? shard.Objects.Values.Where(visible) : shard.Objects.Values);
            }

            if (--scan.Outstanding == 0)
            {
                scan.ReplyTo.Tell(new ObjectsLocated(Catalog.Locate(scan.Found, scan.Locate.Filter)));
            }
        });
        Receive<ExpectedMembers>(e =>
        {
            _expected = e.Count;
            EvaluateMode();
        });
        Receive<IGetResponse>(r => r.Request is Pending, response =>
        {
            var pending = (Pending)response.Request!;
            pending.ReplyTo.Tell(Found(response, pending.Uid));
        });
        Receive<IUpdateResponse>(r => r.Request is Pending, response =>
        {
            var pending = (Pending)response.Request!;
            pending.ReplyTo.Tell(response switch
            {
                UpdateSuccess => new ObjectStored(pending.Written!),
                ModifyFailure { Cause: MissingObject } => new ObjectNotFound(pending.Uid),
                ModifyFailure { Cause: AccessDeniedException { Denied.Hidden: true } } => new ObjectNotFound(pending.Uid),
                ModifyFailure { Cause: AccessDeniedException e } => new AccessDenied(pending.Uid, e.Message),
                ModifyFailure { Cause: IllegalTransitionException e } => new TransitionRefused(pending.Uid, e.Message),
                UpdateTimeout => new WriteRefused(
                    $"the write to {pending.Uid} was not confirmed by a {_settings.WriteConsistencyName} of nodes within {_settings.WriteTimeout.TotalSeconds:0}s; it is not acknowledged",
                    false),
                _ => new WriteRefused($"the write to {pending.Uid} failed ({response.GetType().Name})", false),
            });
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e is ClusterEvent.MemberRemoved)
            {
                _members.Remove(e.Member.Address);
                _unreachable.Remove(e.Member.Address);
            }
            else
            {
                _members[e.Member.Address] = e.Member.Status;
            }

            EvaluateMode();
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.Address);
            EvaluateMode();
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.Address);
            EvaluateMode();
        });
    }

    public static Props Props(KeyStoreSettings settings) => Akka.Actor.Props.Create(() => new KeyVaultActor(settings));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private KeyShardKey KeyOf(string uid) => new(ShardMap.KeyId(ShardMap.ShardOf(uid, _settings.ShardCount)));

    private static IVaultReply Found(IGetResponse response, string uid) =>
        response is GetSuccess { Data: KeyShard shard } && shard.Get(uid) is { } found ? new ObjectFound(found) : new ObjectNotFound(uid);

    private void Write(string uid, Func<KeyShard, ManagedObject> change, IActorRef? replyTo = null)
    {
        replyTo ??= Sender;
        if (_mode.Restricted)
        {
            replyTo.Tell(new WriteRefused(_mode.Reason, true));
            return;
        }

        var pending = new Pending(replyTo, uid);
        _replicator.Tell(new Update(KeyOf(uid), KeyShard.Empty, _settings.WriteConsistency, existing =>
        {
            var shard = (KeyShard)existing;
            var next = shard.Put(change(shard));
            pending.Written = next.Get(uid);
            return next;
        }, pending));
    }

    /// <summary>Counts members from the events themselves (the cluster's read view may lag behind them).</summary>
    private void EvaluateMode()
    {
        static bool Counts(MemberStatus s) => s is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.WeaklyUp;
        var members = _members.Count(m => Counts(m.Value));
        var unreachable = _members.Count(m => Counts(m.Value) && _unreachable.Contains(m.Key));
        var next = WriteQuorum.Evaluate(Math.Max(Math.Max(members, _expected), 1), Math.Max(members - unreachable, 1));
        if (next.Restricted != _mode.Restricted)
        {
            if (next.Restricted)
            {
                _log.Warning("Entering restricted mode: {0}", next.Reason);
            }
            else
            {
                _log.Info("Leaving restricted mode: {0}", next.Reason);
            }
        }

        _mode = next;
    }
}

/// <summary>The Distributed Data key of the access registry (endpoints, wallets, grants).</summary>
public sealed class AccessRegistryKey(string id) : Key<AccessRegistry>(id);

/// <summary>The Distributed Data key of one key shard.</summary>
public sealed class KeyShardKey(string id) : Key<KeyShard>(id);
