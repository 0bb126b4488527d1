using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Akka.Remote;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Membership;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Vault;

/// <summary>
/// This node's door to the replicated key store. Reads are served from this node's replica (every node
/// holds every shard) once it is confirmed current (<see cref="ConfirmedReplicas"/>). An object write is a local
/// Update of its shard through the Replicator (stored durably here), sent as written to every peer's vault in
/// batches (<see cref="WriteFanOut"/>), and answered only when the configured quorum holds it durably; an access
/// change is an Update with that consistency. Every write goes to every reachable node, so confirmed replicas stay
/// current without a read from other nodes. A change runs inside the
/// Replicator's modify function, so the lifecycle check and the write it allows see the same replica.
/// Tracks reachability to know when the node is in restricted (read-only) mode, and then refuses writes
/// at once instead of letting them time out.
/// </summary>
public sealed class KeyVaultActor : ReceiveActor, IWithTimers
{
    /// <summary>Sent from inside the Replicator's modify: the write is in this node's replica, and goes to the peers now.</summary>
    private sealed record Written(PendingWrite Write);

    /// <summary>Sends what <see cref="WriteFanOut"/> queued; it arrives after whatever was in the mailbox when the first write queued.</summary>
    private sealed record FlushWrites
    {
        public static readonly FlushWrites Instance = new();
    }

    /// <summary>Periodic while writes are open: sends unconfirmed ones again, gives up on those past their deadline.</summary>
    private sealed record CheckWrites
    {
        public static readonly CheckWrites Instance = new();
    }

    /// <summary>A peer's <see cref="ReplicaBatch"/> being stored here: one local Update per shard it touches.</summary>
    private sealed class ReplicaApply(IActorRef replyTo, long id, int updates)
    {
        public IActorRef ReplyTo { get; } = replyTo;

        public long Id { get; } = id;

        public int Outstanding { get; set; } = updates;

        public bool Failed { get; set; }
    }

    /// <summary>Asks a disconnected member's replicator who it is: an answer means it is alive after all.</summary>
    private sealed record ProbeSuspect(Address Member);

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>A change waiting for its majority read; then it becomes a write.</summary>
    private sealed record PendingChange(IActorRef ReplyTo, ChangeObject Change, long Deadline);

    /// <summary>
    /// A read of an object's shard (<paramref name="Uid"/>) or of the access registry (Uid null). A
    /// majority read that answers confirms the replica for its epoch; a local read of a confirmed replica
    /// that misses the object asks a majority (<paramref name="MajorityOnMiss"/>).
    /// </summary>
    private sealed record PendingRead(IActorRef ReplyTo, IKey Key, string? Uid, bool Majority, bool MajorityOnMiss, int Epoch, long Deadline);

    /// <summary>An access change waiting for its quorum; the registry as written is set inside modify.</summary>
    private sealed record PendingAccess(IActorRef ReplyTo, bool ToAll)
    {
        public AccessRegistry? Written { get; set; }
    }

    private sealed record PendingAccessChange(IActorRef ReplyTo, ChangeAccess Change, long Deadline);

    /// <summary>A locate gathering every shard, from this node's replica or a majority's (in attempts until <see cref="Deadline"/>).</summary>
    private sealed class PendingScan(IActorRef replyTo, LocateObjects locate, int shards, long deadline)
    {
        public IActorRef ReplyTo { get; } = replyTo;

        public long Deadline { get; } = deadline;

        public LocateObjects Locate { get; } = locate;

        public int Outstanding { get; set; } = shards;

        /// <summary>Shards a majority read could not answer (only a locate from a majority reads one).</summary>
        public int Unanswered { get; set; }

        public List<ManagedObject> Found { get; } = [];
    }

    private sealed class MissingObject(string uid) : Exception($"no object {uid}");

    public static readonly AccessRegistryKey AccessKey = new("okv-access");

