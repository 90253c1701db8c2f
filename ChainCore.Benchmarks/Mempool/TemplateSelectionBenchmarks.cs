using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;

namespace ChainCore.Benchmarks.Mempool;

/// <summary>
/// Block template selection by ancestor-package fee rate over a full pool: 5,000 transactions in
/// chains of <see cref="ChainLength"/> (25 is the policy's longest), against the same number of
/// independent transactions as the reference; and filling the pool, which keeps every package up to date.
/// </summary>
[MemoryDiagnoser]
public class TemplateSelectionBenchmarks
{
    private const int Entries = 5_000;
    private const int BlockBudget = 1_000_000 - 80 - 1_000;

    private TransactionPool _pool = null!;
    private MempoolEntry[] _entries = [];

    [Params(1, 5, 25)]
    public int ChainLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(5_000);
        _pool = new TransactionPool(Entries, 50_000_000);
        _entries = new MempoolEntry[Entries];
        OutPoint? previous = null;
        for (var i = 0; i < Entries; i++)
        {
            var spends = i % ChainLength == 0 || previous is null ? new OutPoint(RandomHash(random), 0) : previous.Value;
            var tx = new Transaction(
                [new TxIn(spends, [.. RandomBytes(random, random.Next(60, 140))], [.. RandomBytes(random, 33)])],
                [new TxOut(new Amount(random.Next(1_000, 1_000_000)), [.. RandomBytes(random, 20)]), new TxOut(new Amount(1_000), [.. RandomBytes(random, 20)])]);
            _entries[i] = new MempoolEntry(tx, new Amount(random.Next(200, 100_000)), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, i + 1);
            previous = new OutPoint(tx.TxId, 0);
        }

        foreach (var entry in _entries)
        {
            var result = _pool.TryAdd(entry);
            if (!result.IsValid)
            {
                throw new InvalidOperationException($"Setup: {result}");
            }
        }
    }

    /// <summary>One block's worth (about 1 MB of the pool's 1.2 MB).</summary>
    [Benchmark]
    public int Select_a_block() => PackageSelector.Select(_pool.Graph(), BlockBudget).Count;

    /// <summary>Everything: every package goes in, the most bookkeeping.</summary>
    [Benchmark]
    public int Select_the_whole_pool() => PackageSelector.Select(_pool.Graph(), int.MaxValue).Count;

    [Benchmark]
    public int Fill_the_pool()
    {
        var pool = new TransactionPool(Entries, 50_000_000);
        foreach (var entry in _entries)
        {
            pool.TryAdd(entry);
        }

        return pool.Count;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static Hash256 RandomHash(Random random) => new(RandomBytes(random, 32));
}
