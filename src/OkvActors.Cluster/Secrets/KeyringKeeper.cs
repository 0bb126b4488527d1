using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Kek;

namespace OkvActors.Cluster.Secrets;

/// <summary>
/// Runs on every node at /user/okv-keyring. Starts a rotation (checks the blobs open, reads the keyring
/// from a majority, writes the next version with majority consistency) and applies every keyring version
/// this node sees: it opens a new generation with a KEK it holds (either direction), puts it in the ring
/// the key manager wraps with, writes its own copies (wrapped to the node key, or sealed by its HSM) and
/// the passphrase-sealed one, and once a generation retires drops it from memory and disk. A node that
/// was down applies the newest version when it returns (its durable replica first, then gossip).
/// </summary>
public sealed class KeyringKeeper : ReceiveActor
{
    public const string Name = "okv-keyring";

    private sealed record PendingStart(IActorRef ReplyTo, StartRotation Request);

    private sealed record PendingWrite(IActorRef ReplyTo, KeyringState State);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly NodeDirectory _directory;
    private readonly NodeCredentials _credentials;
    private readonly NodeManifest _manifest;
    private readonly KekRing _ring;
    private readonly TimeSpan _writeTimeout;
    private KeyringState? _record;
    private bool _starting;

    public KeyringKeeper(NodeDirectory directory, NodeCredentials credentials, NodeManifest manifest, KekRing ring, TimeSpan writeTimeout)
    {
        _directory = directory;
        _credentials = credentials;
        _manifest = manifest;
        _ring = ring;
        _writeTimeout = writeTimeout;

        Receive<Changed>(c => c.Key.Equals(KeyringRecord.Key), changed => Apply(((KeyringRecord)changed.Data).State));
        Receive<InspectKeyring>(_ => Sender.Tell(new KeyringInspected(_manifest.Name, _ring.Current.Generation, _ring.Current.KeyId,
            _ring.Keys.Select(k => $"{k.Generation}:{k.KeyId}").ToArray(), _record?.Version ?? 0)));
        Receive<StartRotation>(Start);
        Receive<IGetResponse>(r => r.Request is PendingStart, Checked);
        Receive<IUpdateResponse>(r => r.Request is PendingWrite, Written);
    }

    public static Props Props(NodeDirectory directory, NodeCredentials credentials, NodeManifest manifest, KekRing ring, TimeSpan writeTimeout) =>
        Akka.Actor.Props.Create(() => new KeyringKeeper(directory, credentials, manifest, ring, writeTimeout));

    protected override void PreStart() => _replicator.Tell(new Subscribe(KeyringRecord.Key, Self));

    private void Start(StartRotation request)
    {
        var current = _ring.Current;
        string? refusal = null;
        if (_starting)
        {
            refusal = "a KEK rotation is being started on this node already";
        }
        else if (_ring.Keys.Count > 1 || _record is { Rotating: true })
        {
            refusal = $"a KEK rotation is already running (to generation {_record?.Newest.Generation ?? _ring.Current.Generation}); wait until `okv kek status` shows it done";
        }
        else if (request.CurrentKekId != current.KeyId || request.CurrentGeneration != current.Generation)
        {
            refusal = $"the sealed KEK is {request.CurrentKekId} (generation {request.CurrentGeneration}) but this node runs with {current}: its sealed files are not current";
        }
        else if (request.NewGeneration != current.Generation + 1)
        {
            refusal = $"the new KEK must be generation {current.Generation + 1}, not {request.NewGeneration}";
        }
        else
        {
            // Both wraps must open before anything is published: a bad blob would strand every node.
            try
            {
                using var next = current.UnwrapKey(request.NewUnderCurrent, request.NewKekId, request.NewGeneration);
                using var back = next.UnwrapKey(request.CurrentUnderNew, current.KeyId, current.Generation);
            }
            catch (KeyUnwrapException e)
            {
                refusal = $"the new KEK's wrapped copies do not open: {e.Message}";
            }
        }

        if (refusal is not null)
        {
            Sender.Tell(new RotationRefused(refusal));
            return;
        }

        _starting = true;
        _replicator.Tell(new Get(KeyringRecord.Key, new ReadMajority(_writeTimeout), new PendingStart(Sender, request)));
    }

