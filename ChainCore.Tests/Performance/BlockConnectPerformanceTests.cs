using System.Collections.Immutable;
using System.Diagnostics;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;
using Npgsql;
using NpgsqlTypes;

namespace ChainCore.Tests.Performance;

/// <summary>
/// Connecting a block of 1,000 signed one-input transactions the node has not seen before: inputs
/// per second through the engine (check, store, signatures, UTXO set, indexes), median of 5 rounds
/// on one node (a node per round measured the test host starting nodes as much as the engine).
/// On PostgreSQL the same round also times a bare set-based write of the same block's rows into
/// tables shaped as the node's, in one transaction; the engine's time is reported as a ratio to it.
/// Each round also times the block's signatures alone (every core, nothing cached), on both stores;
/// the engine's time is reported as a ratio to it too. The ratios judge the engine on any machine;
/// the rates are information about this one.
/// Warm-up rounds come first and are not counted. Figures are recorded, not asserted: the machine is shared.
/// </summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Performance"), Category("Database")]
public sealed class BlockConnectPerformanceTests(StoreKind store) : NodeTestBase
{
    private const int Transactions = 1_000;
    private const int Rounds = 5;

    /// <summary>Rounds run first and not counted: the JIT recompiles the hot paths at its higher tier on a thread of its own during the first rounds; a node that has run for a while is past that.</summary>
    private const int WarmUpRounds = 3;
    private const double SqliteBudget = 20_000;
    private const double PostgresBudget = 10_000;

