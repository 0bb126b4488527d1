using System.Data;
using System.Data.Common;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;
using OkvActors.KeyStore.Model;

namespace OkvActors.Cluster.Durability;

/// <summary>The SQL dialects the durable store speaks.</summary>
public enum DurableStoreDialect
{
    Sqlite,
    PostgreSql,
}

/// <summary>What one transaction writes for one Distributed Data key.</summary>
public abstract record DurableWrite(string Key)
{
    /// <summary>Roughly what the write puts on disk, to bound a batch.</summary>
    public abstract long Bytes { get; }
}

/// <summary>Objects of a key shard that changed since the shard was last committed: one row each.</summary>
public sealed record ShardObjectsWrite(string Key, IReadOnlyList<ManagedObject> Objects) : DurableWrite(Key)
{
    public override long Bytes => Objects.Sum(o => (long)o.EncodedLength + o.Uid.Length);
}

/// <summary>Any other durable value, serialized whole (the controller registry, the access registry): one row.</summary>
public sealed record EntryWrite(string Key, int SerializerId, string Manifest, byte[] Payload) : DurableWrite(Key)
{
    public override long Bytes => Payload.Length + Manifest.Length;
}

public sealed record StoredEntry(string Key, int SerializerId, string Manifest, byte[] Payload);

/// <summary>Everything stored: object encodings per shard key (in UID order) and the whole entries.</summary>
public sealed record DurableContents(IReadOnlyDictionary<string, List<byte[]>> ShardObjects, IReadOnlyList<StoredEntry> Entries);

/// <summary>
/// The durable store's tables, in the node's SQLite file or PostgreSQL database: a row per object of a
/// key shard (upserted, so a write costs what changed, never the whole shard) and a row per other key.
/// Actor-free and not thread-safe: its owner runs one operation at a time, each on a connection it
/// keeps open (SQLite has a single writer anyway). A failed operation drops the connection so the next
/// one starts on a fresh one.
/// </summary>
public sealed class DurableStoreDatabase : IDisposable
{
    private const string ObjectTable = "okv_durable_object";
    private const string EntryTable = "okv_durable_entry";

    private readonly DurableStoreDialect _dialect;
    private readonly string _connectionString;
    private readonly Lock _gate = new();
    private DbConnection? _connection;
    private Upserts? _upserts;
    private bool _disposed;

    public DurableStoreDatabase(string providerName, string connectionString)
    {
        _dialect = DialectOf(providerName);
        _connectionString = connectionString;
    }

    /// <summary>Transactions committed so far.</summary>
    public long Commits { get; private set; }

