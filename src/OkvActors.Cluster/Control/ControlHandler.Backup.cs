using System.Text.Json.Nodes;
using Akka.Actor;
using OkvActors.Cluster.Backup;
using OkvActors.KeyStore.Access;

namespace OkvActors.Cluster.Control;

/// <summary>Backups: `backup` writes an archive now, `backup-status` answers the last result (okvctl's `backup status`).</summary>
public sealed partial class ControlHandler
{
    /// <summary>How long a `backup` request may take: a 1M-object archive is a few hundred MB written shard by shard.</summary>
    public static readonly TimeSpan BackupTimeout = TimeSpan.FromMinutes(30);

    private async Task<ControlResponse> Backup(string path, Principal caller)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            throw new ControlException($"the archive path must be absolute, not '{path}'");
        }

        var reply = await _node.Backups.Ask<IBackupReply>(new TakeBackup(path, caller.Name), BackupTimeout);
        return reply switch
        {
            BackupTaken taken => ControlResponse.Done(
                $"backup of {taken.Run.Objects} objects written to {taken.Run.Path} ({taken.Run.Bytes} bytes in {taken.Run.Duration.TotalSeconds:0.0} s)",
                Describe(taken.Run)),
            BackupFailed failed => new ControlResponse(false, $"backup to {failed.Run.Path} failed: {failed.Run.Error}; no archive was written", Describe(failed.Run)),
            BackupRefused refused => ControlResponse.Refused(refused.Reason),
            _ => ControlResponse.Refused($"unexpected backup reply {reply.GetType().Name}"),
        };
    }

    private async Task<ControlResponse> BackupStatus()
    {
        var status = await _node.Backups.Ask<BackupStatus>(GetBackupStatus.Instance, _node.Settings.AskTimeout);
        var data = BackupStatusJson(status);
        var schedule = status.ScheduleInterval is null ? "scheduled backups off" : $"every {status.ScheduleInterval} into {status.Directory}, keeping {status.Retention}";
        var last = status.Last switch
        {
            null => "no backup yet",
            { Ok: true } run => $"last backup ok at {run.At:u}: {run.Objects} objects, {run.Path}",
            var run => $"last backup FAILED at {run.At:u}: {run.Error}",
        };
        return ControlResponse.Done($"{last}; {schedule}", data);
    }

    /// <summary>The backup status for `status` (and so the REST status resource and the console); null if the backup actor does not answer.</summary>
    private async Task<JsonObject?> BackupStatusOrNull()
    {
        try
        {
            return BackupStatusJson(await _node.Backups.Ask<BackupStatus>(GetBackupStatus.Instance, TimeSpan.FromSeconds(2)));
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>The backup status as JSON: also the REST status resource's "backup" field.</summary>
    public static JsonObject BackupStatusJson(BackupStatus status) => new()
    {
        ["last"] = status.Last is null ? null : Describe(status.Last),
        ["interval"] = status.ScheduleInterval,
        ["directory"] = status.Directory,
        ["retention"] = status.Retention,
        ["scheduledOk"] = status.ScheduledOk,
        ["scheduledFailed"] = status.ScheduledFailed,
    };

    private static JsonObject Describe(BackupRun run) => new()
    {
        ["result"] = run.Ok ? "ok" : "failed",
        ["scheduled"] = run.Scheduled,
        ["at"] = run.At,
        ["path"] = run.Path,
        ["objects"] = run.Objects,
        ["bytes"] = run.Bytes,
        ["durationMs"] = (long)run.Duration.TotalMilliseconds,
        ["kekId"] = run.KekId,
        ["auditHead"] = run.AuditHead is null ? null : new JsonObject { ["sequence"] = run.AuditHead.Sequence, ["hash"] = run.AuditHead.Hash },
        ["error"] = run.Error,
    };
}
