using OkvActors.Cluster.Storage;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Node.Tests.Rest;
using Xunit;

namespace OkvActors.Node.Tests.Backup;

/// <summary>
/// okv.backup with an interval of 2 s and a retention of 2, on a node restored from this cluster's archive (so the
/// old cluster's operator certificate works with okvctl: the CA carried over): after three runs or more the
/// directory holds exactly the two newest archives, and okvctl's `backup status` and the REST status resource show the last one.
/// </summary>
[Collection(BackupClusterCollection.Name)]
public sealed class ScheduledBackupTests(BackupCluster cluster)
{
    [Fact]
    public async Task Scheduled_backups_run_each_interval_keep_the_newest_two_and_show_in_okvctl()
    {
        var (archive, _) = await cluster.Backup("node1");
        var node = cluster.NewDirectory("scheduled");
        var restore = await cluster.Restore(archive, node, "scheduled1", 46020);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var backups = Path.Combine(cluster.Scratch("scheduled-archives"), "archives");
        var config = Path.Combine(cluster.Scratch("scheduled-config"), "backup.conf");
        await File.WriteAllTextAsync(config, $"okv.backup {{ interval = 2s, directory = \"{backups}\", retention = 2 }}\n");
        var process = await StandaloneNode.Start(node, expectedUp: 1, new Dictionary<string, string> { ["OKV_CONFIG_FILE"] = config });
        try
        {
            await Eventually.Until(async () =>
            {
                var status = await StandaloneNode.Control(node, "backup-status");
                return status.Data!["scheduledOk"]!.GetValue<int>() >= 3;
            }, TimeSpan.FromSeconds(60), "three scheduled backups");

            var status = await StandaloneNode.Control(node, "backup-status");
            Assert.Equal(0, status.Data!["scheduledFailed"]!.GetValue<int>());
            // A run in progress writes a temporary file and, once renamed, removes the oldest: between the two there are
            // three archives for a moment, so the count is awaited; with retention broken it would only grow.
            string[] files = [];
            await Eventually.Until(() =>
            {
                files = Directory.GetFiles(backups).Select(f => Path.GetFileName(f)!).Order().ToArray();
                return files.Length == 2 && files.All(f => f.EndsWith(".okvbak", StringComparison.Ordinal));
            }, TimeSpan.FromSeconds(20), "exactly two archives in the backup directory");
            Assert.All(files, f => Assert.Matches(@"^okv-backup-okv-scheduled1-\d{8}T\d{9}Z\.okvbak$", f));

            var shown = await Infrastructure.Okvctl.Run(["127.0.0.1:46220", "--cluster", Path.Combine(cluster.Root, "cluster.json"), "backup", "status"]);
            Assert.True(shown.ExitCode == 0, shown.ToString());
            Assert.Contains("last backup ok", shown.Stdout);
            Assert.Contains("every 2s", shown.Stdout);
            Assert.Contains(backups, shown.Stdout);

            // The REST status resource (what the console shows) carries the same.
            using var admin = RestClient.Operator(cluster, "127.0.0.1:46320");
            var rest = await admin.Ok(HttpMethod.Get, "v1/cluster");
            Assert.Equal("ok", rest["backup"]!["last"]!["result"]!.GetValue<string>());
            Assert.Equal((2, "2s"), (rest["backup"]!["retention"]!.GetValue<int>(), rest["backup"]!["interval"]!.GetValue<string>()));
        }
        finally
        {
            await StandaloneNode.Stop(process);
        }
    }
}
