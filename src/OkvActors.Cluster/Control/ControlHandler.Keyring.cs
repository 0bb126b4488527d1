using System.Globalization;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using OkvActors.Cluster.Secrets;
using OkvActors.Crypto.Kek;
using OkvActors.KeyStore;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Audit;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Control;

/// <summary>
/// KEK rotation: `kek-rotate` publishes a new KEK generation (made and sealed by the operator's CLI; only
/// the sealed and wrapped blobs arrive here), `kek-status` shows the rotation's progress from the data:
/// objects per KEK generation and, per shard, objects still under an older one, on this node's replica,
/// and which generations every member holds.
/// </summary>
public sealed partial class ControlHandler
{
    private async Task<ControlResponse> KekRotate(ControlRequest request, Principal caller)
    {
        var start = new StartRotation(
            request.Arg("currentKekId"),
            int.Parse(request.Arg("currentGeneration"), CultureInfo.InvariantCulture),
            Convert.FromBase64String(request.Arg("sealedCurrent")),
            request.Arg("newKekId"),
            int.Parse(request.Arg("newGeneration"), CultureInfo.InvariantCulture),
            Convert.FromBase64String(request.Arg("sealedNew")),
            Convert.FromBase64String(request.Arg("newUnderCurrent")),
            Convert.FromBase64String(request.Arg("currentUnderNew")));
        var mode = await _node.Vault.ModeAsync();
        if (mode.Restricted)
        {
            await _node.Audit.RecordAsync(new AuditEvent(caller.Name, "KekRotate", null, "refused", "restricted mode"));
            return new ControlResponse(false, $"restricted mode: {mode.Reason}; a KEK rotation cannot start without a majority, nothing was changed",
                new JsonObject { ["restricted"] = true });
        }

        var keeper = _node.System.ActorSelection($"/user/{KeyringKeeper.Name}");
        var reply = await keeper.Ask<IRotationReply>(start, _node.Settings.AskTimeout + _node.Settings.WriteTimeout);
        await _node.Audit.RecordAsync(new AuditEvent(caller.Name, "KekRotate", null, reply is RotationStarted ? "success" : "refused",
            reply is RotationStarted started ? $"generation {started.Generation} KEK {started.KekId}" : ((RotationRefused)reply).Reason));
        return reply switch
        {
            RotationStarted s => ControlResponse.Done(
                $"KEK rotation to generation {s.Generation} (KEK {s.KekId}) started: objects are re-wrapped in the background; follow it with `okv kek status`",
                new JsonObject { ["generation"] = s.Generation, ["kekId"] = s.KekId }),
            RotationRefused r => ControlResponse.Refused(r.Reason),
            _ => ControlResponse.Refused($"unexpected reply {reply.GetType().Name}"),
        };
    }

    private async Task<ControlResponse> KekStatus()
    {
        var ring = _node.Keks;
        var shardCount = KeyStoreSettings.Create(_node.System.Settings.Config).ShardCount;
        var withMaterial = await _node.Vault.LocateAsync(new LocateFilter(), o => o.WrappedMaterial is not null);
        var byGeneration = new JsonObject();
        foreach (var group in withMaterial.GroupBy(o => KeyEncryptionKey.GenerationOf(o.WrappedMaterial)).OrderBy(g => g.Key))
        {
            byGeneration[group.Key.ToString(CultureInfo.InvariantCulture)] = group.Count();
        }

        var stale = withMaterial.Where(o => ring.IsStale(o.WrappedMaterial!)).ToArray();
        var perShard = new JsonArray(stale.GroupBy(o => ShardMap.KeyId(ShardMap.ShardOf(o.Uid, shardCount)))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (JsonNode)new JsonObject { ["shard"] = g.Key, ["left"] = g.Count() })
            .ToArray());
        var record = await DistributedData.Get(_node.System).Replicator.Ask<IGetResponse>(new Get(KeyringRecord.Key, ReadLocal.Instance),
            _node.Settings.AskTimeout);
        var keyring = record is GetSuccess success ? success.Get(KeyringRecord.Key).State : null;
        var nodes = await Task.WhenAll(_node.Cluster.State.Members.Where(m => m.Status == MemberStatus.Up)
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(async m =>
            {
                try
                {
                    var seen = await _node.System.ActorSelection(new RootActorPath(m.Address) / "user" / KeyringKeeper.Name)
                        .Ask<KeyringInspected>(InspectKeyring.Instance, _node.Settings.AskTimeout);
                    return (JsonNode)new JsonObject
                    {
                        ["node"] = seen.Node,
                        ["currentGeneration"] = seen.CurrentGeneration,
                        ["currentKekId"] = seen.CurrentKekId,
                        ["held"] = new JsonArray(seen.Held.Select(h => (JsonNode)h).ToArray()),
                    };
                }
                catch (AskTimeoutException)
                {
                    return new JsonObject { ["address"] = m.Address.ToString(), ["held"] = null };
                }
            }));
        var rotating = keyring?.Rotating ?? false;
        return ControlResponse.Done(
            rotating
                ? $"rotating to KEK generation {keyring!.Newest.Generation}: {stale.Length} of {withMaterial.Count} object(s) on this node still under an older KEK"
                : $"KEK generation {ring.Current.Generation} ({ring.Current.KeyId}); no rotation running; {stale.Length} object(s) here under an older KEK",
            new JsonObject
            {
                ["rotating"] = rotating,
                ["currentGeneration"] = ring.Current.Generation,
                ["currentKekId"] = ring.Current.KeyId,
                ["held"] = new JsonArray(ring.Keys.Select(k => (JsonNode)$"{k.Generation}:{k.KeyId}").ToArray()),
                ["keyringVersion"] = keyring?.Version ?? 0,
                ["keyring"] = new JsonArray((keyring?.Entries ?? []).Select(e => (JsonNode)$"{e.Generation}:{e.KekId}").ToArray()),
                ["objects"] = withMaterial.Count,
                ["left"] = stale.Length,
                ["byGeneration"] = byGeneration,
                ["shards"] = perShard,
                ["nodes"] = new JsonArray(nodes),
            });
    }
}
