using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Data.Common;
using System.Runtime.InteropServices;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;

namespace ChainCore.Node.Storage;

/// <summary>
/// The SQL both stores share: same tables, same statements, each connect or disconnect one
/// database transaction. Subclasses open connections, map types, serialize writers where the
/// database needs it, and may replace the bulk paths.
/// </summary>
public abstract class SqlChainStore : IChainStore
{
    protected SqlChainStore()
    {
        Peers = new SqlPeerStore(this);
        MiningStats = new SqlMiningStatsStore(this);
        SavedMempool = new SqlMempoolStore(this);
    }

    /// <summary>The known peers, kept in this store's database.</summary>
    public IPeerStore Peers { get; }

    /// <summary>The mining statistics, kept in this store's database.</summary>
    public IMiningStatsStore MiningStats { get; }

    /// <summary>The mempool saved at the last clean stop.</summary>
    public IMempoolStore SavedMempool { get; }

    /// <summary>
    /// Test hook: invoked with a step name at points inside the connect and disconnect
    /// transactions; throwing from it must roll the whole transaction back.
    /// </summary>
    internal Func<string, Task>? Failpoint { get; set; }

    protected internal abstract ValueTask<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>Adapts PostgreSQL-flavoured SQL to the database.</summary>
    protected virtual string Sql(string sql) => sql;

    /// <summary>Rows per multi-row statement: few round trips for a big block, far below any limit of bound parameters.</summary>
    protected virtual int RowsPerStatement => 100;

    /// <summary>The statements of a migration for this database.</summary>
    private protected virtual string MigrationSql(Schema.Migration migration) => migration.Postgres;

    /// <summary>Held around every write; SQLite allows one writer at a time.</summary>
    protected internal virtual ValueTask<IDisposable> EnterWriteAsync(CancellationToken ct) => ValueTask.FromResult<IDisposable>(NoLock.Instance);

    public virtual async Task InitializeAsync(CancellationToken ct = default)
    {
        using var _ = await EnterWriteAsync(ct);
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, tx, "create table if not exists schema_version (version integer not null)", ct);
        var current = await ScalarAsync(connection, tx, "select max(version) from schema_version", ct) is { } v and not DBNull ? Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (current > Schema.LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database schema is version {current}, newer than this node knows ({Schema.LatestVersion}). Upgrade the node or use another database.");
        }

        for (var version = current + 1; version <= Schema.LatestVersion; version++)
        {
            await ExecuteAsync(connection, tx, MigrationSql(Schema.Migrations[version - 1]), ct);
        }

        if (current < Schema.LatestVersion)
        {
            await ExecuteAsync(connection, tx, "delete from schema_version", ct);
            await ExecuteAsync(connection, tx, "insert into schema_version (version) values (@v)", ct, ("v", Schema.LatestVersion));
        }

