using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;
using OkvActors.Cluster.Secrets;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Audit;

namespace OkvActors.Cluster.Control;

/// <summary>
/// The recovery passphrase: `passphrase-change` publishes CA key and KEK sealed under a new passphrase
/// (sealed by the operator's CLI; only the sealed blobs arrive here), `secrets-show` lists every member's
/// sealed-secrets generation.
/// </summary>
public sealed partial class ControlHandler
{
    private async Task<ControlResponse> PassphraseChange(ControlRequest request, Principal caller)
    {
        var publish = new PublishSealedSecrets(
            long.Parse(request.Arg("baseGeneration"), System.Globalization.CultureInfo.InvariantCulture),
            request.Arg("kekId"),
            Convert.FromBase64String(request.Arg("sealedCaKey")),
            Convert.FromBase64String(request.Arg("sealedKek")));
        if (_node.Keks.Keys.Count > 1)
        {
            return ControlResponse.Refused("a KEK rotation is running: change the passphrase once it is done (`okv kek status`); nothing was changed");
        }

        var mode = await _node.Vault.ModeAsync();
        if (mode.Restricted)
        {
            await _node.Audit.RecordAsync(new AuditEvent(caller.Name, "PassphraseChange", null, "refused", "restricted mode"));
            return new ControlResponse(false, $"restricted mode: {mode.Reason}; the passphrase cannot change without a majority, nothing was changed",
                new JsonObject { ["restricted"] = true });
        }

        var reply = await _node.SecretsKeeper.Ask<ISealedSecretsReply>(publish, _node.Settings.AskTimeout + _node.Settings.WriteTimeout);
        var (result, detail) = reply switch
        {
            SealedSecretsPublished published => ("success", $"generation {published.Generation}"),
            SealedSecretsRefused refused => ("refused", refused.Reason),
            _ => ("error", reply.GetType().Name),
        };
        await _node.Audit.RecordAsync(new AuditEvent(caller.Name, "PassphraseChange", null, result, detail));
        return reply switch
        {
            SealedSecretsPublished published => ControlResponse.Done(
                $"sealed secrets generation {published.Generation} published on a majority; every node rewrites its secrets/*.sealed",
                new JsonObject { ["generation"] = published.Generation }),
            SealedSecretsRefused refused => new ControlResponse(false, refused.Reason, new JsonObject { ["unconfirmed"] = refused.Unconfirmed }),
            _ => ControlResponse.Refused($"unexpected reply {reply.GetType().Name}"),
        };
    }

    private Task<SealedSecretsInspected> LocalSecrets() =>
        _node.SecretsKeeper.Ask<SealedSecretsInspected>(InspectSealedSecrets.Instance, _node.Settings.AskTimeout);

    /// <summary>This node's sealed-secrets generation and KEK id, and every other Up member's (a silent member is listed).</summary>
    private async Task<ControlResponse> SecretsShow()
    {
        var members = _node.Cluster.State.Members.Where(m => m.Status == MemberStatus.Up)
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => (Member: m, Keeper: _node.System.ActorSelection(new RootActorPath(m.Address) / "user" / SealedSecretsKeeper.Name)));
        var answers = await Task.WhenAll(members.Select(async m =>
        {
            try
            {
                return (m.Member, Answer: (SealedSecretsInspected?)await m.Keeper.Ask<SealedSecretsInspected>(InspectSealedSecrets.Instance,
                    _node.Settings.AskTimeout));
            }
            catch (AskTimeoutException)
            {
                return (m.Member, Answer: null);
            }
        }));
        var rows = answers.Select(a => (JsonNode)new JsonObject
        {
            ["node"] = a.Answer?.Node,
            ["address"] = a.Member.Address.ToString(),
            ["fileGeneration"] = a.Answer?.FileGeneration,
            ["recordGeneration"] = a.Answer?.RecordGeneration,
            ["kekId"] = a.Answer?.KekId,
        }).ToArray();
        var newest = answers.Where(a => a.Answer is not null).Select(a => a.Answer!.FileGeneration).DefaultIfEmpty(0).Max();
        var behind = answers.Count(a => a.Answer is null || a.Answer.FileGeneration < newest);
        return ControlResponse.Done($"sealed secrets: newest generation {newest}, {behind} node(s) behind or silent",
            new JsonObject { ["newest"] = newest, ["nodes"] = new JsonArray(rows) });
    }
}
