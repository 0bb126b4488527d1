using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Cli;
using OkvActors.Pki.Certificates;

namespace OkvActors.Node.Commands;

/// <summary>
/// Safe conversion of a candidate into a member. `okv join` takes a checkpoint of the candidate's directory
/// before it asks for admission, writes the member files as stage <see cref="NodeStage.Joining"/> and hands the
/// checkpoint over; the first `okv run` adopts it, and either completes the first sync (stage Member, checkpoint
/// discarded) or leaves, withdraws its admission and restores the candidate. A checkpoint whose process died
/// mid-way is rolled back by the next `okv join` or `okv run` on that directory (<see cref="RecoverAsync"/>).
/// </summary>
public static class Conversion
{
    public const string JoinOperation = "join";

    /// <summary>`okv join` is done; the directory waits for `okv run`.</summary>
    public const string AwaitingFirstSync = "awaiting-first-sync";

    /// <summary>`okv run` is synchronising the new member.</summary>
    public const string FirstSyncPhase = "first-sync";

    /// <summary>
    /// Rolls back a conversion whose process ended without finishing it (crash, kill -9, power loss): withdraws the
    /// admission if the node had joined, then restores the checkpoint. Returns what it did, or null if nothing was open.
    /// </summary>
    public static async Task<string?> RecoverAsync(NodeDirectory dir, Config operatorConfig, TimeProvider clock, TimeSpan timeout)
    {
        var checkpoint = DataDirectoryCheckpoint.Find(dir);
        if (checkpoint is not { IsOrphaned: true })
        {
            return null;
        }

        var manifest = checkpoint.Manifest;
        if (manifest.Operation == JoinOperation && dir.ReadManifest().Stage == NodeStage.Member)
        {
            // Stage Member is the join's commit point: it completed, only dropping the checkpoint was cut short.
            checkpoint.Discard();
            return null;
        }

        var why = $"the '{manifest.Operation}' begun at {manifest.TakenAt:u} did not finish (its process {manifest.Owner!.Pid} ended during {manifest.Phase})";
        var withdrawal = manifest.Operation == JoinOperation ? await WithdrawRecordedAsync(dir, why, operatorConfig, clock, timeout) : null;
        checkpoint.Restore();
        // The dead process's control socket is not state (the checkpoint leaves it alone) but stale: clients
        // connecting to it would be refused instead of told that no node runs here.
        File.Delete(dir.ControlSocket);
        return $"rolled back: {why}; {(withdrawal is null ? "" : withdrawal + "; ")}{dir.Root} is as it was before it";
    }

    /// <summary>
    /// Takes the admission of a node that holds its member files (stage Joining) back, using what node.json
    /// records. Returns a sentence for the operator; never throws for an unreachable or refusing controller.
    /// </summary>
    public static async Task<string?> WithdrawRecordedAsync(NodeDirectory dir, string reason, Config operatorConfig, TimeProvider clock, TimeSpan timeout)
    {
        if (!dir.HasManifest || dir.ReadManifest() is not { Stage: NodeStage.Joining, Cluster: { } cluster } manifest
            || !File.Exists(dir.CertificateFile) || !File.Exists(dir.CaFile))
        {
            return null;
        }

        using var certificate = Pem.ReadCertificateWithKey(File.ReadAllText(dir.CertificateFile), File.ReadAllText(dir.KeyFile));
        using var ca = Pem.ReadCertificate(File.ReadAllText(dir.CaFile));
        var self = manifest.RemotingAddress(cluster);
        var seeds = (manifest.Seeds ?? []).Where(s => s != self).ToArray();
        return await WithdrawAsync(cluster, seeds, manifest.Host, manifest.Name, certificate, ca, reason, operatorConfig, clock, timeout);
    }

    /// <summary>Asks the controller to take the admission of <paramref name="name"/> back; says what came of it.</summary>
    public static async Task<string> WithdrawAsync(string cluster, IReadOnlyList<string> seeds, string host, string name,
        X509Certificate2 certificate, X509Certificate2 ca, string reason, Config operatorConfig, TimeProvider clock, TimeSpan timeout)
    {
        var retry = $"retry `okv join` with the same bundle once the cluster is reachable, or have an operator remove it (`okv node remove --name {name}`)";
        try
        {
            var reply = await AdmissionClient.WithdrawAsync(cluster, seeds, host, certificate, ca, name, Fingerprint.Of(certificate),
                Shorten(reason), operatorConfig, clock, timeout);
            return reply switch
            {
                CommandAccepted => "the controller took the admission back (the node is withdrawn from the registry)",
                CommandRejected rejected => $"the controller refused to take the admission back ({rejected.Reason}): node '{name}' may still be listed as active; {retry}",
                var other => $"the controller answered {other.GetType().Name}: node '{name}' may still be listed as active; {retry}",
            };
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or Akka.Actor.AskTimeoutException)
        {
            return $"the controller could not be told ({e.Message}), so node '{name}' is still listed as active in the registry: {retry}";
        }
    }

    /// <summary>The reason travels in the registry's log line: keep it to one short line.</summary>
    private static string Shorten(string reason)
    {
        var line = reason.ReplaceLineEndings(" ");
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    /// <summary>
    /// The checkpoint a Joining directory's first sync continues, adopted by this process; refused while another
    /// live process holds it. Null when there is none (taken by an older `okv join`): the sync then cannot roll back.
    /// </summary>
    public static DataDirectoryCheckpoint? AdoptForFirstSync(NodeDirectory dir)
    {
        var checkpoint = DataDirectoryCheckpoint.Find(dir);
        if (checkpoint is null)
        {
            return null;
        }

        if (checkpoint.Manifest.Owner is { } owner && owner.IsRunning())
        {
            throw new CliError($"{dir.Root} is being converted by process {owner.Pid} ({checkpoint.Manifest.Operation}, {checkpoint.Manifest.Phase}); wait for it to end",
                CliError.Refused);
        }

        checkpoint.Adopt(FirstSyncPhase);
        return checkpoint;
    }
}
