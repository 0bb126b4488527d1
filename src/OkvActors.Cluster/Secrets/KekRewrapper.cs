using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Cluster.Controller;
using OkvActors.Crypto.Kek;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Secrets;

/// <summary>
/// Re-wraps every object's material under the newest KEK while a rotation runs, then retires the old
/// generation. A cluster singleton (on the oldest node): one writer means no duplicate work and one node
/// that can decide the old KEK is unused, and the work (AES plus a majority write per object) is bound
/// by the writes, not by CPU, so spreading it gains little on 2..16 nodes. Nothing is remembered between
/// passes: each pass finds what is left from the data (the generation each blob names), so after a
/// crash or a hand-over the next singleton simply carries on.
/// <para>
/// Retirement needs (1) every active node of the registry up and running with the newest KEK as its
/// current one, so none wraps under the old KEK any more, and (2) no blob under an old generation in any
/// shard read from a majority (a majority read meets every acknowledged write).
/// </para>
/// </summary>
public sealed class KekRewrapper : ReceiveActor, IWithTimers
{
    public const string ManagerName = "okv-rewrapper";
    public const string SingletonName = "rewrapper";

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly IKeyVault _vault;
    private readonly KekRing _ring;
    private readonly RewrapSettings _settings;

    public KekRewrapper(IKeyVault vault, KekRing ring, RewrapSettings settings)
    {
        _vault = vault;
        _ring = ring;
        _settings = settings;
        ReceiveAsync<Tick>(async _ =>
        {
            try
            {
                await Pass();
            }
            catch (Exception e)
            {
                _log.Warning("Re-wrap pass failed ({0}: {1}); trying again", e.GetType().Name, e.Message);
            }

            Timers.StartSingleTimer(Tick.Instance, Tick.Instance, _settings.Interval);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IKeyVault vault, KekRing ring, RewrapSettings settings) =>
        Akka.Actor.Props.Create(() => new KekRewrapper(vault, ring, settings));

    protected override void PreStart() => Timers.StartSingleTimer(Tick.Instance, Tick.Instance, _settings.Interval);

    private async Task Pass()
    {
        var response = await _replicator.Ask<IGetResponse>(new Get(KeyringRecord.Key, ReadLocal.Instance), _settings.AskTimeout);
        if (response is not GetSuccess success || !success.Get(KeyringRecord.Key).State.Rotating)
        {
            return;
        }

        var keyring = success.Get(KeyringRecord.Key).State;
        if (_ring.Current.KeyId != keyring.Newest.KekId)
        {
            return; // This node's keeper has not applied the rotation yet.
        }

        var stale = await _vault.LocateAsync(new LocateFilter(), o => o.WrappedMaterial is not null && _ring.IsStale(o.WrappedMaterial));
        if (stale.Count > 0)
        {
            await Rewrap(stale.Take(_settings.BatchSize).Select(o => o.Uid).ToArray(), stale.Count);
            return;
        }

        await TryRetire(keyring);
    }

    private async Task Rewrap(IReadOnlyList<string> uids, int left)
    {
        var rewrapped = 0;
        var failed = 0;
        using var gate = new SemaphoreSlim(_settings.Parallelism);
        await Task.WhenAll(uids.Select(async uid =>
        {
            await gate.WaitAsync();
            try
            {
                var reply = await _vault.ChangeAsync(uid, RewrapOne);
                if (reply is ObjectStored or ObjectNotFound)
                {
                    Interlocked.Increment(ref rewrapped);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        _log.Info("Re-wrap under KEK generation {0}: {1} re-wrapped, {2} not written (retried), {3} left before this batch",
            _ring.Current.Generation, rewrapped, failed, left);
    }

    /// <summary>Runs inside the vault's change: unwrap under the KEK the blob names, wrap under the newest; anything current is left alone.</summary>
    private ManagedObject RewrapOne(ManagedObject o)
    {
        if (o.WrappedMaterial is null || !_ring.IsStale(o.WrappedMaterial))
        {
            return o;
        }

        var material = _ring.Unwrap(o.WrappedMaterial, o.Uid);
        try
        {
            return o.WithRewrappedMaterial(_ring.Wrap(material, o.Uid));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private async Task TryRetire(KeyringState keyring)
    {
        var newest = keyring.Newest;
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        // From a majority: a node admitted or enabled through another node a moment ago must be waited for too.
        var registry = await _replicator.Ask<IGetResponse>(new Get(ControllerRegistry.Key, new ReadMajority(_settings.WriteTimeout)),
            _settings.AskTimeout + _settings.WriteTimeout);
        if (registry is not GetSuccess r)
        {
            return;
        }

        // A disabled node comes back with the KEKs it had: the old one retires only once it is enabled and up again.
        var required = r.Get(ControllerRegistry.Key).State.Nodes.Where(n => n.State is NodeState.Active or NodeState.Disabled).ToArray();
        var up = cluster.State.Members.Where(m => m.Status == MemberStatus.Up).ToArray();
        var upAddresses = up.Select(m => m.Address.ToString()).ToHashSet(StringComparer.Ordinal);
        var missing = required.Where(n => n.Address is null || !upAddresses.Contains(n.Address)).Select(n => n.Name).ToArray();
        if (missing.Length > 0)
        {
            _log.Info("Re-wrap done here; KEK generation {0} retires once {1} are up again", keyring.Entries[0].Generation, string.Join(", ", missing));
            return;
        }

        foreach (var member in up)
        {
            var keeper = Context.System.ActorSelection(new RootActorPath(member.Address) / "user" / KeyringKeeper.Name);
            var seen = await keeper.Ask<KeyringInspected>(InspectKeyring.Instance, _settings.AskTimeout);
            if (seen.CurrentKekId != newest.KekId)
            {
                _log.Info("Re-wrap done here; waiting for {0} to switch to KEK generation {1}", seen.Node, newest.Generation);
                return;
            }
        }

        for (var shard = 0; shard < _settings.ShardCount; shard++)
        {
            var key = new KeyShardKey(ShardMap.KeyId(shard));
            var read = await _replicator.Ask<IGetResponse>(new Get(key, new ReadMajority(_settings.WriteTimeout)), _settings.AskTimeout + _settings.WriteTimeout);
            if (read is GetSuccess found && found.Get(key).Objects.Values.Any(o => o.WrappedMaterial is not null && _ring.IsStale(o.WrappedMaterial)))
            {
                return; // A majority still holds an old blob this replica has not seen yet: the next pass re-wraps it.
            }

            if (read is not (GetSuccess or NotFound))
            {
                return;
            }
        }

        var retired = new KeyringState(keyring.Version + 1, cluster.SelfAddress.ToString(),
            [newest with { WrappedUnderPrevious = null, PreviousWrappedUnderThis = null }]);
        var record = new KeyringRecord(retired);
        var written = await _replicator.Ask<IUpdateResponse>(new Update(KeyringRecord.Key, record, new WriteMajority(_settings.WriteTimeout),
            old => old.Merge(record)), _settings.AskTimeout + _settings.WriteTimeout);
        if (written is UpdateSuccess)
        {
            _log.Info("KEK generation(s) before {0} retired: every object is re-wrapped under KEK {1}", newest.Generation, newest.KekId);
        }
    }
}

/// <summary>How the re-wrapper paces itself (okv.secrets.rewrap in reference.conf).</summary>
public sealed record RewrapSettings(TimeSpan Interval, int BatchSize, int Parallelism, int ShardCount, TimeSpan AskTimeout, TimeSpan WriteTimeout);