    [Test]
    public async Task Connecting_a_block_of_1000_signed_transactions()
    {
        var p = ConsensusParams.Regtest with { CoinbaseMaturity = 1 };
        var rates = new List<double>();
        var ratios = new List<double>();
        var bareMilliseconds = new List<double>();
        var signatureMilliseconds = new List<double>();
        var signatureRatios = new List<double>();

        // One node for every round, as a node that runs for a while: each round funds 1,000 outputs
        // in one block, then connects the block spending them.
        await using var node = await StartNodeAsync(store: store);
        for (var round = -WarmUpRounds; round < Rounds; round++)
        {
            var owner = Wallets.NewWallet();
            var recipient = Wallets.NewWallet();
            var perOutput = Amount.FromCoins(50) - new Amount(Transactions * 10_000L);
            var share = new Amount(perOutput.Units / Transactions);
            var outputs = Enumerable.Range(0, Transactions).Select(_ => new TxOut(share, [.. owner.KeyHash])).ToImmutableArray();
            var funding = Coinbase.Create(node.Height + 1, outputs);
            var header = new BlockHeader(1, node.Tip.Hash, MerkleTree.ComputeRoot([funding.TxId]), node.Tip.Header.Time + 1, p.PowLimitBits, 0);
            var fundingBlock = ChainCore.Core.Mining.BlockSolver.Solve(new Block(header, [funding]), p, CancellationToken.None);
            (await node.Engine.ProcessBlockAsync(fundingBlock)).BecameTip.ShouldBeTrue();

            var fee = new Amount(1_000);
            var spends = Enumerable.Range(0, Transactions)
                .Select(i => Wallets.Spend(owner, new OutPoint(funding.TxId, (uint)i), share, recipient.Address, fee))
                .ToList();
            var big = BlockFactory.Next(node.Tip, recipient.KeyHash, p, spends, new Amount(fee.Units * Transactions));

            // As BenchmarkDotNet does between iterations: the harness's own garbage (building the block
            // and its 1,000 signed transactions) is collected before the clock starts, so the round
            // measures the engine and the garbage it makes itself.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var watch = Stopwatch.StartNew();
            var result = await node.Engine.ProcessBlockAsync(big);
            watch.Stop();

            result.BecameTip.ShouldBeTrue(result.Validation.ToString());
            if (round < 0)
            {
                continue;
            }

            rates.Add(Transactions / watch.Elapsed.TotalSeconds);

            // For scale: the same block's signatures alone, on every core, nothing cached.
            var signatures = Stopwatch.StartNew();
            new SignatureVerifier().CheckBlock(big).ShouldBe(ValidationResult.Ok);
            signatureMilliseconds.Add(signatures.Elapsed.TotalMilliseconds);
            signatureRatios.Add(watch.Elapsed / signatures.Elapsed);
            if (store == StoreKind.Postgres)
            {
                var spent = funding.Outputs.Select((o, i) => new SpentCoin(new OutPoint(funding.TxId, (uint)i), new Coin(o, 1, true))).ToList();
                var bare = await BareSetBasedWriteAsync(node.Settings.Database!, big, 2, spent);
                bareMilliseconds.Add(bare.TotalMilliseconds);
                ratios.Add(watch.Elapsed / bare);
            }
        }

        var median = Median(rates);
        var budget = store == StoreKind.Sqlite ? SqliteBudget : PostgresBudget;
        var figures = new Dictionary<string, double>
        {
            ["inputs_per_second_median"] = median,
            ["inputs_per_second_min"] = rates.Min(),
            ["inputs_per_second_max"] = rates.Max(),
            ["budget_inputs_per_second"] = budget,
            ["rounds"] = Rounds,
            ["cores"] = Environment.ProcessorCount,
            ["signatures_alone_ms_median"] = Median(signatureMilliseconds),
            ["engine_to_signatures_alone_ratio_median"] = Median(signatureRatios),
        };
        if (store == StoreKind.Postgres)
        {
            figures["bare_set_based_write_ms_median"] = Median(bareMilliseconds);
            figures["engine_to_bare_write_ratio_median"] = Median(ratios);
        }

        PerformanceReport.Record($"block-connect-1000tx-{store.ToString().ToLowerInvariant()}", figures,
            $"{(median >= budget ? "within" : "below")} the budget of {budget:N0} inputs/s; shared machine, figures are noisy");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>
    /// The rows the node writes for <paramref name="block"/> — block, transaction index, new and
    /// spent outputs, balances, history, undo — written set-based (binary COPY and unnest) in one
    /// transaction into empty copies of the node's tables (same columns, keys and indexes) that
    /// already hold the spent outputs. Returns the time of that transaction alone.
    /// </summary>
    private static async Task<TimeSpan> BareSetBasedWriteAsync(string connectionString, Block block, int height, IReadOnlyList<SpentCoin> spent)
    {
        string[] tables = ["blocks", "transactions", "utxos", "address_balances", "address_transactions", "block_undo"];
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, "drop schema if exists bare cascade; create schema bare; "
            + string.Concat(tables.Select(t => $"create table bare.{t} (like public.{t} including all); ")));
        await CopyAsync(connection, "bare.utxos (txid, vout, value, pubkey_hash, height, is_coinbase)", spent, async (w, c) =>
        {
            await w.WriteAsync(c.OutPoint.TxId.ToBytes(), NpgsqlDbType.Bytea);
            await w.WriteAsync((int)c.OutPoint.Index, NpgsqlDbType.Integer);
            await w.WriteAsync(c.Coin.Output.Value.Units, NpgsqlDbType.Bigint);
            await w.WriteAsync(c.Coin.Output.PublicKeyHash.ToArray(), NpgsqlDbType.Bytea);
            await w.WriteAsync(c.Coin.Height, NpgsqlDbType.Integer);
            await w.WriteAsync(c.Coin.IsCoinbase, NpgsqlDbType.Boolean);
        });

        var hash = block.Hash.ToBytes();
        var coins = spent.ToDictionary(c => c.OutPoint, c => c.Coin);
        var created = block.Transactions.SelectMany(t => t.Outputs.Select((o, i) => new SpentCoin(new OutPoint(t.TxId, (uint)i), new Coin(o, height, t.IsCoinbase)))).ToList();
        var history = block.Transactions
            .SelectMany(t => t.Outputs.Select(o => (Pkh: Convert.ToHexString(o.PublicKeyHash.AsSpan()), t.TxId, Received: o.Value.Units, Spent: 0L))
                .Concat(t.IsCoinbase ? [] : t.Inputs.Select(i => coins[i.PreviousOutput]).Select(c => (Pkh: Convert.ToHexString(c.Output.PublicKeyHash.AsSpan()), t.TxId, Received: 0L, Spent: c.Output.Value.Units))))
            .GroupBy(f => (f.Pkh, f.TxId))
            .Select(g => (Pkh: Convert.FromHexString(g.Key.Pkh), g.Key.TxId, Received: g.Sum(f => f.Received), Spent: g.Sum(f => f.Spent)))
            .ToList();
        var balances = history.GroupBy(h => Convert.ToHexString(h.Pkh)).Select(g => (Pkh: g.First().Pkh, Delta: g.Sum(h => h.Received - h.Spent))).ToList();
        var locations = new List<(Hash256 TxId, int Position, int Offset, int Length)>();
        var offset = BlockHeader.Size + Core.Serialization.ProtocolWriter.CompactSizeLength((ulong)block.Transactions.Length);
        for (var i = 0; i < block.Transactions.Length; i++)
        {
            locations.Add((block.Transactions[i].TxId, i, offset, block.Transactions[i].SerializedSize));
            offset += block.Transactions[i].SerializedSize;
        }

        var watch = Stopwatch.StartNew();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await CopyAsync(connection, "bare.blocks (hash, prev_hash, height, header, raw, tx_count, size, time, on_main_chain, invalid)", [block], async (w, b) =>
            {
                await w.WriteAsync(hash, NpgsqlDbType.Bytea);
                await w.WriteAsync(b.Header.PreviousHash.ToBytes(), NpgsqlDbType.Bytea);
                await w.WriteAsync(height, NpgsqlDbType.Integer);
                await w.WriteAsync(b.Header.Serialize(), NpgsqlDbType.Bytea);
                await w.WriteAsync(b.Serialize(), NpgsqlDbType.Bytea);
                await w.WriteAsync(b.Transactions.Length, NpgsqlDbType.Integer);
                await w.WriteAsync(b.SerializedSize, NpgsqlDbType.Integer);
                await w.WriteAsync((long)b.Header.Time, NpgsqlDbType.Bigint);
                await w.WriteAsync(true, NpgsqlDbType.Boolean);
                await w.WriteAsync(false, NpgsqlDbType.Boolean);
            });
            await CopyAsync(connection, "bare.transactions (txid, block_hash, block_height, position, tx_offset, tx_length)", locations, async (w, l) =>
            {
                await w.WriteAsync(l.TxId.ToBytes(), NpgsqlDbType.Bytea);
                await w.WriteAsync(hash, NpgsqlDbType.Bytea);
                await w.WriteAsync(height, NpgsqlDbType.Integer);
                await w.WriteAsync(l.Position, NpgsqlDbType.Integer);
                await w.WriteAsync(l.Offset, NpgsqlDbType.Integer);
                await w.WriteAsync(l.Length, NpgsqlDbType.Integer);
            });
            await CopyAsync(connection, "bare.utxos (txid, vout, value, pubkey_hash, height, is_coinbase)", created, async (w, c) =>
            {
                await w.WriteAsync(c.OutPoint.TxId.ToBytes(), NpgsqlDbType.Bytea);
                await w.WriteAsync((int)c.OutPoint.Index, NpgsqlDbType.Integer);
                await w.WriteAsync(c.Coin.Output.Value.Units, NpgsqlDbType.Bigint);
                await w.WriteAsync(c.Coin.Output.PublicKeyHash.ToArray(), NpgsqlDbType.Bytea);
                await w.WriteAsync(c.Coin.Height, NpgsqlDbType.Integer);
                await w.WriteAsync(c.Coin.IsCoinbase, NpgsqlDbType.Boolean);
            });
            await using (var delete = new NpgsqlCommand("delete from bare.utxos u using unnest(@txids, @vouts) as k(txid, vout) where u.txid = k.txid and u.vout = k.vout", connection))
            {
                delete.Parameters.AddWithValue("txids", spent.Select(c => c.OutPoint.TxId.ToBytes()).ToArray());
                delete.Parameters.AddWithValue("vouts", spent.Select(c => (int)c.OutPoint.Index).ToArray());
                (await delete.ExecuteNonQueryAsync()).ShouldBe(spent.Count);
            }

            await using (var upsert = new NpgsqlCommand(
                "insert into bare.address_balances (pubkey_hash, balance) select * from unnest(@pkhs, @deltas) "
                + "on conflict (pubkey_hash) do update set balance = address_balances.balance + excluded.balance", connection))
            {
                upsert.Parameters.AddWithValue("pkhs", balances.Select(b => b.Pkh).ToArray());
                upsert.Parameters.AddWithValue("deltas", balances.Select(b => b.Delta).ToArray());
                await upsert.ExecuteNonQueryAsync();
            }

            await CopyAsync(connection, "bare.address_transactions (pubkey_hash, txid, block_hash, block_height, received, spent)", history, async (w, h) =>
            {
                await w.WriteAsync(h.Pkh, NpgsqlDbType.Bytea);
                await w.WriteAsync(h.TxId.ToBytes(), NpgsqlDbType.Bytea);
                await w.WriteAsync(hash, NpgsqlDbType.Bytea);
                await w.WriteAsync(height, NpgsqlDbType.Integer);
                await w.WriteAsync(h.Received, NpgsqlDbType.Bigint);
                await w.WriteAsync(h.Spent, NpgsqlDbType.Bigint);
            });
            await using (var undo = new NpgsqlCommand("insert into bare.block_undo (block_hash, data) values (@hash, @data)", connection))
            {
                undo.Parameters.AddWithValue("hash", hash);
                undo.Parameters.AddWithValue("data", new BlockUndo([.. spent]).Serialize());
                await undo.ExecuteNonQueryAsync();
            }

            await tx.CommitAsync();
        }

        watch.Stop();
        await ExecuteAsync(connection, "drop schema bare cascade");
        return watch.Elapsed;
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, string target, IEnumerable<T> rows, Func<NpgsqlBinaryImporter, T, Task> write)
    {
        await using var writer = await connection.BeginBinaryImportAsync($"copy {target} from stdin (format binary)");
        foreach (var row in rows)
        {
            await writer.StartRowAsync();
            await write(writer, row);
        }

        await writer.CompleteAsync();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
