using System.Globalization;
using Akka.Actor;
using Akka.Event;
using OkvActors.Cluster.Audit;

namespace OkvActors.Cluster.Backup;

/// <summary>
/// Takes this node's backups, one at a time: on request (<see cref="TakeBackup"/>, the control command
/// `backup`) and, when <c>okv.backup.interval</c> is set, on schedule into <c>okv.backup.directory</c> under
/// timestamped names, keeping the newest <c>okv.backup.retention</c> of them. Remembers the last result for
/// `backup-status`, okvctl and the console, and audits every backup. The archive is written off the actor
/// (<see cref="BackupSnapshot"/>), so status questions are answered while a backup runs.
/// </summary>
public sealed class BackupActor : ReceiveActor, IWithTimers
{
    public const string Name = "okv-backup";

    private const string ScheduledWho = "node:scheduler";

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record Finished(BackupRun Run, IActorRef ReplyTo, string Who);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly BackupSource _source;
    private readonly BackupSettings _settings;
    private BackupRun? _last;
    private bool _running;
    private int _scheduledOk;
    private int _scheduledFailed;

    public BackupActor(BackupSource source, BackupSettings settings)
    {
        _source = source;
        _settings = settings;

        Receive<TakeBackup>(take =>
        {
            if (!Path.IsPathFullyQualified(take.Path))
            {
                Sender.Tell(new BackupRefused($"the archive path must be absolute, not '{take.Path}'"));
            }
            else if (Path.GetDirectoryName(take.Path) is not { } parent || !Directory.Exists(parent))
            {
                Sender.Tell(new BackupRefused($"the directory of {take.Path} does not exist"));
            }
            else if (Directory.Exists(take.Path))
            {
                Sender.Tell(new BackupRefused($"{take.Path} is a directory; name the archive file"));
            }
            else if (_running)
            {
                Sender.Tell(new BackupRefused("a backup is already running on this node; try again when it is done"));
            }
            else
            {
                Start(take.Path, scheduled: false, Sender, take.Who);
            }
        });
        Receive<Tick>(_ =>
        {
            if (_running)
            {
                _log.Warning("Scheduled backup skipped: the previous backup is still running");
                return;
            }

            try
            {
                Directory.CreateDirectory(_settings.Directory);
                Start(Path.Combine(Path.GetFullPath(_settings.Directory), ScheduledName(DateTimeOffset.UtcNow)), scheduled: true, ActorRefs.Nobody, ScheduledWho);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Record(new BackupRun(false, true, DateTimeOffset.UtcNow, _settings.Directory, 0, 0, TimeSpan.Zero, null, null, e.Message), ScheduledWho);
            }
        });
        Receive<Finished>(finished =>
        {
            _running = false;
            Record(finished.Run, finished.Who);
            if (finished.Run.Scheduled && finished.Run.Ok)
            {
                Prune();
            }

            finished.ReplyTo.Tell(finished.Run.Ok ? new BackupTaken(finished.Run) : new BackupFailed(finished.Run));
        });
        Receive<GetBackupStatus>(_ => Sender.Tell(new BackupStatus(_last,
            _settings.Interval is { } interval ? $"{interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s" : null,
            _settings.Scheduled ? Path.GetFullPath(_settings.Directory) : null, _settings.Retention, _scheduledOk, _scheduledFailed)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BackupSource source, BackupSettings settings) =>
        Akka.Actor.Props.Create(() => new BackupActor(source, settings));

    protected override void PreStart()
    {
        if (_settings.Interval is { } interval)
        {
            _log.Info("Scheduled backups every {0} into {1}, keeping {2}", interval, _settings.Directory, _settings.Retention);
            Timers.StartPeriodicTimer("scheduled-backup", Tick.Instance, interval);
        }
    }

    /// <summary>okv-backup-CLUSTER-NODE-yyyyMMddTHHmmssfffZ.okvbak: names sort by time.</summary>
    private string ScheduledName(DateTimeOffset at) =>
        $"{ScheduledPrefix}{at.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}{BackupSnapshot.Extension}";

    private string ScheduledPrefix => $"okv-backup-{_source.Manifest.Cluster}-{_source.Manifest.Name}-";

    private void Start(string path, bool scheduled, IActorRef replyTo, string who)
    {
        _running = true;
        _log.Info("Backup to {0} started ({1})", path, scheduled ? "scheduled" : who);
        var source = _source;
        BackupSnapshot.WriteAsync(source, path, scheduled)
            .PipeTo(Self, success: run => new Finished(run, replyTo, who),
                failure: e => new Finished(new BackupRun(false, scheduled, DateTimeOffset.UtcNow, path, 0, 0, TimeSpan.Zero, null, null, e.Message), replyTo, who));
    }

    private void Record(BackupRun run, string who)
    {
        _last = run;
        if (run.Scheduled)
        {
            if (run.Ok)
            {
                _scheduledOk++;
            }
            else
            {
                _scheduledFailed++;
            }
        }

        if (run.Ok)
        {
            _log.Info("Backup to {0}: {1} objects, {2} bytes in {3:0.0} s", run.Path, run.Objects, run.Bytes, run.Duration.TotalSeconds);
        }
        else
        {
            _log.Warning("Backup to {0} failed: {1}", run.Path, run.Error);
        }

        _source.AuditLog.Tell(new RecordAudit(who, "Backup", null, run.Ok ? AuditEntry.Success : "failed",
            run.Ok ? $"{run.Objects} objects to {run.Path}" : $"{run.Path}: {run.Error}"));
    }

    /// <summary>Keeps the newest <see cref="BackupSettings.Retention"/> scheduled archives of this node; never touches other files.</summary>
    private void Prune()
    {
        try
        {
            var archives = new DirectoryInfo(_settings.Directory).GetFiles($"{ScheduledPrefix}*{BackupSnapshot.Extension}")
                .OrderByDescending(f => f.Name, StringComparer.Ordinal)
                .Skip(_settings.Retention);
            foreach (var old in archives)
            {
                old.Delete();
                _log.Info("Backup retention: removed {0}", old.FullName);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Backup retention could not remove old archives: {0}", e.Message);
        }
    }
}
