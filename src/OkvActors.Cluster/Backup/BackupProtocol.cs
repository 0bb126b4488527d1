using OkvActors.Cluster.Audit;

namespace OkvActors.Cluster.Backup;

/// <summary>Asks the node's backup actor for an archive at <paramref name="Path"/> (absolute), on behalf of <paramref name="Who"/>.</summary>
public sealed record TakeBackup(string Path, string Who);

/// <summary>Answers to <see cref="TakeBackup"/>.</summary>
public interface IBackupReply;

/// <summary>The archive is complete at <see cref="BackupRun.Path"/>.</summary>
public sealed record BackupTaken(BackupRun Run) : IBackupReply;

/// <summary>No archive was written (a partial one is removed); <see cref="BackupRun.Error"/> says why.</summary>
public sealed record BackupFailed(BackupRun Run) : IBackupReply;

/// <summary>Refused before starting (another backup is running, a bad path).</summary>
public sealed record BackupRefused(string Reason) : IBackupReply;

public sealed record GetBackupStatus
{
    public static readonly GetBackupStatus Instance = new();
}

/// <summary>One backup, taken on request or on schedule, successful or not.</summary>
public sealed record BackupRun(
    bool Ok,
    bool Scheduled,
    DateTimeOffset At,
    string Path,
    long Objects,
    long Bytes,
    TimeSpan Duration,
    string? KekId,
    AuditHead? AuditHead,
    string? Error);

/// <summary>
/// The last backup this node took (null before the first), the schedule, and how many scheduled runs
/// succeeded and failed since the node started.
/// </summary>
public sealed record BackupStatus(BackupRun? Last, string? ScheduleInterval, string? Directory, int Retention, int ScheduledOk, int ScheduledFailed);