        await tx.CommitAsync(ct);
    }

    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        try
        {
            await using var connection = await OpenAsync(ct);
            await ScalarAsync(connection, null, "select 1", ct);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    internal async Task<int> GetSchemaVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return Convert.ToInt32(await ScalarAsync(connection, null, "select max(version) from schema_version", ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<bool> InsertBlockAsync(Block block, int height, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        using var _ = await EnterWriteAsync(ct);
        await using var connection = await OpenAsync(ct);
        return await InsertBlockRowAsync(connection, null, block, height, onMainChain: false, ct);
    }

    public virtual async Task<int> BulkInsertBlocksAsync(IReadOnlyList<(Block Block, int Height)> blocks, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        using var _ = await EnterWriteAsync(ct);
        await using var connection = await OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var inserted = 0;
        foreach (var (block, height) in blocks)
        {
            if (await InsertBlockRowAsync(connection, tx, block, height, onMainChain: false, ct))
            {
                inserted++;
            }
        }

        await tx.CommitAsync(ct);
        return inserted;
    }

    public async Task<Block?> GetBlockAsync(Hash256 hash, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await ScalarAsync(connection, null, "select raw from blocks where hash = @hash", ct, ("hash", hash.ToBytes())) is byte[] raw ? Block.Parse(raw) : null;
    }

    public async Task<Block?> GetBlockByHeightAsync(int height, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await ScalarAsync(connection, null, "select raw from blocks where height = @height and on_main_chain", ct, ("height", height)) is byte[] raw ? Block.Parse(raw) : null;
    }

    public async Task<StoredBlock?> GetLatestBlockAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var rows = await ReadBlocksAsync(connection, "select hash, height, header, tx_count, size from blocks where on_main_chain order by height desc limit 1", ct);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<int> GetChainHeightAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var value = await ScalarAsync(connection, null, "select max(height) from blocks where on_main_chain", ct);
        return value is null or DBNull ? -1 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<StoredBlock>> GetBlocksAsync(int start, int limit, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await ReadBlocksAsync(connection,
            "select hash, height, header, tx_count, size from blocks where on_main_chain and height >= @start order by height limit @limit", ct,
            ("start", start), ("limit", limit));
    }

    internal async Task<int> CountBlocksAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return Convert.ToInt32(await ScalarAsync(connection, null, "select count(*) from blocks", ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<StoredHeader>> LoadBlockIndexAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "select hash, height, header, on_main_chain, invalid from blocks order by height");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var headers = new List<StoredHeader>();
        while (await reader.ReadAsync(ct))
        {
            headers.Add(new StoredHeader(
                new Hash256((byte[])reader[0]),
                reader.GetInt32(1),
                BlockHeader.Parse((byte[])reader[2]),
                reader.GetBoolean(3),
                reader.GetBoolean(4)));
        }

        return headers;
    }

    public async Task MarkBlockInvalidAsync(Hash256 hash, CancellationToken ct = default)
    {
        using var _ = await EnterWriteAsync(ct);
        await using var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, null, "update blocks set invalid = true where hash = @hash and not on_main_chain", ct, ("hash", hash.ToBytes()));
    }

    public async Task<IChainUpdate> BeginUpdateAsync(CancellationToken ct = default)
    {
        var writer = await EnterWriteAsync(ct);
        DbConnection? connection = null;
        try
        {
            connection = await OpenAsync(ct);
            var tx = await connection.BeginTransactionAsync(ct);
            return new Update(this, writer, connection, tx);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            writer.Dispose();
            throw;
        }
    }

    public async Task ConnectBlockAsync(Block block, int height, BlockUndo undo, CancellationToken ct = default)
    {
        await using var update = await BeginUpdateAsync(ct);
        await update.ConnectBlockAsync(block, height, undo, ct);
        await update.CommitAsync(ct);
    }

    public async Task<BlockUndo> DisconnectBlockAsync(Block block, int height, CancellationToken ct = default)
    {
        await using var update = await BeginUpdateAsync(ct);
        var undo = await update.DisconnectBlockAsync(block, height, ct);
        await update.CommitAsync(ct);
        return undo;
    }

    private async Task ConnectInAsync(DbConnection connection, DbTransaction tx, Block block, int height, BlockUndo undo, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(undo);
        var hash = block.Hash.ToBytes();

        // The block is usually stored already (accepted, then connected): flag it rather than send its bytes again.
        if (await ExecuteAsync(connection, tx, "update blocks set on_main_chain = true where hash = @hash", ct, ("hash", hash)) == 0)
        {
            await InsertBlockRowAsync(connection, tx, block, height, onMainChain: true, ct);
        }

        await StepAsync("connect:block");
        if (height == 0)
        {
            // As in Bitcoin, the genesis coinbase's output is unspendable: it never enters the UTXO set or a balance.
            return;
        }

        await InsertTransactionsAsync(connection, tx, block, height, ct);

        var newCoins = block.Transactions.SelectMany((t, _) => CoinsOf(t, height)).ToList();

        await InsertCoinsAsync(connection, tx, newCoins, ct);
        await StepAsync("connect:outputs");

        var deleted = await DeleteCoinsAsync(connection, tx, [.. undo.SpentCoins.Select(c => c.OutPoint)], ct);
        if (deleted != undo.SpentCoins.Length)
        {
            throw new InvalidOperationException($"Connecting {block.Hash}: {undo.SpentCoins.Length - deleted} of the outputs it spends are not in the UTXO set.");
        }

        await StepAsync("connect:spends");
        await ApplyAddressChangesAsync(connection, tx, block, height, undo, sign: 1, ct);

        await ExecuteAsync(connection, tx, Sql("insert into block_undo (block_hash, data) values (@hash, @data) on conflict (block_hash) do update set data = excluded.data"), ct,
            ("hash", hash), ("data", undo.Serialize()));
        await StepAsync("connect:commit");
    }

    private async Task<BlockUndo> DisconnectInAsync(DbConnection connection, DbTransaction tx, Block block, int height, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(block);
        var hash = block.Hash.ToBytes();
        var tip = await ScalarAsync(connection, tx, "select hash from blocks where on_main_chain order by height desc limit 1", ct) as byte[];
        if (tip is null || !tip.AsSpan().SequenceEqual(hash))
        {
            throw new InvalidOperationException($"Only the main chain's tip can be disconnected; {block.Hash} is not it.");
        }

        var data = await ScalarAsync(connection, tx, "select data from block_undo where block_hash = @hash", ct, ("hash", hash)) as byte[]
            ?? throw new InvalidOperationException($"No undo data for block {block.Hash}.");
        var undo = BlockUndo.Parse(data);
        var created = block.Transactions.Select(t => t.TxId).ToHashSet();

        await ForEachBatchAsync(connection, tx, [.. block.Transactions.Select(t => new object?[] { t.TxId.ToBytes() })], 1,
            values => $"delete from utxos where txid in ({values})", command => command.ExecuteNonQueryAsync(ct));

        await StepAsync("disconnect:outputs");
        await InsertCoinsAsync(connection, tx, [.. undo.SpentCoins.Where(s => !created.Contains(s.OutPoint.TxId))], ct);
        await StepAsync("disconnect:spends");
        await ApplyAddressChangesAsync(connection, tx, block, height, undo, sign: -1, ct);
        await ExecuteAsync(connection, tx, "delete from transactions where block_hash = @hash", ct, ("hash", hash));
        await ExecuteAsync(connection, tx, "delete from block_undo where block_hash = @hash", ct, ("hash", hash));
        await ExecuteAsync(connection, tx, "update blocks set on_main_chain = false where hash = @hash", ct, ("hash", hash));
        await StepAsync("disconnect:commit");
        return undo;
    }

    /// <summary>One database transaction holding the store's writer until it is committed or rolled back.</summary>
    private sealed class Update(SqlChainStore store, IDisposable writer, DbConnection connection, DbTransaction tx) : IChainUpdate
    {
        private bool _ended;

        public Task ConnectBlockAsync(Block block, int height, BlockUndo undo, CancellationToken ct = default) =>
            store.ConnectInAsync(connection, Open(), block, height, undo, ct);

        public Task<BlockUndo> DisconnectBlockAsync(Block block, int height, CancellationToken ct = default) =>
            store.DisconnectInAsync(connection, Open(), block, height, ct);

        public async Task<IReadOnlyDictionary<OutPoint, Coin>> GetCoinsAsync(IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct = default)
        {
            ArgumentNullException.ThrowIfNull(outPoints);
            var coins = new Dictionary<OutPoint, Coin>();
            if (outPoints.Count > 0)
            {
                await store.ReadCoinsAsync(connection, Open(), outPoints, coins, ct);
            }

            return coins;
        }

        public async Task CommitAsync(CancellationToken ct = default)
        {
            Open();
            _ended = true;
            await tx.CommitAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_ended)
                {
                    _ended = true;
                    await tx.RollbackAsync(CancellationToken.None);
                }
            }
            catch (DbException)
            {
                // A broken connection has rolled back already: the server discards an uncommitted transaction.
            }
            finally
            {
                await tx.DisposeAsync();
                await connection.DisposeAsync();
                writer.Dispose();
            }
        }

        private DbTransaction Open() => _ended ? throw new InvalidOperationException("The update was committed or rolled back.") : tx;
    }

    public async Task<IReadOnlyDictionary<OutPoint, Coin>> GetCoinsAsync(IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outPoints);
        var coins = new Dictionary<OutPoint, Coin>();
        if (outPoints.Count == 0)
        {
            return coins;
        }

        await using var connection = await OpenAsync(ct);
        await ReadCoinsAsync(connection, null, outPoints, coins, ct);
        return coins;
    }

    /// <summary>Looks the outpoints up <see cref="RowsPerStatement"/> at a time; PostgreSQL overrides it with one query for all.</summary>
    protected virtual async Task ReadCoinsAsync(DbConnection connection, DbTransaction? tx, IReadOnlyCollection<OutPoint> outPoints, Dictionary<OutPoint, Coin> coins, CancellationToken ct)
    {
        var keys = outPoints.Distinct().Select(o => new object?[] { o.TxId.ToBytes(), (int)o.Index }).ToList();
        await ForEachBatchAsync(connection, tx, keys, 2,
            rows => $"select u.txid, u.vout, u.value, u.pubkey_hash, u.height, u.is_coinbase from (values {rows}) as k join utxos u on u.txid = k.column1 and u.vout = k.column2",
            async command =>
            {
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    coins[new OutPoint(new Hash256((byte[])reader[0]), (uint)reader.GetInt32(1))] = ReadCoin(reader, 2);
                }

                return 0;
            });
    }

    public async Task<IReadOnlyList<SpentCoin>> GetCoinsByAddressAsync(ReadOnlyMemory<byte> publicKeyHash, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "select txid, vout, value, pubkey_hash, height, is_coinbase from utxos where pubkey_hash = @pkh order by height, txid, vout",
            ("pkh", publicKeyHash.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var coins = new List<SpentCoin>();
        while (await reader.ReadAsync(ct))
        {
            coins.Add(new SpentCoin(new OutPoint(new Hash256((byte[])reader[0]), (uint)reader.GetInt32(1)), ReadCoin(reader, 2)));
        }

        return coins;
    }

    public async Task<Amount> GetBalanceAsync(ReadOnlyMemory<byte> publicKeyHash, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var value = await ScalarAsync(connection, null, "select balance from address_balances where pubkey_hash = @pkh", ct, ("pkh", publicKeyHash.ToArray()));
        return value is null or DBNull ? Amount.Zero : new Amount(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task<StoredTransaction?> GetTransactionAsync(Hash256 txId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        // Rows written before schema version 2 carry their bytes; later ones point into their block's.
        await using var command = Command(connection, null,
            "select coalesce(t.raw, substr(b.raw, t.tx_offset + 1, t.tx_length)), t.block_hash, t.block_height, t.position "
            + "from transactions t join blocks b on b.hash = t.block_hash where t.txid = @txid",
            ("txid", txId.ToBytes()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StoredTransaction(Transaction.Parse((byte[])reader[0]), new Hash256((byte[])reader[1]), reader.GetInt32(2), reader.GetInt32(3))
            : null;
    }

    public async Task<IReadOnlyList<AddressTransaction>> GetTransactionsByAddressAsync(ReadOnlyMemory<byte> publicKeyHash, int limit = 100, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null,
            "select txid, block_hash, block_height, received, spent from address_transactions where pubkey_hash = @pkh order by block_height desc, txid limit @limit",
            ("pkh", publicKeyHash.ToArray()), ("limit", limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<AddressTransaction>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new AddressTransaction(new Hash256((byte[])reader[0]), new Hash256((byte[])reader[1]), reader.GetInt32(2), new Amount(reader.GetInt64(3)), new Amount(reader.GetInt64(4))));
        }

        return rows;
    }

    /// <summary>
    /// Every row of the chain-state tables as sorted text, so tests can compare the whole store
    /// before and after an operation.
    /// </summary>
    internal async Task<IReadOnlyList<string>> SnapshotAsync(CancellationToken ct = default)
    {
        string[] queries =
        [
            "select 'block', hash, height, on_main_chain, invalid from blocks",
            "select 'tx', txid, block_hash, block_height, position from transactions",
            "select 'utxo', txid, vout, value, pubkey_hash, height, is_coinbase from utxos",
            "select 'balance', pubkey_hash, balance from address_balances where balance <> 0",
            "select 'history', pubkey_hash, txid, block_hash, block_height, received, spent from address_transactions",
            "select 'undo', block_hash, data from block_undo",
        ];
        var rows = new List<string>();
        await using var connection = await OpenAsync(ct);

        // One read transaction: the tables as of one commit, even while the writer goes on.
        await using var tx = connection is Microsoft.Data.Sqlite.SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        foreach (var query in queries)
        {
            await using var command = Command(connection, tx, query);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var fields = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i) switch
                {
                    byte[] bytes => Convert.ToHexString(bytes),
                    bool b => b ? "1" : "0",
                    var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
                });
                rows.Add(string.Join('|', fields));
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    public abstract ValueTask DisposeAsync();

    protected async Task<bool> InsertBlockRowAsync(DbConnection connection, DbTransaction? tx, Block block, int height, bool onMainChain, CancellationToken ct) =>
        await ExecuteAsync(connection, tx,
            "insert into blocks (hash, prev_hash, height, header, raw, tx_count, size, time, on_main_chain, invalid) "
            + "values (@hash, @prev, @height, @header, @raw, @count, @size, @time, @main, false) on conflict (hash) do nothing",
            ct,
            ("hash", block.Hash.ToBytes()), ("prev", block.Header.PreviousHash.ToBytes()), ("height", height), ("header", block.Header.Serialize()),
            ("raw", block.Serialize()), ("count", block.Transactions.Length), ("size", block.SerializedSize), ("time", (long)block.Header.Time), ("main", onMainChain)) == 1;

    /// <summary>The main chain's transaction index: where each transaction's bytes lie in its block's (they are not stored twice).</summary>
    protected virtual async Task InsertTransactionsAsync(DbConnection connection, DbTransaction tx, Block block, int height, CancellationToken ct)
    {
        var blockHash = block.Hash.ToBytes();
        var rows = TransactionLocations(block).Select(l => new object?[] { l.TxId.ToBytes(), blockHash, height, l.Position, l.Offset, l.Length }).ToList();
        await InsertRowsAsync(connection, tx, "insert into transactions (txid, block_hash, block_height, position, tx_offset, tx_length)", 6, rows, ct);
    }

    /// <summary>Each transaction's position, offset and length in the block's serialization (header · count · transactions).</summary>
    protected static IEnumerable<(Hash256 TxId, int Position, int Offset, int Length)> TransactionLocations(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var offset = BlockHeader.Size + ProtocolWriter.CompactSizeLength((ulong)block.Transactions.Length);
        for (var i = 0; i < block.Transactions.Length; i++)
        {
            var size = block.Transactions[i].SerializedSize;
            yield return (block.Transactions[i].TxId, i, offset, size);
            offset += size;
        }
    }

    protected virtual async Task InsertCoinsAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<SpentCoin> coins, CancellationToken ct)
    {
        if (coins.Count == 0)
        {
            return;
        }

        var rows = coins.Select(c => new object?[]
        {
            c.OutPoint.TxId.ToBytes(), (int)c.OutPoint.Index, c.Coin.Output.Value.Units, c.Coin.Output.PublicKeyHash.ToArray(), c.Coin.Height, c.Coin.IsCoinbase,
        }).ToList();
        await InsertRowsAsync(connection, tx, "insert into utxos (txid, vout, value, pubkey_hash, height, is_coinbase)", 6, rows, ct);
    }

    protected static IEnumerable<SpentCoin> CoinsOf(Transaction tx, int height) =>
        tx.Outputs.Select((output, i) => new SpentCoin(new OutPoint(tx.TxId, (uint)i), new Coin(output, height, tx.IsCoinbase)));

    /// <summary>Balances and the history index: <paramref name="sign"/> +1 applies a block, −1 reverses it.</summary>
    private async Task ApplyAddressChangesAsync(DbConnection connection, DbTransaction tx, Block block, int height, BlockUndo undo, int sign, CancellationToken ct)
    {
        var spentCoins = new Dictionary<OutPoint, Coin>(undo.SpentCoins.Length);
        foreach (var spent in undo.SpentCoins)
        {
            spentCoins[spent.OutPoint] = spent.Coin;
        }

        // One history row per (address, transaction); one balance change per address.
        var addresses = new Dictionary<AddressKey, AddressFlow>();
        var rows = new Dictionary<(AddressKey Address, Hash256 TxId), HistoryFlow>();
        void Add(ImmutableArray<byte> pkh, Hash256 txId, long received, long spent)
        {
            var key = AddressKey.Of(pkh.AsSpan());
            ref var address = ref CollectionsMarshal.GetValueRefOrAddDefault(addresses, key, out var known);
            if (!known)
            {
                address = new AddressFlow([.. pkh]);
            }

            address!.Delta += received - spent;
            ref var row = ref CollectionsMarshal.GetValueRefOrAddDefault(rows, (key, txId), out known);
            if (!known)
            {
                row = new HistoryFlow(address.PublicKeyHash);
            }

            row!.Received += received;
            row.Spent += spent;
        }

        foreach (var t in block.Transactions)
        {
            foreach (var output in t.Outputs)
            {
                Add(output.PublicKeyHash, t.TxId, output.Value.Units, 0);
            }

            if (t.IsCoinbase)
            {
                continue;
            }

            foreach (var input in t.Inputs)
            {
                var coin = spentCoins[input.PreviousOutput];
                Add(coin.Output.PublicKeyHash, t.TxId, 0, coin.Output.Value.Units);
            }
        }

        await ApplyBalancesAsync(connection, tx, [.. addresses.Values.Select(a => (a.PublicKeyHash, sign * a.Delta))], ct);
        if (sign > 0)
        {
            await InsertHistoryAsync(connection, tx, block.Hash, height, [.. rows.Select(r => new HistoryRow(r.Value.PublicKeyHash, r.Key.TxId, r.Value.Received, r.Value.Spent))], ct);
        }
        else
        {
            // By key: the history table has no index on the block, and a disconnect must not scan it.
            await DeleteHistoryAsync(connection, tx, [.. rows.Keys.Select(k => (addresses[k.Address].PublicKeyHash, k.TxId))], ct);
        }
    }

    /// <summary>A 20-byte public key hash as a value: equality and hashing without allocating.</summary>
    private readonly record struct AddressKey(ulong Head, ulong Middle, uint Tail)
    {
        public static AddressKey Of(ReadOnlySpan<byte> pkh) => new(
            BinaryPrimitives.ReadUInt64LittleEndian(pkh),
            BinaryPrimitives.ReadUInt64LittleEndian(pkh[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(pkh[16..]));
    }

    private sealed class AddressFlow(byte[] publicKeyHash)
    {
        public byte[] PublicKeyHash { get; } = publicKeyHash;

        public long Delta { get; set; }
    }

    private sealed class HistoryFlow(byte[] publicKeyHash)
    {
        public byte[] PublicKeyHash { get; } = publicKeyHash;

        public long Received { get; set; }

        public long Spent { get; set; }
    }

    /// <summary>Deletes history rows by their key (address, transaction); a prepared statement reused for each row.</summary>
    protected virtual async Task DeleteHistoryAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<(byte[] PublicKeyHash, Hash256 TxId)> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await using var command = Command(connection, tx, "delete from address_transactions where pubkey_hash = @pkh and txid = @txid");
        var pkh = AddParameter(command, "pkh", Array.Empty<byte>());
        var txid = AddParameter(command, "txid", Array.Empty<byte>());
        foreach (var key in keys)
        {
            pkh.Value = key.PublicKeyHash;
            txid.Value = key.TxId.ToBytes();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>One row of the history index.</summary>
    protected sealed record HistoryRow(byte[] PublicKeyHash, Hash256 TxId, long Received, long Spent);

    /// <summary>
    /// Deletes coins from the UTXO set; returns how many existed. One prepared statement, reused for
    /// each coin: an index seek each (SQLite plans a list of row values as a scan).
    /// </summary>
    protected virtual async Task<int> DeleteCoinsAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<OutPoint> outPoints, CancellationToken ct)
    {
        await using var command = Command(connection, tx, "delete from utxos where txid = @txid and vout = @vout");
        var txid = AddParameter(command, "txid", Array.Empty<byte>());
        var vout = AddParameter(command, "vout", 0);
        var deleted = 0;
        foreach (var outPoint in outPoints)
        {
            txid.Value = outPoint.TxId.ToBytes();
            vout.Value = (int)outPoint.Index;
            deleted += await command.ExecuteNonQueryAsync(ct);
        }

        return deleted;
    }

    protected virtual async Task ApplyBalancesAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<(byte[] Pkh, long Delta)> deltas, CancellationToken ct)
    {
        await InsertRowsAsync(connection, tx, "insert into address_balances (pubkey_hash, balance)", 2, [.. deltas.Select(d => new object?[] { d.Pkh, d.Delta })], ct,
            "on conflict (pubkey_hash) do update set balance = address_balances.balance + excluded.balance");
    }

    protected virtual async Task InsertHistoryAsync(DbConnection connection, DbTransaction tx, Hash256 blockHash, int height, IReadOnlyList<HistoryRow> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var block = blockHash.ToBytes();
        await InsertRowsAsync(connection, tx, "insert into address_transactions (pubkey_hash, txid, block_hash, block_height, received, spent)", 6,
            [.. rows.Select(r => new object?[] { r.PublicKeyHash, r.TxId.ToBytes(), block, height, r.Received, r.Spent })], ct);
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> with multi-row statements (<c>{insertInto} values (…), (…) {suffix}</c>)
    /// of <see cref="RowsPerStatement"/> rows, the full-size statement prepared once and reused within the transaction.
    /// </summary>
    protected Task<int> InsertRowsAsync(DbConnection connection, DbTransaction? tx, string insertInto, int columns, IReadOnlyList<object?[]> rows, CancellationToken ct, string suffix = "") =>
        ForEachBatchAsync(connection, tx, rows, columns, values => $"{insertInto} values {values} {suffix}", command => command.ExecuteNonQueryAsync(ct));

    /// <summary>
    /// Runs <paramref name="execute"/> on statements built by <paramref name="sql"/> around a
    /// <c>(@p0, @p1), (@p2, @p3)…</c> list bound to <paramref name="rows"/>, <see cref="RowsPerStatement"/> rows at a time; sums the results.
    /// </summary>
    private async Task<int> ForEachBatchAsync(DbConnection connection, DbTransaction? tx, IReadOnlyList<object?[]> rows, int columns, Func<string, string> sql, Func<DbCommand, Task<int>> execute)
    {
        var total = 0;
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += RowsPerStatement)
            {
                var count = Math.Min(RowsPerStatement, rows.Count - start);
                var command = count == RowsPerStatement ? full ??= Batch(count) : Batch(count);
                for (var r = 0; r < count; r++)
                {
                    for (var c = 0; c < columns; c++)
                    {
                        command.Parameters[(r * columns) + c].Value = rows[start + r][c] ?? DBNull.Value;
                    }
                }

                total += await execute(command);
                if (command != full)
                {
                    await command.DisposeAsync();
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }

        return total;

        DbCommand Batch(int count)
        {
            var values = string.Join(", ", Enumerable.Range(0, count).Select(r => $"({string.Join(", ", Enumerable.Range(0, columns).Select(c => $"@p{(r * columns) + c}"))})"));
            var command = Command(connection, tx, sql(values));
            for (var i = 0; i < count * columns; i++)
            {
                AddParameter(command, $"p{i}", DBNull.Value);
            }

            return command;
        }
    }

    private Task StepAsync(string step) => Failpoint?.Invoke(step) ?? Task.CompletedTask;

    private static Coin ReadCoin(DbDataReader reader, int offset) => new(
        new TxOut(new Amount(reader.GetInt64(offset)), [.. (byte[])reader[offset + 1]]),
        reader.GetInt32(offset + 2),
        reader.GetBoolean(offset + 3));

    private async Task<IReadOnlyList<StoredBlock>> ReadBlocksAsync(DbConnection connection, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<StoredBlock>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new StoredBlock(new Hash256((byte[])reader[0]), reader.GetInt32(1), BlockHeader.Parse((byte[])reader[2]), reader.GetInt32(3), reader.GetInt32(4)));
        }

        return rows;
    }

    protected internal DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        command.CommandText = Sql(sql);
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            AddParameter(command, name, value);
        }

        return command;
    }

    protected static DbParameter AddParameter(DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    protected internal async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    protected async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteScalarAsync(ct);
    }

    private sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();

        public void Dispose()
        {
        }
    }
}
