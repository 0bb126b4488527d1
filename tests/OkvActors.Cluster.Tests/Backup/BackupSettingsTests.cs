using Akka.Configuration;
using OkvActors.Backup;
using OkvActors.Cluster.Backup;
using OkvActors.Cluster.Trust;
using Xunit;

namespace OkvActors.Cluster.Tests.Backup;

public sealed class BackupSettingsTests
{
    [Fact]
    public void Empty_config_exposes_every_default_from_reference_conf()
    {
        var settings = BackupSettings.Create(Config.Empty);

        Assert.Null(settings.Interval);
        Assert.False(settings.Scheduled);
        Assert.Equal("", settings.Directory);
        Assert.Equal(7, settings.Retention);
    }

    [Fact]
    public void A_schedule_takes_an_interval_a_directory_and_a_retention()
    {
        var settings = BackupSettings.Create(ConfigurationFactory.ParseString("okv.backup { interval = 6h, directory = \"/var/backups/okv\", retention = 3 }"));

        Assert.Equal((TimeSpan.FromHours(6), "/var/backups/okv", 3), (settings.Interval, settings.Directory, settings.Retention));
    }

    [Theory]
    [InlineData("okv.backup { interval = 1h }")]
    [InlineData("okv.backup { interval = 100ms, directory = \"/tmp/x\" }")]
    [InlineData("okv.backup.retention = 0")]
    public void A_schedule_without_a_directory_a_sub_second_interval_or_no_retention_is_refused(string hocon) =>
        Assert.Throws<ConfigurationException>(() => BackupSettings.Create(ConfigurationFactory.ParseString(hocon)));

    [Fact]
    public void The_archive_unseals_with_the_purposes_the_node_seals_under() =>
        Assert.Equal((NodeCredentials.KekPurpose, NodeCredentials.CaKeyPurpose),
            (BackupArchiveReader.SealedKekPurpose, BackupArchiveReader.SealedCaKeyPurpose));
}
