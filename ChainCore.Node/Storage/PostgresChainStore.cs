using System.Data.Common;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using Npgsql;
using NpgsqlTypes;

namespace ChainCore.Node.Storage;

/// <summary>
/// The PostgreSQL store (Npgsql). Big blocks and bulk imports go through binary COPY; coin
/// lookups for a whole block are one query.
/// </summary>
public sealed class PostgresChainStore : SqlChainStore
{
    /// <summary>From this many rows on, inserts use binary COPY instead of one statement per row.</summary>
    public const int CopyThreshold = 64;

    private readonly NpgsqlDataSource _dataSource;
    private int _disposed;

    public PostgresChainStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    protected internal override async ValueTask<DbConnection> OpenAsync(CancellationToken ct) => await _dataSource.OpenConnectionAsync(ct);

    protected override async Task ReadCoinsAsync(DbConnection connection, DbTransaction? tx, IReadOnlyCollection<OutPoint> outPoints, Dictionary<OutPoint, Coin> coins, CancellationToken ct)
    {
        var distinct = outPoints.Distinct().ToArray();
        await using var command = Command(connection, tx,
            "select u.txid, u.vout, u.value, u.pubkey_hash, u.height, u.is_coinbase from utxos u "
            + "join unnest(@txids, @vouts) as k(txid, vout) on u.txid = k.txid and u.vout = k.vout",
            ("txids", distinct.Select(o => o.TxId.ToBytes()).ToArray()),
            ("vouts", distinct.Select(o => (int)o.Index).ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var outPoint = new OutPoint(new Hash256((byte[])reader[0]), (uint)reader.GetInt32(1));
            coins[outPoint] = new Coin(new TxOut(new Amount(reader.GetInt64(2)), [.. (byte[])reader[3]]), reader.GetInt32(4), reader.GetBoolean(5));
        }
    }

    protected override async Task InsertTransactionsAsync(DbConnection connection, DbTransaction tx, Block block, int height, CancellationToken ct)
    {
        if (block.Transactions.Length < CopyThreshold)
        {
            await base.InsertTransactionsAsync(connection, tx, block, height, ct);
            return;
        }

        var blockHash = block.Hash.ToBytes();
        await using var writer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(
            "copy transactions (txid, block_hash, block_height, position, tx_offset, tx_length) from stdin (format binary)", ct);
        foreach (var (txId, position, offset, length) in TransactionLocations(block))
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(txId.ToBytes(), NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(blockHash, NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(height, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(position, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(offset, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(length, NpgsqlDbType.Integer, ct);
        }

        await writer.CompleteAsync(ct);
    }

    protected override async Task InsertCoinsAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<SpentCoin> coins, CancellationToken ct)
    {
        if (coins.Count < CopyThreshold)
        {
            await base.InsertCoinsAsync(connection, tx, coins, ct);
            return;
        }

        await using var writer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(
            "copy utxos (txid, vout, value, pubkey_hash, height, is_coinbase) from stdin (format binary)", ct);
        foreach (var coin in coins)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(coin.OutPoint.TxId.ToBytes(), NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync((int)coin.OutPoint.Index, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(coin.Coin.Output.Value.Units, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(coin.Coin.Output.PublicKeyHash.ToArray(), NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(coin.Coin.Height, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(coin.Coin.IsCoinbase, NpgsqlDbType.Boolean, ct);
        }

        await writer.CompleteAsync(ct);
    }

    protected override async Task<int> DeleteCoinsAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<OutPoint> outPoints, CancellationToken ct)
    {
        if (outPoints.Count < CopyThreshold)
        {
            return await base.DeleteCoinsAsync(connection, tx, outPoints, ct);
        }

        return await ExecuteAsync(connection, tx,
            "delete from utxos u using unnest(@txids, @vouts) as k(txid, vout) where u.txid = k.txid and u.vout = k.vout", ct,
            ("txids", outPoints.Select(o => o.TxId.ToBytes()).ToArray()), ("vouts", outPoints.Select(o => (int)o.Index).ToArray()));
    }

    protected override async Task ApplyBalancesAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<(byte[] Pkh, long Delta)> deltas, CancellationToken ct)
    {
        if (deltas.Count < CopyThreshold)
        {
            await base.ApplyBalancesAsync(connection, tx, deltas, ct);
            return;
        }

        await ExecuteAsync(connection, tx,
            "insert into address_balances (pubkey_hash, balance) select * from unnest(@pkhs, @deltas) "
            + "on conflict (pubkey_hash) do update set balance = address_balances.balance + excluded.balance", ct,
            ("pkhs", deltas.Select(d => d.Pkh).ToArray()), ("deltas", deltas.Select(d => d.Delta).ToArray()));
    }

    protected override async Task DeleteHistoryAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<(byte[] PublicKeyHash, Hash256 TxId)> keys, CancellationToken ct)
    {
        if (keys.Count < CopyThreshold)
        {
            await base.DeleteHistoryAsync(connection, tx, keys, ct);
            return;
        }

        await ExecuteAsync(connection, tx,
            "delete from address_transactions a using unnest(@pkhs, @txids) as k(pkh, txid) where a.pubkey_hash = k.pkh and a.txid = k.txid", ct,
            ("pkhs", keys.Select(k => k.PublicKeyHash).ToArray()), ("txids", keys.Select(k => k.TxId.ToBytes()).ToArray()));
    }

    protected override async Task InsertHistoryAsync(DbConnection connection, DbTransaction tx, Hash256 blockHash, int height, IReadOnlyList<HistoryRow> rows, CancellationToken ct)
    {
        if (rows.Count < CopyThreshold)
        {
            await base.InsertHistoryAsync(connection, tx, blockHash, height, rows, ct);
            return;
        }

        var block = blockHash.ToBytes();
        await using var writer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(
            "copy address_transactions (pubkey_hash, txid, block_hash, block_height, received, spent) from stdin (format binary)", ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(row.PublicKeyHash, NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(row.TxId.ToBytes(), NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(block, NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(height, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(row.Received, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(row.Spent, NpgsqlDbType.Bigint, ct);
        }

        await writer.CompleteAsync(ct);
    }

    /// <summary>
    /// Binary-COPYs the blocks in one transaction. New blocks are the usual case, so that is tried
    /// first; if some are already stored (a unique violation), the known ones are skipped and the
    /// rest copied again.
    /// </summary>
    public override async Task<int> BulkInsertBlocksAsync(IReadOnlyList<(Block Block, int Height)> blocks, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count == 0)
        {
            return 0;
        }

        var distinct = blocks.DistinctBy(b => b.Block.Hash).ToList();
        await using var connection = (NpgsqlConnection)await OpenAsync(ct);
        try
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await CopyBlocksAsync(connection, distinct, ct);
            await tx.CommitAsync(ct);
            return distinct.Count;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, tx, "lock table blocks in share row exclusive mode", ct);
            var known = new HashSet<Hash256>();
            await using (var command = Command(connection, tx, "select hash from blocks where hash = any(@hashes)", ("hashes", distinct.Select(b => b.Block.Hash.ToBytes()).ToArray())))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    known.Add(new Hash256((byte[])reader[0]));
                }
            }

            var fresh = distinct.Where(b => !known.Contains(b.Block.Hash)).ToList();
            await CopyBlocksAsync(connection, fresh, ct);
            await tx.CommitAsync(ct);
            return fresh.Count;
        }
    }

    private static async Task CopyBlocksAsync(NpgsqlConnection connection, IReadOnlyList<(Block Block, int Height)> blocks, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "copy blocks (hash, prev_hash, height, header, raw, tx_count, size, time, on_main_chain, invalid) from stdin (format binary)", ct);
        foreach (var (block, height) in blocks)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(block.Hash.ToBytes(), NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(block.Header.PreviousHash.ToBytes(), NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(height, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(block.Header.Serialize(), NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(block.Serialize(), NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(block.Transactions.Length, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(block.SerializedSize, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync((long)block.Header.Time, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(false, NpgsqlDbType.Boolean, ct);
            await writer.WriteAsync(false, NpgsqlDbType.Boolean, ct);
        }

        await writer.CompleteAsync(ct);
    }

    public override ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? _dataSource.DisposeAsync() : ValueTask.CompletedTask;
}
