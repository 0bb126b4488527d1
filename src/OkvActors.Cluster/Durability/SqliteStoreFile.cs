using Microsoft.Data.Sqlite;

namespace OkvActors.Cluster.Durability;

/// <summary>
/// The node's SQLite file, prepared before Akka.Persistence.Sql opens it. Write-ahead logging: each
/// commit appends to the WAL and syncs it once (synchronous stays FULL, so an acknowledged write
/// survives a crash), instead of creating, syncing and deleting a rollback journal per transaction,
/// which the benchmarks found dominating every replicated write. The mode is stored in the file.
/// </summary>
public static class SqliteStoreFile
{
    /// <summary>Creates the file if needed and switches it to WAL; returns the journal mode now in force.</summary>
    public static string UseWriteAheadLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        return (string)command.ExecuteScalar()!;
    }
}
