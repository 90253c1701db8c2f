using System.Diagnostics;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Storage;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;
using Npgsql;
using NpgsqlTypes;

namespace ChainCore.Tests.Performance;

/// <summary>
/// Store latencies (p50, p99) and bulk-insert throughput, recorded under tests/reports/performance.
/// Figures, not assertions: the machines are shared and noisy.
/// </summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Performance"), Category("Database")]
public sealed class StorePerformanceTests(StoreKind kind)
{
    private const int Operations = 300;
    private const int BulkBlocks = 2_000;
    private SqlChainStore _store = null!;
    private string? _dir;

    [SetUp]
    public async Task OpenAsync()
    {
        if (kind == StoreKind.Postgres)
        {
            var db = await TestEnvironment.GetDatabaseAsync("chaincore_perf");
            await db.DropAllTablesAsync();
            _store = new PostgresChainStore(db.ConnectionString);
        }
        else
        {
            _dir = Directory.CreateTempSubdirectory("chaincore-perf-").FullName;
            _store = new SqliteChainStore(Path.Combine(_dir, "perf.db"));
        }

        await _store.InitializeAsync();
    }

    [TearDown]
    public async Task CloseAsync()
    {
        await _store.DisposeAsync();
        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public async Task Single_operation_latencies()
    {
        var p = ConsensusParams.Regtest;
        var payTo = new byte[20];
        payTo[0] = 7;
        var blocks = new List<Block> { p.Genesis };
        for (var height = 1; height <= Operations; height++)
        {
            blocks.Add(TestData.MineBlock(blocks[^1].Hash, height, blocks[^1].Header.Time + 1, [], Amount.FromCoins(50), p, payTo));
        }

        var insert = await TimeEachAsync(blocks, (b, i) => _store.InsertBlockAsync(b, i));
        var connect = await TimeEachAsync(blocks, (b, i) => _store.ConnectBlockAsync(b, i, BlockUndo.Empty));
        var byHash = await TimeEachAsync(blocks, (b, _) => _store.GetBlockAsync(b.Hash));
        var byHeight = await TimeEachAsync(blocks, (_, i) => _store.GetBlockByHeightAsync(i));
        var balance = await TimeEachAsync(blocks, (_, _) => _store.GetBalanceAsync(payTo));

        (await _store.GetBalanceAsync(payTo)).ShouldBe(Amount.FromCoins(50 * Operations));
        var figures = new Dictionary<string, double>();
        foreach (var (name, samples) in new[] { ("insert_block", insert), ("connect_block", connect), ("get_by_hash", byHash), ("get_by_height", byHeight), ("balance", balance) })
        {
            figures[$"{name}_p50_ms"] = Percentile(samples, 0.50);
            figures[$"{name}_p99_ms"] = Percentile(samples, 0.99);
        }

        PerformanceReport.Record($"store-latency-{kind.ToString().ToLowerInvariant()}", figures);
    }

    [Test]
    public async Task Bulk_insert_throughput_against_raw_copy()
    {
        // Enough rounds for a median that a shared machine's bursts do not move much; they are short.
        const int rounds = 7;
        var random = TestSeed.NewRandom(5);
        List<(Block, int)> Blocks(int count) => [.. Enumerable.Range(1, count).Select(h => (TestData.RandomBlock(random, transactions: 2), h))];

        // Warm both paths up (JIT, connections) before measuring either.
        await _store.BulkInsertBlocksAsync(Blocks(50));
        if (kind == StoreKind.Postgres)
        {
            await RawCopyRateAsync(Blocks(50));
        }

        var storeRates = new List<double>();
        var rawRates = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var blocks = Blocks(BulkBlocks);
            var watch = Stopwatch.StartNew();
            (await _store.BulkInsertBlocksAsync(blocks)).ShouldBe(BulkBlocks);
            storeRates.Add(BulkBlocks / watch.Elapsed.TotalSeconds);
            if (kind == StoreKind.Postgres)
            {
                rawRates.Add(await RawCopyRateAsync(blocks));
            }
        }

        var figures = new Dictionary<string, double> { ["bulk_insert_rows_per_s_median"] = Median(storeRates), ["rounds"] = rounds };
        if (kind == StoreKind.Postgres)
        {
            figures["raw_copy_rows_per_s_median"] = Median(rawRates);
            figures["ratio_to_raw_copy_median"] = Median([.. storeRates.Zip(rawRates, (a, b) => a / b)]);
        }

        PerformanceReport.Record($"store-bulk-{kind.ToString().ToLowerInvariant()}", figures);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>The same rows, binary-COPYed into a bare table with the same columns and primary key.</summary>
    private static async Task<double> RawCopyRateAsync(IReadOnlyList<(Block Block, int Height)> blocks)
    {
        var db = await TestEnvironment.GetDatabaseAsync("chaincore_perf");
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(
            "drop table if exists raw_blocks; create table raw_blocks (hash bytea primary key, prev_hash bytea not null, height integer not null, header bytea not null, raw bytea not null, tx_count integer not null, size integer not null, time bigint not null, on_main_chain boolean not null, invalid boolean not null)",
            connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync("copy raw_blocks from stdin (format binary)"))
        {
            foreach (var (block, height) in blocks)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(block.Hash.ToBytes(), NpgsqlDbType.Bytea);
                await writer.WriteAsync(block.Header.PreviousHash.ToBytes(), NpgsqlDbType.Bytea);
                await writer.WriteAsync(height, NpgsqlDbType.Integer);
                await writer.WriteAsync(block.Header.Serialize(), NpgsqlDbType.Bytea);
                await writer.WriteAsync(block.Serialize(), NpgsqlDbType.Bytea);
                await writer.WriteAsync(block.Transactions.Length, NpgsqlDbType.Integer);
                await writer.WriteAsync(block.SerializedSize, NpgsqlDbType.Integer);
                await writer.WriteAsync((long)block.Header.Time, NpgsqlDbType.Bigint);
                await writer.WriteAsync(false, NpgsqlDbType.Boolean);
                await writer.WriteAsync(false, NpgsqlDbType.Boolean);
            }

            await writer.CompleteAsync();
        }

        return blocks.Count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<List<double>> TimeEachAsync<T>(IReadOnlyList<Block> blocks, Func<Block, int, Task<T>> operation)
    {
        var samples = new List<double>(blocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            var watch = Stopwatch.StartNew();
            await operation(blocks[i], i);
            samples.Add(watch.Elapsed.TotalMilliseconds);
        }

        return samples;
    }

    private static async Task<List<double>> TimeEachAsync(IReadOnlyList<Block> blocks, Func<Block, int, Task> operation) =>
        await TimeEachAsync(blocks, async (b, i) =>
        {
            await operation(b, i);
            return true;
        });

    private static double Percentile(List<double> samples, double q)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }
}