    /// <summary>The dialect for an Akka.Persistence.Sql (linq2db) provider name; a clear error for any other.</summary>
    public static DurableStoreDialect DialectOf(string providerName) =>
        providerName.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase) ? DurableStoreDialect.Sqlite
        : providerName.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase) ? DurableStoreDialect.PostgreSql
        : throw new ConfigurationException(
            $"the durable store supports SQLite and PostgreSQL providers (SQLite.MS, PostgreSQL.15, ...), not '{providerName}'");

    public DurableContents LoadAll()
    {
        lock (_gate)
        {
            return Run(connection =>
            {
                var objects = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
                using (var select = Command(connection, null, $"SELECT data_key, encoding FROM {ObjectTable} ORDER BY data_key, uid"))
                using (var reader = select.ExecuteReader())
                {
                    List<byte[]>? current = null;
                    string? currentKey = null;
                    while (reader.Read())
                    {
                        var key = reader.GetString(0);
                        if (!string.Equals(key, currentKey, StringComparison.Ordinal))
                        {
                            currentKey = key;
                            current = new List<byte[]>();
                            objects.Add(key, current);
                        }

                        current!.Add((byte[])reader.GetValue(1));
                    }
                }

                var entries = new List<StoredEntry>();
                using (var select = Command(connection, null, $"SELECT data_key, serializer_id, manifest, payload FROM {EntryTable}"))
                using (var reader = select.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        entries.Add(new StoredEntry(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), (byte[])reader.GetValue(3)));
                    }
                }

                return new DurableContents(objects, entries);
            });
        }
    }

    /// <summary>Writes every write in one transaction: all of them are on disk when this returns, or none.</summary>
    /// <returns>The rows written.</returns>
    public int Write(IReadOnlyList<DurableWrite> writes)
    {
        lock (_gate)
        {
            return Run(connection =>
            {
                var upserts = _upserts!;
                using var transaction = connection.BeginTransaction();
                upserts.Object.Transaction = transaction;
                upserts.Entry.Transaction = transaction;
                var rows = 0;
                foreach (var write in writes)
                {
                    switch (write)
                    {
                        case ShardObjectsWrite shard:
                            upserts.ObjectKey.Value = shard.Key;
                            foreach (var o in shard.Objects)
                            {
                                upserts.Uid.Value = o.Uid;
                                upserts.Encoding.Value = ManagedObjectCodec.Encode(o);
                                rows += upserts.Object.ExecuteNonQuery();
                            }

                            break;
                        case EntryWrite entry:
                            upserts.EntryKey.Value = entry.Key;
                            upserts.Serializer.Value = entry.SerializerId;
                            upserts.Manifest.Value = entry.Manifest;
                            upserts.Payload.Value = entry.Payload;
                            rows += upserts.Entry.ExecuteNonQuery();
                            break;
                    }
                }

                transaction.Commit();
                Commits++;
                return rows;
            });
        }
    }

    public void Dispose()
    {
        // Waits for an operation in progress: its transaction either commits or rolls back, never half.
        lock (_gate)
        {
            _disposed = true;
            Drop();
        }
    }

    private T Run<T>(Func<DbConnection, T> operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            return operation(_connection ??= Open());
        }
        catch
        {
            Drop();
            throw;
        }
    }

    private void Drop()
    {
        _upserts?.Dispose();
        _upserts = null;
        _connection?.Dispose();
        _connection = null;
    }

    private DbConnection Open()
    {
        DbConnection connection = _dialect == DurableStoreDialect.Sqlite
            ? new SqliteConnection(_connectionString)
            : new NpgsqlConnection(_connectionString);
        try
        {
            connection.Open();
            // The store is the file's only writer; should another connection hold its lock, wait inside SQLite, not 150 ms at a time.
            SqliteBusyWait.Apply(connection);
            var blob = _dialect == DurableStoreDialect.Sqlite ? "BLOB" : "BYTEA";
            // SQLite: FULL makes every commit sync the write-ahead log, so a replied Store survives a power
            // loss (the default, said out loud because the guarantee rests on it).
            var setup = _dialect == DurableStoreDialect.Sqlite ? "PRAGMA synchronous = FULL;\n" : "";
            using var create = Command(connection, null, setup +
                $"CREATE TABLE IF NOT EXISTS {ObjectTable} (data_key TEXT NOT NULL, uid TEXT NOT NULL, encoding {blob} NOT NULL, PRIMARY KEY (data_key, uid));\n" +
                $"CREATE TABLE IF NOT EXISTS {EntryTable} (data_key TEXT NOT NULL PRIMARY KEY, serializer_id INTEGER NOT NULL, manifest TEXT NOT NULL, payload {blob} NOT NULL);");
            create.ExecuteNonQuery();
            // Prepared once per connection, not per transaction: a batch under light load is one Store.
            _upserts = new Upserts(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>The two upsert commands of a connection, with their parameters.</summary>
    private sealed class Upserts : IDisposable
    {
        public Upserts(DbConnection connection)
        {
            Object = Command(connection, null,
                $"INSERT INTO {ObjectTable} (data_key, uid, encoding) VALUES (@key, @uid, @encoding) " +
                "ON CONFLICT (data_key, uid) DO UPDATE SET encoding = excluded.encoding");
            ObjectKey = Parameter(Object, "@key", DbType.String);
            Uid = Parameter(Object, "@uid", DbType.String);
            Encoding = Parameter(Object, "@encoding", DbType.Binary);
            Entry = Command(connection, null,
                $"INSERT INTO {EntryTable} (data_key, serializer_id, manifest, payload) VALUES (@key, @serializer, @manifest, @payload) " +
                "ON CONFLICT (data_key) DO UPDATE SET serializer_id = excluded.serializer_id, manifest = excluded.manifest, payload = excluded.payload");
            EntryKey = Parameter(Entry, "@key", DbType.String);
            Serializer = Parameter(Entry, "@serializer", DbType.Int32);
            Manifest = Parameter(Entry, "@manifest", DbType.String);
            Payload = Parameter(Entry, "@payload", DbType.Binary);
        }

        public DbCommand Object { get; }

        public DbParameter ObjectKey { get; }

        public DbParameter Uid { get; }

        public DbParameter Encoding { get; }

        public DbCommand Entry { get; }

        public DbParameter EntryKey { get; }

        public DbParameter Serializer { get; }

        public DbParameter Manifest { get; }

        public DbParameter Payload { get; }

        public void Dispose()
        {
            Object.Dispose();
            Entry.Dispose();
        }
    }
}