    private readonly Dictionary<Address, Member> _members = [];
    private readonly HashSet<Address> _unreachable = [];
    private readonly HashSet<Address> _suspects = [];
    private readonly HashSet<Address> _lagging = [];
    private readonly Dictionary<Address, IActorRef> _peerVaults = [];
    private readonly HashSet<PendingWrite> _writes = [];
    private readonly WritesToAll _toAll = new();
    private readonly WriteFanOut _fanOut;
    private IReadOnlyList<BrokenLink> _brokenLinks = [];

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly AkkaCluster _cluster = AkkaCluster.Get(Context.System);
    private readonly KeyStoreSettings _settings;
    private readonly ConfirmedReplicas _confirmed = new();
    private ModeStatus _mode = WriteQuorum.Evaluate(1, 1);
    private int _expected;
    private ReplicatorPacer.Notifier? _pacer;

    public KeyVaultActor(KeyStoreSettings settings)
    {
        _settings = settings;
        _fanOut = new WriteFanOut(settings.FanOut.MaxBatchObjects, settings.FanOut.MaxBatchBytes);
        // A new object goes to every node as a change does (acknowledged by the configured quorum if one times
        // out). Sent only to a majority, the others got it a delta round later, and until then every shard
        // written to differed between replicas, so each gossip round re-sent whole shards: measured, that cost
        // a node under write load a third of its CPU. A node that still lacks it asks a majority when read.
        Receive<StoreObject>(s => Write(s.Object.Uid, _ => s.Object, Sender));
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

            var deadline = NewDeadline();
            _replicator.Tell(new Get(KeyOf(c.Uid), MajorityRead(deadline), new PendingChange(Sender, c, deadline)));
        });
        Receive<IGetResponse>(r => r.Request is PendingChange, response =>
        {
            var (replyTo, change, deadline) = (PendingChange)response.Request!;
            switch (response)
            {
                case GetFailure failure when ReadAgain(failure, deadline):
                    break;
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
        Receive<GetObject>(g => Read(KeyOf(g.Uid), g.Uid, g.Freshness));
        Receive<GetAccess>(g => Read(AccessKey, null, g.Freshness));
        Receive<IGetResponse>(r => r.Request is PendingRead, response =>
        {
            var read = (PendingRead)response.Request!;
            if (read.Majority && response is GetFailure failure && ReadAgain(failure, read.Deadline))
            {
                return;
            }

            if (read.Majority && response is GetFailure)
            {
                // No majority answered: this node's replica rather than nothing.
                _replicator.Tell(new Get(read.Key, ReadLocal.Instance, read with { Majority = false, MajorityOnMiss = false }));
                return;
            }

            if (read.Majority)
            {
                _confirmed.Confirm(read.Key.Id, read.Epoch);
            }
            else if (read.MajorityOnMiss && read.Uid is not null && Found(response, read.Uid) is ObjectNotFound)
            {
                // Not here yet: created on another node a moment ago, acknowledged by a majority without us.
                var deadline = NewDeadline();
                _replicator.Tell(new Get(read.Key, MajorityRead(deadline), read with { Majority = true, MajorityOnMiss = false, Deadline = deadline }));
                return;
            }

            read.ReplyTo.Tell(read.Uid is null
                ? new AccessFound(response is GetSuccess { Data: AccessRegistry registry } ? registry : AccessRegistry.Empty)
                : Found(response, read.Uid));
        });
        Receive<GetMode>(_ => Sender.Tell(_mode));
        Receive<GetWriteFanOut>(_ => Sender.Tell(new WriteFanOutStatus(
            [.. _lagging.Select(a => a.ToString()).Order(StringComparer.Ordinal)], _writes.Count, _fanOut.Unanswered)));
        Receive<GetReplicationPacing>(g =>
        {
            if (_pacer is null)
            {
                Sender.Tell(ReplicationPacing.Unpaced);
            }
            else
            {
                _pacer.Pacer.Forward(g);
            }
        });
        // Like an object change, an access change is judged against a majority's merged registry first.
        Receive<ChangeAccess>(c =>
        {
            if (_mode.Restricted)
            {
                Sender.Tell(new WriteRefused(_mode.Reason, true));
                return;
            }

            var deadline = NewDeadline();
            _replicator.Tell(new Get(AccessKey, MajorityRead(deadline), new PendingAccessChange(Sender, c, deadline)));
        });
        Receive<IGetResponse>(r => r.Request is PendingAccessChange, response =>
        {
            var (replyTo, change, deadline) = (PendingAccessChange)response.Request!;
            if (response is GetFailure failure && ReadAgain(failure, deadline))
            {
                return;
            }

            if (response is GetFailure)
            {
                replyTo.Tell(new WriteRefused(
                    $"could not read the access registry from a majority of nodes within {_settings.WriteTimeout.TotalSeconds:0}s; nothing was changed", false));
                return;
            }

            var pending = new PendingAccess(replyTo, WritesReachEveryone);
            Change(new Update(AccessKey, AccessRegistry.Empty, ConsistencyFor(pending.ToAll), existing =>
            {
                pending.Written = change.Change((AccessRegistry)existing);
                return pending.Written;
            }, pending));
        });
        Receive<IUpdateResponse>(r => r.Request is PendingAccess, response =>
        {
            var pending = (PendingAccess)response.Request!;
            if (response is UpdateTimeout && pending.ToAll)
            {
                WriteAccessAgain(pending with { ToAll = false });
                return;
            }

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
            var scan = new PendingScan(Sender, locate, _settings.ShardCount, NewDeadline());
            IReadConsistency consistency = locate.FromMajority ? MajorityRead(scan.Deadline) : ReadLocal.Instance;
            for (var shard = 0; shard < _settings.ShardCount; shard++)
            {
                _replicator.Tell(new Get(new KeyShardKey(ShardMap.KeyId(shard)), consistency, scan));
            }
        });
        Receive<IGetResponse>(r => r.Request is PendingScan, response =>
        {
            var scan = (PendingScan)response.Request!;
            if (response is GetFailure failure && ReadAgain(failure, scan.Deadline))
            {
                return;
            }

            if (response is GetFailure)
            {
                scan.Unanswered++;
            }
            else if (response is GetSuccess { Data: KeyShard shard })
            {
                scan.Found.AddRange(scan.Locate.Visible is { } visible ? shard.Objects.Values.Where(visible) : shard.Objects.Values);
            }

            if (--scan.Outstanding == 0)
            {
                scan.ReplyTo.Tell(scan.Unanswered == 0
                    ? new ObjectsLocated(Catalog.Locate(scan.Found, scan.Locate.Filter))
                    : new WriteRefused($"{scan.Unanswered} of {_settings.ShardCount} shards could not be read from a majority of nodes " +
                                       $"within {_settings.WriteTimeout.TotalSeconds:0}s; nothing was changed", false));
            }
        });
        Receive<ExpectedMembers>(e =>
        {
            _expected = e.Count;
            EvaluateMode();
        });
        Receive<Written>(w => Send(w.Write, Peers()));
        Receive<FlushWrites>(_ =>
        {
            foreach (var (peer, batch) in _fanOut.Flush(Environment.TickCount64))
            {
                PeerVault(peer).Tell(batch, Self);
            }
        });
        Receive<IUpdateResponse>(r => r.Request is PendingWrite, response =>
        {
            var write = (PendingWrite)response.Request!;
            if (write.Answered)
            {
                return;
            }

            if (response is UpdateSuccess)
            {
                write.StoredHere = true;
                Decide(write);
                return;
            }

            Answer(write, response switch
            {
                ModifyFailure { Cause: MissingObject } => new ObjectNotFound(write.Uid),
                ModifyFailure { Cause: AccessDeniedException { Denied.Hidden: true } } => new ObjectNotFound(write.Uid),
                ModifyFailure { Cause: AccessDeniedException e } => new AccessDenied(write.Uid, e.Message),
                ModifyFailure { Cause: IllegalTransitionException e } => new TransitionRefused(write.Uid, e.Message),
                _ => new WriteRefused($"the write to {write.Uid} failed ({response.GetType().Name})", false),
            });
        });
        Receive<ReplicaBatchStored>(stored =>
        {
            CheckLag(Environment.TickCount64);
            var peer = Sender.Path.Address;
            if (_fanOut.Answered(peer, stored.Id) is not { } batch)
            {
                return;
            }

            foreach (var write in batch.Writes)
            {
                if (stored.Stored && !write.Answered)
                {
                    write.StoredBy.Add(peer);
                    Decide(write);
                }
            }

            CaughtUp(peer, batch, Environment.TickCount64);
        });
        Receive<CheckWrites>(_ => CheckOpenWrites());
        Receive<ReplicaBatch>(StoreReplicas);
        Receive<IUpdateResponse>(r => r.Request is ReplicaApply, response =>
        {
            var apply = (ReplicaApply)response.Request!;
            apply.Failed |= response is not UpdateSuccess;
            if (--apply.Outstanding == 0)
            {
                apply.ReplyTo.Tell(new ReplicaBatchStored(apply.Id, !apply.Failed));
            }
        });
        // A member whose connection dropped (its process died: the kernel closed its sockets) is suspected at once,
        // long before the failure detector calls it unreachable: writes in flight to every node go to a majority now
        // instead of waiting out fan-out.lag-timeout, and new writes go to a majority until it is connected again.
        Receive<DisassociatedEvent>(e =>
        {
            if (!_members.ContainsKey(e.RemoteAddress) || !_suspects.Add(e.RemoteAddress))
            {
                return;
            }

            _log.Info("Member {0} disconnected: writes go to a majority until it answers again", e.RemoteAddress);
            TellReplicator(e.RemoteAddress, reachable: false);
            var toEveryNode = _writes.Where(w => w.ToAll).ToArray();
            if (toEveryNode.Length > 0)
            {
                DoubtReplicas(); // acknowledged without it: its replicas may differ
            }

            foreach (var write in toEveryNode)
            {
                ToMajority(write);
            }

            Timers.StartPeriodicTimer(e.RemoteAddress, new ProbeSuspect(e.RemoteAddress), ProbeInterval);
        });
        // Either proves the member alive: a new connection to it, or its replicator answering a probe (one connection
        // of two may close while the other stays up, so no new connection need ever come).
        Receive<AssociatedEvent>(e => Cleared(e.RemoteAddress));
        Receive<ActorIdentity>(i => i.MessageId is Address && i.Subject is not null, i => Cleared((Address)i.MessageId));
        Receive<ActorIdentity>(_ => { });
        Receive<ProbeSuspect>(p => Context.ActorSelection(new RootActorPath(p.Member) / _replicator.Path.Elements).Tell(new Identify(p.Member)));
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e is ClusterEvent.MemberRemoved)
            {
                _members.Remove(e.Member.Address);
                _unreachable.Remove(e.Member.Address);
                _lagging.Remove(e.Member.Address);
                _peerVaults.Remove(e.Member.Address);
                Cleared(e.Member.Address);
            }
            else
            {
                _members[e.Member.Address] = e.Member;
            }

            DoubtReplicas();
            EvaluateMode();
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.Address);
            DoubtReplicas();
            EvaluateMode();
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.Address);
            DoubtReplicas();
            EvaluateMode();
        });
        Receive<object>(e => ReachabilityTable.ChangedEvent.IsInstanceOfType(e), e =>
        {
            _brokenLinks = ReachabilityTable.BrokenLinks(e);
            EvaluateMode();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(KeyStoreSettings settings) => Akka.Actor.Props.Create(() => new KeyVaultActor(settings));

    protected override void PreStart()
    {
        if (_settings.Pacing.Enabled)
        {
            _pacer = new ReplicatorPacer.Notifier(Context.ActorOf(ReplicatorPacer.Props(_replicator, _settings.Pacing), "pacer"), _settings.Pacing);
        }

        // The members as the cluster sees them now, before the subscription's events (which repeat them) arrive: the
        // vault sends each write to its peers and counts their confirmations, so a write handled first must not meet
        // an empty membership, where this node alone would be every node and the write would go nowhere.
        foreach (var member in _cluster.State.Members)
        {
            _members[member.Address] = member;
        }

        _unreachable.UnionWith(_cluster.State.Unreachable.Select(m => m.Address));
        EvaluateMode();
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), ReachabilityTable.ChangedEvent);
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Context.System.EventStream.Subscribe(Self, typeof(AssociatedEvent));
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private void Cleared(Address member)
    {
        if (_suspects.Remove(member))
        {
            Timers.Cancel(member);
            // Back to the cluster's own view: reachable unless its failure detector says otherwise meanwhile.
            if (!_unreachable.Contains(member))
            {
                TellReplicator(member, reachable: true);
            }
        }
    }

    /// <summary>
    /// Tells this node's replicator what the vault knows before the failure detector does. Distributed Data sends a
    /// majority read or write to the members it thinks reachable first and to the rest only after a fifth of the
    /// attempt, and a killed member stays "reachable" to it until the failure detector fires (seconds). Its shuffle of
    /// two members always swaps them (Akka.NET 1.5.73), so in a 3-node cluster every majority read and write went first
    /// to the peer whose address sorts higher, dead or alive. The replicator takes the cluster's reachability events
    /// from any sender and uses the set to order its targets, to leave the member out of delta rounds and to hold
    /// removed-node pruning; the cluster's own events still arrive, and what a suspected member misses meanwhile
    /// gossip repairs, as for any unreachable member.
    /// </summary>
    private void TellReplicator(Address member, bool reachable)
    {
        if (_members.TryGetValue(member, out var m))
        {
            _replicator.Tell(reachable ? new ClusterEvent.ReachableMember(m) : new ClusterEvent.UnreachableMember(m));
        }
    }

    private KeyShardKey KeyOf(string uid) => new(ShardMap.KeyId(ShardMap.ShardOf(uid, _settings.ShardCount)));

    private static IVaultReply Found(IGetResponse response, string uid) =>
        response is GetSuccess { Data: KeyShard shard } && shard.Get(uid) is { } found ? new ObjectFound(found) : new ObjectNotFound(uid);

    /// <summary>
    /// Writes an object: the change runs inside the Replicator's modify on this node's replica, which stores it durably;
    /// the object as written goes to every peer's vault meanwhile (<see cref="WriteFanOut"/>). Acknowledged once enough
    /// nodes hold it durably (<see cref="Decide"/>).
    /// </summary>
    private void Write(string uid, Func<KeyShard, ManagedObject> change, IActorRef replyTo)
    {
        if (_mode.Restricted)
        {
            replyTo.Tell(new WriteRefused(_mode.Reason, true));
            return;
        }

        var now = Environment.TickCount64;
        var write = new PendingWrite(replyTo, uid, now, NewDeadline(), WritesReachEveryone && _lagging.Count == 0);
        _writes.Add(write);
        _toAll.Began(write);
        CheckLag(now);
        if (!Timers.IsTimerActive(CheckWrites.Instance))
        {
            Timers.StartPeriodicTimer(CheckWrites.Instance, CheckWrites.Instance, CheckWritesInterval);
        }

        var self = Self;
        _pacer?.ObjectsWritten();
        _replicator.Tell(new Update(KeyOf(uid), KeyShard.Empty, WriteLocal.Instance, existing =>
        {
            var shard = (KeyShard)existing;
            var next = shard.Apply([change(shard)]);
            write.Written = next.Get(uid);
            self.Tell(new Written(write));
            return next;
        }, write));
    }

    /// <summary>
    /// Queues <paramref name="write"/> for <paramref name="peers"/>; the first write queued asks for a flush, behind what is in
    /// the mailbox now or after fan-out.linger.
    /// </summary>
    private void Send(PendingWrite write, IEnumerable<Address> peers)
    {
        write.LastSent = Environment.TickCount64;
        if (!_fanOut.Enqueue(write, peers))
        {
            return;
        }

        if (_settings.FanOut.Linger > TimeSpan.Zero)
        {
            Timers.StartSingleTimer(FlushWrites.Instance, FlushWrites.Instance, _settings.FanOut.Linger);
        }
        else
        {
            Self.Tell(FlushWrites.Instance);
        }
    }

    /// <summary>
    /// <paramref name="peer"/>'s vault, as a remote reference made from its path (which reaches whichever incarnation
    /// runs there). Sent through an actor selection, every batch was wrapped in a selection envelope and serialized
    /// twice by Akka.Remote.
    /// </summary>
    private IActorRef PeerVault(Address peer)
    {
        if (!_peerVaults.TryGetValue(peer, out var vault))
        {
            vault = ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(new RootActorPath(peer) / Self.Path.Elements);
            _peerVaults[peer] = vault;
        }

        return vault;
    }

    /// <summary>The members a write goes to besides this node: every counted member, reachable or not (a broken link may be one-way).</summary>
    private IEnumerable<Address> Peers() => _members.Where(m => Counts(m.Value.Status) && !m.Key.Equals(_cluster.SelfAddress)).Select(m => m.Key);

    private static bool Counts(MemberStatus s) => s is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.WeaklyUp;

    /// <summary>Acknowledges <paramref name="write"/> once this node and enough peers hold it durably.</summary>
    private void Decide(PendingWrite write)
    {
        if (write.Answered || !write.StoredHere)
        {
            return;
        }

        var members = Math.Max(_members.Count(m => Counts(m.Value.Status)), 1);
        var needed = _settings.WriteConsistencyName switch
        {
            "local" => 1,
            "all" => members,
            _ when write.ToAll => members,
            _ => Math.Max(members, _expected) / 2 + 1,
        };
        if (1 + write.StoredBy.Count >= needed)
        {
            Answer(write, new ObjectStored(write.Written!));
        }
    }

    private void Answer(PendingWrite write, IVaultReply reply)
    {
        write.Answered = true;
        _writes.Remove(write);
        write.ReplyTo.Tell(reply);
    }

    /// <summary>A write to every node that a member did not confirm in time (or that disconnected) is acknowledged by a majority instead.</summary>
    private void ToMajority(PendingWrite write)
    {
        write.ToAll = false;
        Decide(write);
    }

    /// <summary>
    /// <paramref name="peer"/> has not confirmed a write to every node within fan-out.lag-timeout (a collection or a
    /// scheduling stall of its process, a slow disk, a far data centre): the writes waiting for it, and later ones, need
    /// a majority only until it confirms promptly again. Without this, every write during a peer's pause waited out the
    /// timeout. It is still sent every write (again until it confirms), so no catch-up gossip is needed; this node's
    /// replicas are doubted as after any write that may have missed a node.
    /// </summary>
    private void Lagging(Address peer)
    {
        if (!_lagging.Add(peer))
        {
            return;
        }

        _log.Debug("Member {0} has not confirmed a write within {1} ms: writes need a majority until it confirms promptly again",
            peer, _settings.FanOut.LagTimeout.TotalMilliseconds);
        _confirmed.DoubtAll();
        foreach (var write in _writes.Where(w => w.ToAll && !w.StoredBy.Contains(peer)).ToArray())
        {
            ToMajority(write);
        }
    }

    /// <summary>
    /// A lagging peer is current again once it answers a batch within the lag timeout. A peer handles its mailbox in
    /// order, so by then it has handled the older batches too (one lost with a connection is sent again).
    /// </summary>
    private void CaughtUp(Address peer, SentBatch answered, long now)
    {
        if (now - answered.SentAt < (long)_settings.FanOut.LagTimeout.TotalMilliseconds && _lagging.Remove(peer))
        {
            _log.Debug("Member {0} confirms writes promptly again: writes go to every node", peer);
        }
    }

    /// <summary>
    /// The lag check of <see cref="CheckOpenWrites"/> for the oldest write to every node only, run whenever a write
    /// begins or a peer confirms a batch: under load a peer's pause is noticed fan-out.lag-timeout after it began, not
    /// at the next tick of Akka's scheduler (100 ms in hocon/node.conf), which every write begun meanwhile waited for
    /// (measured: with 100 ms ticks and the timer alone, 100k loaded at 3,099/s against 4,643/s, paced p99 104 ms against
    /// 38 ms). The oldest write is the first to pass the timeout; <see cref="Lagging"/> turns the younger ones missing
    /// that peer too.
    /// </summary>
    private void CheckLag(long now)
    {
        if (_toAll.Overdue(now, (long)_settings.FanOut.LagTimeout.TotalMilliseconds) is { } oldest)
        {
            foreach (var peer in Peers().Where(p => !oldest.StoredBy.Contains(p)).ToArray())
            {
                Lagging(peer);
            }
        }
    }

    /// <summary>How often open writes are checked: often enough to notice a lagging peer and a lost batch in time.</summary>
    private TimeSpan CheckWritesInterval =>
        TimeSpan.FromTicks(Math.Min(_settings.MajorityAttemptTimeout.Ticks, _settings.FanOut.LagTimeout.Ticks) / 2);

    /// <summary>
    /// Periodic while writes are open: a write past its deadline is refused as not acknowledged, the peers that have
    /// not confirmed a write to every node within fan-out.lag-timeout are lagging, and a write a peer has not confirmed
    /// within majority-attempt-timeout goes to that peer again (a batch can be lost with a connection).
    /// </summary>
    private void CheckOpenWrites()
    {
        var now = Environment.TickCount64;
        foreach (var write in _writes.ToArray())
        {
            if (now >= write.Deadline)
            {
                DoubtReplicas();
                Answer(write, new WriteRefused(
                    $"the write to {write.Uid} was not confirmed by a {_settings.WriteConsistencyName} of nodes within {_settings.WriteTimeout.TotalSeconds:0}s; it is not acknowledged",
                    false));
                continue;
            }

            if (write.ToAll && now - write.Started >= (long)_settings.FanOut.LagTimeout.TotalMilliseconds)
            {
                foreach (var peer in Peers().Where(p => !write.StoredBy.Contains(p)).ToArray())
                {
                    Lagging(peer);
                }
            }

            if (!write.Answered && write.Written is not null && now - write.LastSent >= (long)_settings.MajorityAttemptTimeout.TotalMilliseconds)
            {
                Send(write, Peers().Where(p => !write.StoredBy.Contains(p)));
            }
        }

        _fanOut.Expire(now - 2 * (long)_settings.WriteTimeout.TotalMilliseconds, _members.ContainsKey);
        if (_writes.Count == 0 && _fanOut.Unanswered == 0)
        {
            Timers.Cancel(CheckWrites.Instance);
        }
    }

    /// <summary>
    /// A peer's writes (<see cref="ReplicaBatch"/>): merged into this node's replica shard by shard and stored durably,
    /// then confirmed. Only a member's are taken: anything else that reached this actor is refused and logged.
    /// </summary>
    private void StoreReplicas(ReplicaBatch batch)
    {
        if (!_members.ContainsKey(Sender.Path.Address))
        {
            _log.Warning("Refused {0} object writes from {1}, which is not a member of this cluster", batch.Objects.Count, Sender.Path.Address);
            Sender.Tell(new ReplicaBatchStored(batch.Id, false));
            return;
        }

        var shards = batch.Objects.GroupBy(o => ShardMap.ShardOf(o.Uid, _settings.ShardCount)).ToList();
        if (shards.Count == 0)
        {
            Sender.Tell(new ReplicaBatchStored(batch.Id, true));
            return;
        }

        var apply = new ReplicaApply(Sender, batch.Id, shards.Count);
        _pacer?.ObjectsWritten();
        foreach (var shard in shards)
        {
            var objects = shard.ToList();
            _replicator.Tell(new Update(new KeyShardKey(ShardMap.KeyId(shard.Key)), KeyShard.Empty, WriteLocal.Instance,
                existing => ((KeyShard)existing).Apply(objects), apply));
        }
    }

    /// <summary>
    /// Writes go to every node while every member is reachable and connected (and the configured consistency is
    /// the default majority): then every confirmed replica holds every acknowledged write.
    /// </summary>
    private bool WritesReachEveryone => _settings.WriteConsistencyName == "majority" && _unreachable.Count == 0 && _suspects.Count == 0;

    private IWriteConsistency ConsistencyFor(bool toAll) => toAll ? new WriteAll(_settings.ChangeToAllTimeout) : _settings.WriteConsistency;

    /// <summary>When a read or write begun now is given up (write-timeout on, as Environment.TickCount64).</summary>
    private long NewDeadline() => Environment.TickCount64 + (long)_settings.WriteTimeout.TotalMilliseconds;

    /// <summary>One attempt: majority-attempt-timeout, or what is left before the deadline if less.</summary>
    private TimeSpan AttemptTimeout(long deadline) =>
        TimeSpan.FromMilliseconds(Math.Clamp(deadline - Environment.TickCount64, 1, (long)_settings.MajorityAttemptTimeout.TotalMilliseconds));

    /// <summary>
    /// A majority read is made of attempts: Distributed Data sends it to the fewest members that make a majority and to
    /// the others only after a fifth of its timeout, so a short attempt is what keeps a crashed, undetected member from
    /// holding it up.
    /// </summary>
    private ReadMajority MajorityRead(long deadline) => new(AttemptTimeout(deadline));

    /// <summary>Asks a majority again for a read whose attempt failed, while its deadline allows; true when it did.</summary>
    private bool ReadAgain(GetFailure failure, long deadline)
    {
        if (Environment.TickCount64 >= deadline)
        {
            return false;
        }

        _replicator.Tell(new Get(failure.Key, MajorityRead(deadline), failure.Request));
        return true;
    }

    /// <summary>
    /// An access change to every node timed out: this node's replica already holds it, so the unchanged registry is
    /// written again with the configured consistency, which decides whether it is acknowledged.
    /// </summary>
    private void WriteAccessAgain(PendingAccess pending)
    {
        DoubtReplicas();
        Change(new Update(AccessKey, AccessRegistry.Empty, _settings.WriteConsistency, existing => existing, pending));
    }

    /// <summary>
    /// An access change reaches the replicator here and puts the pacer's delta rounds on the active rate for the active
    /// window. The registry itself carries no delta (its write consistency sends it whole), so those rounds send only
    /// deltas made on this node outside the vault (a restore's import); access changes are rare, so they cost little.
    /// Object writes go to the replicator directly: they carry no delta either (the vault sends them to its peers
    /// itself), and a delta round walks every shard that ever had an entry, per peer: at the active rate that was a
    /// quarter of a writing node's allocations, with nothing to send. They put the rounds on the writing rate instead,
    /// which clears the replicator's placeholders for them in small steps (<see cref="ReplicatorPacer"/>).
    /// </summary>
    private void Change(Update update)
    {
        _replicator.Tell(update);
        _pacer?.ChangeMade();
    }

    /// <summary>
    /// Replicas may differ (a member came, went or changed reachability, or a write missed one): reads go to a majority
    /// until confirmed again, and gossip runs at its catch-up rate.
    /// </summary>
    private void DoubtReplicas()
    {
        _confirmed.DoubtAll();
        _pacer?.ReplicasMayDiffer();
    }

    /// <summary>Where a read is answered: this node's replica when confirmed (or asked for), else a majority.</summary>
    private void Read(IKey key, string? uid, ReadFreshness freshness)
    {
        var local = _mode.Restricted || freshness == ReadFreshness.Local
            || (freshness == ReadFreshness.Acknowledged && _confirmed.IsConfirmed(key.Id));
        var deadline = NewDeadline();
        var read = new PendingRead(Sender, key, uid, !local, local && freshness == ReadFreshness.Acknowledged && !_mode.Restricted, _confirmed.Epoch, deadline);
        _replicator.Tell(new Get(key, local ? ReadLocal.Instance : MajorityRead(deadline), read));
    }

    /// <summary>
    /// Counts members from the events themselves (the cluster's read view may lag behind them). A member counts as
    /// unreachable when the link between it and this node is broken either way: the cluster's own unreachable set
    /// is the union of every member's observations, so one member that cannot hear another (a restarted
    /// incarnation some old members cannot answer) would otherwise put every node in restricted mode although each
    /// still reaches a majority, and a majority write from here still reaches it (Distributed Data sends to the
    /// members it believes unreachable too).
    /// </summary>
    private void EvaluateMode()
    {
        var self = _cluster.SelfAddress;
        var members = _members.Count(m => Counts(m.Value.Status));
        var unreachable = _members.Count(m => Counts(m.Value.Status) && !m.Key.Equals(self) && _brokenLinks.Between(self, m.Key));
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
