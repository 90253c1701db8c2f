using System.Data.Common;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using Microsoft.Data.Sqlite;

namespace ChainCore.Node.Storage;

/// <summary>
/// The embedded store: one SQLite file, WAL journal so readers never wait for the writer, and one
/// writer at a time (SQLite's own rule, kept here with a semaphore instead of busy retries). The
/// log is copied into the database file (a checkpoint) on a thread of its own after each write,
/// not by the commit that happens to fill it: a block's commit does not pay for the blocks before it.
/// </summary>
public sealed class SqliteChainStore : SqlChainStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly object _checkpointGate = new();
    private Task _checkpoint = Task.CompletedTask;
    private bool _checkpointAgain;
    private int _disposed; // under _checkpointGate

    /// <summary>
    /// Pages in the log past which a commit checkpoints after all (SQLite's own automatic checkpoint):
    /// only if the background checkpoints fall behind. SQLite's default is 1,000.
    /// </summary>
    private const int FallbackCheckpointPages = 16_000;

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

    private protected override string MigrationSql(Schema.Migration migration) => migration.Sqlite ?? migration.Postgres;

    protected internal override async ValueTask<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var pragmas = connection.CreateCommand();
        pragmas.CommandText = $"pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 30000; pragma wal_autocheckpoint = {FallbackCheckpointPages};";
        await pragmas.ExecuteNonQueryAsync(ct);
        return connection;
    }

    // The rows of a block go through statements prepared once and bound by position (SqliteRowStatement).

    protected override Task ReadCoinsAsync(DbConnection connection, DbTransaction? tx, IReadOnlyCollection<OutPoint> outPoints, Dictionary<OutPoint, Coin> coins, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outPoints);
        using var select = new SqliteRowStatement((SqliteConnection)connection, "select value, pubkey_hash, height, is_coinbase from utxos where txid = ?1 and vout = ?2");
        Span<byte> txid = stackalloc byte[Hash256.Size];
        foreach (var outPoint in outPoints.Distinct())
        {
            ct.ThrowIfCancellationRequested();
            outPoint.TxId.WriteTo(txid);
            select.Bind(1, txid).Bind(2, outPoint.Index);
            select.Query(row => coins[outPoint] = new Coin(new TxOut(new Amount(row.Int64(0)), [.. row.Blob(1)]), (int)row.Int64(2), row.Int64(3) != 0));
        }

        return Task.CompletedTask;
    }

    protected override Task InsertTransactionsAsync(DbConnection connection, DbTransaction tx, Block block, int height, CancellationToken ct)
    {
        using var insert = new SqliteRowStatement((SqliteConnection)connection,
            "insert into transactions (txid, block_hash, block_height, position, tx_offset, tx_length) values (?1, ?2, ?3, ?4, ?5, ?6)");
        Span<byte> txid = stackalloc byte[Hash256.Size];
        Span<byte> blockHash = stackalloc byte[Hash256.Size];
        block.Hash.WriteTo(blockHash);
        foreach (var (id, position, offset, length) in TransactionLocations(block))
        {
            id.WriteTo(txid);
            insert.Bind(1, txid).Bind(2, blockHash).Bind(3, height).Bind(4, position).Bind(5, offset).Bind(6, length).Execute();
        }

        return Task.CompletedTask;
    }

    protected override Task InsertCoinsAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<SpentCoin> coins, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(coins);
        using var insert = new SqliteRowStatement((SqliteConnection)connection,
            "insert into utxos (txid, vout, value, pubkey_hash, height, is_coinbase) values (?1, ?2, ?3, ?4, ?5, ?6)");
        Span<byte> txid = stackalloc byte[Hash256.Size];
        foreach (var coin in coins)
        {
            coin.OutPoint.TxId.WriteTo(txid);
            insert.Bind(1, txid).Bind(2, coin.OutPoint.Index).Bind(3, coin.Coin.Output.Value.Units).Bind(4, coin.Coin.Output.PublicKeyHash.AsSpan())
                .Bind(5, coin.Coin.Height).Bind(6, coin.Coin.IsCoinbase).Execute();
        }

        return Task.CompletedTask;
    }

    protected override Task<int> DeleteCoinsAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<OutPoint> outPoints, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outPoints);
        using var delete = new SqliteRowStatement((SqliteConnection)connection, "delete from utxos where txid = ?1 and vout = ?2");
        Span<byte> txid = stackalloc byte[Hash256.Size];
        var deleted = 0;
        foreach (var outPoint in outPoints)
        {
            outPoint.TxId.WriteTo(txid);
            deleted += delete.Bind(1, txid).Bind(2, outPoint.Index).Execute();
        }

        return Task.FromResult(deleted);
    }

    protected override Task ApplyBalancesAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<(byte[] Pkh, long Delta)> deltas, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        using var upsert = new SqliteRowStatement((SqliteConnection)connection,
            "insert into address_balances (pubkey_hash, balance) values (?1, ?2) on conflict (pubkey_hash) do update set balance = address_balances.balance + excluded.balance");
        foreach (var (pkh, delta) in deltas)
        {
            upsert.Bind(1, pkh).Bind(2, delta).Execute();
        }

        return Task.CompletedTask;
    }

    protected override Task DeleteHistoryAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<(byte[] PublicKeyHash, Hash256 TxId)> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        using var delete = new SqliteRowStatement((SqliteConnection)connection, "delete from address_transactions where pubkey_hash = ?1 and txid = ?2");
        Span<byte> txid = stackalloc byte[Hash256.Size];
        foreach (var (pkh, id) in keys)
        {
            id.WriteTo(txid);
            delete.Bind(1, pkh).Bind(2, txid).Execute();
        }

        return Task.CompletedTask;
    }

    protected override Task InsertHistoryAsync(DbConnection connection, DbTransaction tx, Hash256 blockHash, int height, IReadOnlyList<HistoryRow> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var insert = new SqliteRowStatement((SqliteConnection)connection,
            "insert into address_transactions (pubkey_hash, txid, block_hash, block_height, received, spent) values (?1, ?2, ?3, ?4, ?5, ?6)");
        Span<byte> txid = stackalloc byte[Hash256.Size];
        Span<byte> block = stackalloc byte[Hash256.Size];
        blockHash.WriteTo(block);
        foreach (var row in rows)
        {
            row.TxId.WriteTo(txid);
            insert.Bind(1, row.PublicKeyHash).Bind(2, txid).Bind(3, block).Bind(4, height).Bind(5, row.Received).Bind(6, row.Spent).Execute();
        }

        return Task.CompletedTask;
    }

    protected internal override async ValueTask<IDisposable> EnterWriteAsync(CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        return new Releaser(this);
    }

    /// <summary>Completes once the checkpoints asked for so far ran.</summary>
    internal Task CheckpointsDone
    {
        get
        {
            lock (_checkpointGate)
            {
                return _checkpoint;
            }
        }
    }

    /// <summary>After a write: checkpoints the log on the thread pool, once more if a checkpoint is already running.</summary>
    private void RequestCheckpoint()
    {
        lock (_checkpointGate)
        {
            if (_disposed == 1)
            {
                return;
            }

            if (!_checkpoint.IsCompleted)
            {
                _checkpointAgain = true;
                return;
            }

            _checkpoint = Task.Run(CheckpointAsync);
        }
    }

    /// <summary>
    /// A passive checkpoint: copies what the log holds into the database file without waiting for
    /// readers or the writer (it never blocks them). Failing (a busy file) leaves the pages in the log
    /// for the next one, or for SQLite's own checkpoint past <see cref="FallbackCheckpointPages"/>.
    /// </summary>
    private async Task CheckpointAsync()
    {
        while (true)
        {
            lock (_checkpointGate)
            {
                _checkpointAgain = false;
            }

            try
            {
                await using var connection = new SqliteConnection(_connectionString);
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "pragma wal_checkpoint(passive)";
                await command.ExecuteNonQueryAsync();
            }
            catch (SqliteException)
            {
            }

            lock (_checkpointGate)
            {
                if (!_checkpointAgain || _disposed == 1)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Closes this store's pooled connections (and only these: other nodes in the process keep theirs), releasing the file.</summary>
    public override async ValueTask DisposeAsync()
    {
        Task checkpoint;
        lock (_checkpointGate)
        {
            if (_disposed == 1)
            {
                return;
            }

            // No checkpoint starts from now on; the one running, if any, finishes before the pool closes.
            _disposed = 1;
            checkpoint = _checkpoint;
        }

        await checkpoint;
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        _writer.Dispose();
    }

    private sealed class Releaser(SqliteChainStore store) : IDisposable
    {
        public void Dispose()
        {
            store._writer.Release();
            store.RequestCheckpoint();
        }
    }
}
