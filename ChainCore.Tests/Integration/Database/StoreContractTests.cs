using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Node.Storage;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Database;

/// <summary>The storage contract, run against both stores: the testing plan's block DAO operations, chain state, atomicity, restarts and concurrency.</summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Integration"), Category("Database")]
public sealed class StoreContractTests(StoreKind kind)
{
    private static readonly ConsensusParams P = ConsensusParams.Regtest;
    private static readonly PrivateKey Alice = TestData.AliceKey;
    private static readonly PrivateKey Bob = PrivateKey.FromHex("0000000000000000000000000000000000000000000000000000000000000b0b");
    private readonly List<SqlChainStore> _stores = [];
    private string? _sqliteDir;

    private static byte[] AliceHash => [.. Alice.PublicKey.ToAddress().PublicKeyHash];

    private static byte[] BobHash => [.. Bob.PublicKey.ToAddress().PublicKeyHash];

    [SetUp]
    public async Task CleanDatabaseAsync()
    {
        if (kind == StoreKind.Postgres)
        {
            await (await TestEnvironment.GetDatabaseAsync("chaincore_store")).DropAllTablesAsync();
        }
        else
        {
            _sqliteDir = Directory.CreateTempSubdirectory("chaincore-store-").FullName;
        }
    }

    [TearDown]
    public async Task DisposeStoresAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _stores.Clear();
        if (_sqliteDir is not null)
        {
            Directory.Delete(_sqliteDir, recursive: true);
        }
    }

    private async Task<SqlChainStore> OpenAsync(bool initialize = true)
    {
        SqlChainStore store = kind == StoreKind.Postgres
            ? new PostgresChainStore((await TestEnvironment.GetDatabaseAsync("chaincore_store")).ConnectionString)
            : new SqliteChainStore(Path.Combine(_sqliteDir!, "chain.db"));
        _stores.Add(store);
        if (initialize)
        {
            await store.InitializeAsync();
        }

        return store;
    }

    /// <summary>Genesis, then a block paying Alice, then one where Alice pays Bob (and change).</summary>
    private static (Block Genesis, Block Funding, Block Payment, BlockUndo PaymentUndo, Transaction Pay) Chain()
    {
        var genesis = P.Genesis;
        var funding = TestData.MineBlock(genesis.Hash, 1, genesis.Header.Time + 1, [], Amount.FromCoins(50), P, [.. Alice.PublicKey.ToAddress().PublicKeyHash]);
        var coin = new OutPoint(funding.Transactions[0].TxId, 0);
        var pay = TestData.Spend(Alice, [coin], [TestData.Pay(Bob, Amount.FromCoins(20)), TestData.Pay(Alice, Amount.FromCoins(29))]);
        var payment = TestData.MineBlock(funding.Hash, 2, funding.Header.Time + 1, [pay], Amount.FromCoins(51), P, [.. Bob.PublicKey.ToAddress().PublicKeyHash]);
        var undo = new BlockUndo([new SpentCoin(coin, new Coin(funding.Transactions[0].Outputs[0], 1, true))]);
        return (genesis, funding, payment, undo, pay);
    }

    private static async Task ConnectAsync(SqlChainStore store, Block block, int height, BlockUndo? undo = null) =>
        await store.ConnectBlockAsync(block, height, undo ?? BlockUndo.Empty);

    [Test]
    public async Task Inserted_block_is_found_by_hash_and_once_connected_by_height()
    {
        var store = await OpenAsync();
        var (genesis, funding, _, _, _) = Chain();

        (await store.InsertBlockAsync(genesis, 0)).ShouldBeTrue();
        (await store.InsertBlockAsync(genesis, 0)).ShouldBeFalse("storing a known block again changes nothing");
        (await store.GetBlockAsync(genesis.Hash))!.Hash.ShouldBe(genesis.Hash);
        (await store.GetBlockByHeightAsync(0)).ShouldBeNull("not on the main chain yet");
        (await store.GetChainHeightAsync()).ShouldBe(-1);

        await ConnectAsync(store, genesis, 0);
        await ConnectAsync(store, funding, 1);

        (await store.GetBlockByHeightAsync(1))!.Hash.ShouldBe(funding.Hash);
        (await store.GetBlockAsync(funding.Hash))!.Serialize().ShouldBe(funding.Serialize());
        (await store.GetChainHeightAsync()).ShouldBe(1);
        var latest = await store.GetLatestBlockAsync();
        latest!.Hash.ShouldBe(funding.Hash);
        latest.Height.ShouldBe(1);
        latest.TransactionCount.ShouldBe(1);
        (await store.GetBlocksAsync(0, 10)).Select(b => b.Height).ShouldBe([0, 1]);
        (await store.GetBlockAsync(Hash256.Compute("unknown"u8))).ShouldBeNull();
        (await store.LoadBlockIndexAsync()).Select(h => (h.Hash, h.OnMainChain)).ShouldBe([(genesis.Hash, true), (funding.Hash, true)]);
    }

    [Test]
    public async Task Bulk_insert_of_100_blocks_stores_each_once()
    {
        var store = await OpenAsync();
        var blocks = new List<(Block, int)>();
        var previous = P.Genesis;
        for (var height = 1; height <= 100; height++)
        {
            previous = TestData.MineBlock(previous.Hash, height, previous.Header.Time + 1, [], Amount.FromCoins(50), P);
            blocks.Add((previous, height));
        }

        (await store.BulkInsertBlocksAsync(blocks)).ShouldBe(100);
        (await store.BulkInsertBlocksAsync(blocks[..10])).ShouldBe(0);

        (await store.CountBlocksAsync()).ShouldBe(100);
        foreach (var (block, height) in blocks)
        {
            (await store.GetBlockAsync(block.Hash))!.Hash.ShouldBe(block.Hash);
        }

        (await store.LoadBlockIndexAsync()).Select(h => h.Height).ShouldBe(Enumerable.Range(1, 100));
    }

    [Test]
    public async Task Connect_updates_coins_balances_transactions_and_history()
    {
        var store = await OpenAsync();
        var (genesis, funding, payment, undo, pay) = Chain();
        await ConnectAsync(store, genesis, 0);
        await ConnectAsync(store, funding, 1);

        await ConnectAsync(store, payment, 2, undo);

        (await store.GetBalanceAsync(AliceHash)).ShouldBe(Amount.FromCoins(29));
        (await store.GetBalanceAsync(BobHash)).ShouldBe(Amount.FromCoins(71));
        (await store.GetCoinsByAddressAsync(AliceHash)).Single().OutPoint.ShouldBe(new OutPoint(pay.TxId, 1));
        var coins = await store.GetCoinsAsync([new OutPoint(pay.TxId, 0), undo.SpentCoins[0].OutPoint, new OutPoint(payment.Transactions[0].TxId, 0)]);
        coins.Keys.ShouldBe([new OutPoint(pay.TxId, 0), new OutPoint(payment.Transactions[0].TxId, 0)], ignoreOrder: true);
        coins[new OutPoint(payment.Transactions[0].TxId, 0)].IsCoinbase.ShouldBeTrue();
        var stored = await store.GetTransactionAsync(pay.TxId);
        stored!.BlockHash.ShouldBe(payment.Hash);
        stored.BlockHeight.ShouldBe(2);
        stored.Position.ShouldBe(1);
        var history = await store.GetTransactionsByAddressAsync(AliceHash);
        history.Select(h => (h.TxId, h.Received, h.Spent)).ShouldBe([(pay.TxId, Amount.FromCoins(29), Amount.FromCoins(50)), (funding.Transactions[0].TxId, Amount.FromCoins(50), Amount.Zero)]);
        (await store.GetTransactionsByAddressAsync(BobHash)).Count.ShouldBe(2);
    }

    [Test]
    public async Task Disconnect_restores_exactly_the_previous_state()
    {
        var store = await OpenAsync();
        var (genesis, funding, payment, undo, _) = Chain();
        await ConnectAsync(store, genesis, 0);
        await ConnectAsync(store, funding, 1);
        await store.InsertBlockAsync(payment, 2);
        var before = await store.SnapshotAsync();

        await ConnectAsync(store, payment, 2, undo);
        (await store.SnapshotAsync()).ShouldNotBe(before);
        var returned = await store.DisconnectBlockAsync(payment, 2);

        returned.SpentCoins.ShouldBe(undo.SpentCoins);
        (await store.SnapshotAsync()).ShouldBe(before);
        (await store.GetBalanceAsync(AliceHash)).ShouldBe(Amount.FromCoins(50));
        (await store.GetBalanceAsync(BobHash)).ShouldBe(Amount.Zero);
        (await store.GetChainHeightAsync()).ShouldBe(1);
    }

    [Test]
    public async Task A_chain_of_blocks_connects_and_disconnects_back_to_genesis()
    {
        var store = await OpenAsync();
        await ConnectAsync(store, P.Genesis, 0);
        var afterGenesis = await store.SnapshotAsync();
        var blocks = new List<Block>();
        var previous = P.Genesis;
        for (var height = 1; height <= 6; height++)
        {
            previous = TestData.MineBlock(previous.Hash, height, previous.Header.Time + 1, [], Amount.FromCoins(50), P, height % 2 == 0 ? AliceHash : BobHash);
            blocks.Add(previous);
            await ConnectAsync(store, previous, height);
        }

        (await store.GetBalanceAsync(AliceHash)).ShouldBe(Amount.FromCoins(150));
        for (var height = 6; height >= 1; height--)
        {
            await store.DisconnectBlockAsync(blocks[height - 1], height);
        }

        // Everything is back as after genesis, but for the six blocks, still stored, now off the main chain.
        var expected = afterGenesis.Concat(blocks.Select((b, i) => $"block|{Convert.ToHexString(b.Hash.ToBytes())}|{i + 1}|0|0")).Order(StringComparer.Ordinal);
        (await store.SnapshotAsync()).ShouldBe(expected);
        (await store.GetChainHeightAsync()).ShouldBe(0);
        (await store.GetBalanceAsync(AliceHash)).ShouldBe(Amount.Zero);
        (await store.GetCoinsByAddressAsync(BobHash)).ShouldBeEmpty();
        Should.Throw<InvalidOperationException>(() => store.DisconnectBlockAsync(blocks[0], 1));
    }

    [TestCase("connect:block")]
    [TestCase("connect:outputs")]
    [TestCase("connect:spends")]
    [TestCase("connect:commit")]
    public async Task A_failure_midway_through_connect_leaves_the_store_exactly_as_before(string step)
    {
        var store = await OpenAsync();
        var (genesis, funding, payment, undo, _) = Chain();
        await ConnectAsync(store, genesis, 0);
        await ConnectAsync(store, funding, 1);
        await store.InsertBlockAsync(payment, 2);
        var before = await store.SnapshotAsync();

        using (Failpoints.FailNextConnect(store, step))
        {
            await Should.ThrowAsync<Failpoints.InjectedFailureException>(() => store.ConnectBlockAsync(payment, 2, undo));
        }

        (await store.SnapshotAsync()).ShouldBe(before);
    }

    [TestCase("disconnect:outputs")]
    [TestCase("disconnect:spends")]
    [TestCase("disconnect:commit")]
    public async Task A_failure_midway_through_disconnect_leaves_the_store_exactly_as_before(string step)
    {
        var store = await OpenAsync();
        var (genesis, funding, payment, undo, _) = Chain();
        await ConnectAsync(store, genesis, 0);
        await ConnectAsync(store, funding, 1);
        await ConnectAsync(store, payment, 2, undo);
        var before = await store.SnapshotAsync();

        using (Failpoints.FailNextDisconnect(store, step))
        {
            await Should.ThrowAsync<Failpoints.InjectedFailureException>(() => store.DisconnectBlockAsync(payment, 2));
        }

        (await store.SnapshotAsync()).ShouldBe(before);
    }

    [Test]
    public async Task Connecting_with_undo_data_naming_a_missing_coin_is_refused_and_changes_nothing()
    {
        var store = await OpenAsync();
        var (genesis, funding, payment, _, _) = Chain();
        await ConnectAsync(store, genesis, 0);
        await ConnectAsync(store, funding, 1);
        var before = await store.SnapshotAsync();
        var wrongUndo = new BlockUndo([new SpentCoin(new OutPoint(Hash256.Compute("nothing"u8), 0), new Coin(TestData.Pay(Alice, Amount.FromCoins(1)), 1, false))]);

        await Should.ThrowAsync<InvalidOperationException>(() => store.ConnectBlockAsync(payment, 2, wrongUndo));

        (await store.SnapshotAsync()).ShouldBe(before);
    }

    [Test]
    public async Task Reopening_the_database_keeps_everything()
    {
        var store = await OpenAsync();
        var (genesis, funding, payment, undo, _) = Chain();
        await ConnectAsync(store, genesis, 0);
        await ConnectAsync(store, funding, 1);
        await ConnectAsync(store, payment, 2, undo);
        await store.Peers.UpsertAddressAsync(new AddressRecord("http://node-1", "regtest", DateTimeOffset.FromUnixTimeSeconds(1_800_000_000)));
        await store.Peers.UpsertBanAsync(new BanRecord("203.0.113.9", DateTimeOffset.FromUnixTimeSeconds(1_800_000_100), "bad-blk-merkle"));
        await store.MiningStats.RecordMinedBlockAsync(new MiningStat(payment.Hash, 2, Bob.PublicKey.ToAddress().ToString(), Amount.FromCoins(51), DateTimeOffset.FromUnixTimeSeconds(1_800_000_001)));
        var before = await store.SnapshotAsync();
        await store.DisposeAsync();
        _stores.Remove(store);

        var reopened = await OpenAsync();

        (await reopened.SnapshotAsync()).ShouldBe(before);
        (await reopened.Peers.GetAddressesAsync()).Single().ShouldBe(new AddressRecord("http://node-1", "regtest", DateTimeOffset.FromUnixTimeSeconds(1_800_000_000)));
        (await reopened.Peers.GetBansAsync()).Single().ShouldBe(new BanRecord("203.0.113.9", DateTimeOffset.FromUnixTimeSeconds(1_800_000_100), "bad-blk-merkle"));
        (await reopened.MiningStats.GetMiningStatsAsync(10)).Single().Reward.ShouldBe(Amount.FromCoins(51));
        (await reopened.PingAsync()).ShouldBeTrue();
    }

    [Test]
    public async Task Schema_creation_is_idempotent_and_a_newer_schema_is_refused()
    {
        var store = await OpenAsync();
        await store.InitializeAsync();
        (await store.GetSchemaVersionAsync()).ShouldBe(SchemaVersion.Current);

        await using (var raw = await OpenRawAsync(store))
        {
            await using var bump = raw.CreateCommand();
            bump.CommandText = "update schema_version set version = 99";
            await bump.ExecuteNonQueryAsync();
        }

        var error = await Should.ThrowAsync<InvalidOperationException>(() => store.InitializeAsync());
        error.Message.ShouldContain("99");
    }

    [Test]
    public async Task Five_concurrent_writers_store_fifty_blocks_each_exactly_once()
    {
        var store = await OpenAsync();
        var blocks = Enumerable.Range(0, 5).Select(writer => Enumerable.Range(0, 10)
            .Select(i => TestData.MineBlock(Hash256.Compute([(byte)writer, (byte)i]), i + 1, 1_000, [], Amount.FromCoins(50), P)).ToList()).ToList();

        var results = await Task.WhenAll(blocks.Select(batch => Task.Run(async () =>
        {
            var stored = 0;
            foreach (var block in batch)
            {
                stored += await store.InsertBlockAsync(block, 1) ? 1 : 0;
            }

            return stored;
        })));

        results.ShouldAllBe(count => count == 10);
        (await store.CountBlocksAsync()).ShouldBe(50);
        foreach (var block in blocks.SelectMany(b => b))
        {
            (await store.GetBlockAsync(block.Hash)).ShouldNotBeNull();
        }
    }

    [Test]
    public async Task A_transaction_is_read_from_its_block_and_its_bytes_are_not_stored_twice()
    {
        var store = await OpenAsync();
        var genesis = P.Genesis;
        var coinbase = Coinbase.Create(1, [.. Enumerable.Range(0, 70).Select(_ => TestData.Pay(Alice, Amount.FromCoins(1)))]);
        var header = new BlockHeader(1, genesis.Hash, MerkleTree.ComputeRoot([coinbase.TxId]), genesis.Header.Time + 1, P.PowLimitBits, 0);
        var funding = new Block(header, [coinbase]);
        await ConnectAsync(store, genesis, 0);
        await ConnectAsync(store, funding, 1);
        var coins = Enumerable.Range(0, 70).Select(i => new SpentCoin(new OutPoint(coinbase.TxId, (uint)i), new Coin(coinbase.Outputs[i], 1, true))).ToList();
        var payments = coins.Select((c, i) => TestData.Spend(Alice, [c.OutPoint], [TestData.Pay(Bob, new Amount(1 + i))])).ToList();
        var big = TestData.MineBlock(funding.Hash, 2, funding.Header.Time + 1, payments, Amount.FromCoins(50), P);
        await store.InsertBlockAsync(big, 2);
        await ConnectAsync(store, big, 2, new BlockUndo([.. coins]));

        foreach (var position in new[] { 0, 1, 35, 70 })
        {
            var stored = (await store.GetTransactionAsync(big.Transactions[position].TxId)).ShouldNotBeNull();
            stored.Transaction.ToHex().ShouldBe(big.Transactions[position].ToHex(), $"position {position}");
            stored.Position.ShouldBe(position);
            stored.BlockHash.ShouldBe(big.Hash);
        }

        await using var raw = await OpenRawAsync(store);
        await using var count = raw.CreateCommand();
        count.CommandText = "select count(*) from transactions where raw is not null";
        Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(0);
        if (store is PostgresChainStore)
        {
            // Random bytes do not compress: blocks and undo data are stored out of line as they are.
            await using var storage = raw.CreateCommand();
            storage.CommandText = "select string_agg(attstorage::text, '') from pg_attribute where (attrelid, attname) in (('blocks'::regclass, 'raw'), ('block_undo'::regclass, 'data'))";
            (await storage.ExecuteScalarAsync()).ShouldBe("ee");
        }
    }

    [Test]
    public async Task Transactions_stored_by_schema_version_1_stay_readable_after_the_migration()
    {
        var store = await OpenAsync(initialize: false);
        var (genesis, funding, payment, undo, pay) = Chain();
        await using (var raw = await OpenRawAsync(store))
        {
            var v1 = Schema.Migrations[0].Postgres + """

                create table schema_version (version integer not null);
                insert into schema_version (version) values (1);
                insert into blocks (hash, prev_hash, height, header, raw, tx_count, size, time, on_main_chain, invalid)
                    values (@hash, @prev, 1, @header, @raw, 1, @size, 0, true, false);
                insert into transactions (txid, block_hash, block_height, position, raw) values (@txid, @hash, 1, 0, @tx);
                insert into utxos (txid, vout, value, pubkey_hash, height, is_coinbase) values (@txid, 0, @value, @pkh, 1, true);
                """;
            await using var command = raw.CreateCommand();
            command.CommandText = store is SqliteChainStore ? Schema.ForSqlite(v1) : v1;
            foreach (var (name, value) in new (string, object)[]
            {
                ("hash", funding.Hash.ToBytes()), ("prev", genesis.Hash.ToBytes()), ("header", funding.Header.Serialize()), ("raw", funding.Serialize()),
                ("size", funding.SerializedSize), ("txid", funding.Transactions[0].TxId.ToBytes()), ("tx", funding.Transactions[0].Serialize()),
                ("value", funding.Transactions[0].Outputs[0].Value.Units), ("pkh", AliceHash),
            })
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            await command.ExecuteNonQueryAsync();
        }

        await store.InitializeAsync();

        (await store.GetSchemaVersionAsync()).ShouldBe(SchemaVersion.Current);
        (await store.GetTransactionAsync(funding.Transactions[0].TxId)).ShouldNotBeNull().Transaction.ToHex().ShouldBe(funding.Transactions[0].ToHex());
        await store.ConnectBlockAsync(payment, 2, undo);
        (await store.GetTransactionAsync(pay.TxId)).ShouldNotBeNull().Transaction.ToHex().ShouldBe(pay.ToHex());
    }

    private static async Task<System.Data.Common.DbConnection> OpenRawAsync(SqlChainStore store) =>
        store switch
        {
            PostgresChainStore => await OpenPostgresAsync(),
            SqliteChainStore sqlite => await OpenSqliteAsync(sqlite.Path),
            _ => throw new ArgumentOutOfRangeException(nameof(store)),
        };

    private static async Task<System.Data.Common.DbConnection> OpenPostgresAsync()
    {
        var connection = new Npgsql.NpgsqlConnection((await TestEnvironment.GetDatabaseAsync("chaincore_store")).ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<System.Data.Common.DbConnection> OpenSqliteAsync(string path)
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        return connection;
    }
}
