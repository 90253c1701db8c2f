using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace ChainCore.Node.Storage;

/// <summary>
/// The embedded store: one SQLite file, WAL journal so readers never wait for the writer, and one
/// writer at a time (SQLite's own rule, kept here with a semaphore instead of busy retries).
/// </summary>
public sealed class SqliteChainStore : SqlChainStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private int _disposed;

    public SqliteChainStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    protected override string Sql(string sql) => Schema.ForSqlite(sql);

    /// <summary>
    /// Few rows per statement, each size prepared once and reused within the transaction: the
    /// database is in process, so there is no round trip to save, and binding grows with the square
    /// of a statement's parameters (SQLite looks each one up by name).
    /// </summary>
    protected override int RowsPerStatement => 16;

    private protected override string MigrationSql(Schema.Migration migration) => migration.Sqlite ?? migration.Postgres;

    protected internal override async ValueTask<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = "pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 30000;";
        await pragmas.ExecuteNonQueryAsync(ct);
        return connection;
    }

    protected internal override async ValueTask<IDisposable> EnterWriteAsync(CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        return new Releaser(_writer);
    }

    /// <summary>Closes this store's pooled connections (and only these: other nodes in the process keep theirs), releasing the file.</summary>
    public override ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
            _writer.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }
}
