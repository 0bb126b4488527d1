using Microsoft.Data.Sqlite;
using OkvActors.Cluster.Durability;
using Xunit;

namespace OkvActors.Cluster.Tests.Durability;

public sealed class SqliteStoreFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "okv-tests", $"sqlite-{Guid.NewGuid():N}"[..20]);

    [Fact]
    public void The_store_file_is_created_in_write_ahead_log_mode_and_keeps_it_for_every_later_connection()
    {
        var file = Path.Combine(_dir, "store", "okv.db");

        Assert.Equal("wal", SqliteStoreFile.UseWriteAheadLog(file));
        Assert.Equal("wal", SqliteStoreFile.UseWriteAheadLog(file));

        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)command.ExecuteScalar()!);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
