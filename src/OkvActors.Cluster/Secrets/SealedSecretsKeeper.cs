using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Cluster.Storage;

namespace OkvActors.Cluster.Secrets;

/// <summary>
/// Runs on every node at /user/okv-secrets. Publishes a passphrase change (read the record from a
/// majority, check the caller's base generation, write the next generation with majority consistency)
/// and keeps this node's secrets/*.sealed files at the newest generation it sees: on start (its durable
/// replica), and whenever gossip brings a newer one, so a node that was down catches up when it returns.
/// Only sealed blobs pass through here; the passphrase and the plaintext stay in the operator's CLI.
/// </summary>
public sealed class SealedSecretsKeeper : ReceiveActor
{
    public const string Name = "okv-secrets";

    private sealed record PendingPublish(IActorRef ReplyTo, PublishSealedSecrets Request);

    private sealed record PendingWrite(IActorRef ReplyTo, SealedSecretsState State);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly NodeDirectory _directory;
    private readonly string _node;
    private readonly Func<string> _currentKekId;
    private readonly TimeSpan _writeTimeout;
    private long _recordGeneration = -1;
    private bool _publishing;

    public SealedSecretsKeeper(NodeDirectory directory, string node, Func<string> currentKekId, TimeSpan writeTimeout)
    {
        _directory = directory;
        _node = node;
        _currentKekId = currentKekId;
        _writeTimeout = writeTimeout;

        Receive<Changed>(c => c.Key.Equals(SealedSecretsRecord.Key), changed => Apply(((SealedSecretsRecord)changed.Data).State));
        Receive<InspectSealedSecrets>(_ =>
            Sender.Tell(new SealedSecretsInspected(_node, SealedSecretsFiles.ReadGeneration(_directory).Generation, _recordGeneration, _currentKekId())));
        Receive<PublishSealedSecrets>(Publish);
        Receive<IGetResponse>(r => r.Request is PendingPublish, Checked);
        Receive<IUpdateResponse>(r => r.Request is PendingWrite, Written);
    }

    public static Props Props(NodeDirectory directory, string node, Func<string> currentKekId, TimeSpan writeTimeout) =>
        Akka.Actor.Props.Create(() => new SealedSecretsKeeper(directory, node, currentKekId, writeTimeout));

    protected override void PreStart() => _replicator.Tell(new Subscribe(SealedSecretsRecord.Key, Self));

    private void Publish(PublishSealedSecrets request)
    {
        if (_publishing)
        {
            Sender.Tell(new SealedSecretsRefused("a passphrase change is already in progress on this node; wait for it and run again"));
            return;
        }

        if (request.KekId != _currentKekId())
        {
            Sender.Tell(new SealedSecretsRefused(
                $"the sealed KEK is KEK {request.KekId} but this node runs with KEK {_currentKekId()}: the sealed files it came from are not current"));
            return;
        }

        _publishing = true;
        _replicator.Tell(new Get(SealedSecretsRecord.Key, new ReadMajority(_writeTimeout), new PendingPublish(Sender, request)));
    }

    private void Checked(IGetResponse response)
    {
        var (replyTo, request) = (PendingPublish)response.Request!;
        long current;
        switch (response)
        {
            case GetSuccess success:
                current = success.Get(SealedSecretsRecord.Key).State.Generation;
                break;
            case NotFound:
                current = 0;
                break;
            default:
                _publishing = false;
                replyTo.Tell(new SealedSecretsRefused(
                    "could not read the sealed-secrets record from a majority of nodes (restricted mode?): nothing was changed"));
                return;
        }

        if (current != request.BaseGeneration)
        {
            _publishing = false;
            replyTo.Tell(new SealedSecretsRefused(
                $"the sealed secrets are at generation {current} now, not {request.BaseGeneration} as unsealed: another change came first; run again"));
            return;
        }

        var state = new SealedSecretsState(current + 1, _node, request.KekId, request.SealedCaKey, request.SealedKek);
        var record = new SealedSecretsRecord(state);
        _replicator.Tell(new Update(SealedSecretsRecord.Key, record, new WriteMajority(_writeTimeout), existing => existing.Merge(record),
            new PendingWrite(replyTo, state)));
    }

    private void Written(IUpdateResponse response)
    {
        var (replyTo, state) = (PendingWrite)response.Request!;
        _publishing = false;
        if (response is UpdateSuccess)
        {
            Apply(state);
            _log.Info("Sealed secrets generation {0} published and written to {1}", state.Generation, _directory.SecretsDir);
            replyTo.Tell(new SealedSecretsPublished(state.Generation));
            return;
        }

        // A timed-out majority write stays in this replica and spreads when the quorum returns.
        var unconfirmed = response is UpdateTimeout;
        replyTo.Tell(new SealedSecretsRefused(unconfirmed
            ? $"generation {state.Generation} reached no majority in time: it is not confirmed (it spreads when the quorum returns); check `okv secrets show` and run again if it is missing"
            : $"the sealed-secrets record could not be written ({response.GetType().Name}): nothing was changed", unconfirmed));
    }

    /// <summary>Brings this node's files to <paramref name="state"/> when it is newer than what they hold.</summary>
    private void Apply(SealedSecretsState state)
    {
        _recordGeneration = Math.Max(_recordGeneration, state.Generation);
        var files = SealedSecretsFiles.ReadGeneration(_directory);
        if (!SealedSecretsFiles.IsNewer(state, files))
        {
            return;
        }

        var sameKek = state.KekId == _currentKekId();
        if (!sameKek)
        {
            _log.Info("Sealed secrets generation {0} hold KEK {1}, not this node's current KEK {2} (a rotation came after): only the CA key is re-sealed",
                state.Generation, state.KekId, _currentKekId());
        }

        try
        {
            SealedSecretsFiles.Write(_directory, state, includeKek: sameKek);
            _log.Info("Sealed secrets: files now at generation {0} (by {1}; were at {2})", state.Generation, state.Writer, files.Generation);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error(e, "Sealed secrets generation {0} could not be written to {1}; retried on the next change or restart",
                state.Generation, _directory.SecretsDir);
        }
    }
}