    private void Checked(IGetResponse response)
    {
        var (replyTo, request) = (PendingStart)response.Request!;
        KeyringState? existing;
        switch (response)
        {
            case GetSuccess success:
                existing = success.Get(KeyringRecord.Key).State;
                break;
            case NotFound:
                existing = null;
                break;
            default:
                _starting = false;
                replyTo.Tell(new RotationRefused("could not read the keyring from a majority of nodes (restricted mode?): nothing was changed"));
                return;
        }

        if (existing is { Rotating: true } || (existing is not null && existing.Newest.KekId != request.CurrentKekId))
        {
            _starting = false;
            replyTo.Tell(new RotationRefused(existing.Rotating
                ? $"a KEK rotation is already running (to generation {existing.Newest.Generation})"
                : $"the cluster's newest KEK is {existing.Newest.KekId}, not {request.CurrentKekId}: this node has not caught up yet; run again"));
            return;
        }

        var state = new KeyringState((existing?.Version ?? 0) + 1, _manifest.Name,
        [
            new KeyringEntry(request.CurrentGeneration, request.CurrentKekId, request.SealedCurrent, null, null),
            new KeyringEntry(request.NewGeneration, request.NewKekId, request.SealedNew, request.NewUnderCurrent, request.CurrentUnderNew),
        ]);
        var record = new KeyringRecord(state);
        _replicator.Tell(new Update(KeyringRecord.Key, record, new WriteMajority(_writeTimeout), old => old.Merge(record),
            new PendingWrite(replyTo, state)));
    }

    private void Written(IUpdateResponse response)
    {
        var (replyTo, state) = (PendingWrite)response.Request!;
        _starting = false;
        if (response is UpdateSuccess)
        {
            Apply(state);
            _log.Info("KEK rotation to generation {0} (KEK {1}) started", state.Newest.Generation, state.Newest.KekId);
            replyTo.Tell(new RotationStarted(state.Newest.Generation, state.Newest.KekId));
            return;
        }

        replyTo.Tell(new RotationRefused(response is UpdateTimeout
            ? $"the keyring version {state.Version} reached no majority in time: not confirmed (it spreads when the quorum returns); check `okv kek status`"
            : $"the keyring could not be written ({response.GetType().Name}): nothing was changed"));
    }

    /// <summary>Brings this node's ring and files to <paramref name="state"/> (idempotent: only what differs is written).</summary>
    private void Apply(KeyringState state)
    {
        if (_record is not null && new KeyringRecord(_record).Merge(new KeyringRecord(state)).State != state)
        {
            return;
        }

        _record = state;
        try
        {
            KeyringLearning.Learn(_ring, state);
            var newest = _ring.Keys.FirstOrDefault(k => k.KeyId == state.Newest.KekId);
            if (newest is null)
            {
                _log.Warning("Keyring v{0}: this node holds none of the KEKs that open generation {1}; it cannot follow the rotation",
                    state.Version, state.Newest.Generation);
                return;
            }

            _credentials.UseKek(newest);
            var retired = _ring.RetireBefore(state.Entries[0].Generation);
            var previousEntry = state.Entries.Count > 1 ? state.Entries[^2] : null;
            var previous = previousEntry is null ? null : _ring.Keys.FirstOrDefault(k => k.KeyId == previousEntry.KekId);
            var files = KeyringFiles.ReadManifest(_directory);
            var upToDate = files is not null && files.Current.KekId == newest.KeyId && files.Current.Generation == newest.Generation
                && files.Previous?.KekId == previous?.KeyId;
            if (!upToDate)
            {
                KeyringFiles.WriteRotation(_directory, _credentials, _manifest, newest, state.Newest.Sealed, previous, previousEntry?.Sealed);
                _log.Info("Keyring v{0}: files now hold {1}{2}", state.Version, newest, previous is null ? "" : $" and {previous}");
            }

            if (previous is null && (retired.Count > 0 || File.Exists(_directory.PreviousSealedKekFile) || File.Exists(_directory.PreviousWrappedKekFile)
                    || File.Exists(_directory.PreviousHsmSealedKekFile)))
            {
                KeyringFiles.WriteRetired(_directory, newest);
                _log.Info("Keyring v{0}: KEK generation(s) before {1} retired from memory and files ({2})", state.Version, newest.Generation,
                    string.Join(", ", retired));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KeyUnwrapException)
        {
            _log.Error(e, "Keyring v{0} could not be applied; retried on the next change or restart", state.Version);
        }
    }
}
