using System.Collections.Immutable;
using System.Diagnostics;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Performance;

/// <summary>Connecting a block of 1,000 signed transactions: the figure is inputs per second, recorded, not asserted.</summary>
[TestFixture(StoreKind.Postgres), TestFixture(StoreKind.Sqlite)]
[Category("Performance"), Category("Database")]
public sealed class BlockConnectPerformanceTests(StoreKind store) : NodeTestBase
{
    private const int Transactions = 1_000;
    private const int Rounds = 5;

    [Test]
    public async Task Connecting_a_block_of_1000_signed_transactions()
    {
        var p = ConsensusParams.Regtest with { CoinbaseMaturity = 1 };
        var samples = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            await using var node = await StartNodeAsync(store: store);
            var owner = Wallets.NewWallet();
            var recipient = Wallets.NewWallet();
            var perOutput = Amount.FromCoins(50) - new Amount(Transactions * 10_000L);
            var share = new Amount(perOutput.Units / Transactions);
            var outputs = Enumerable.Range(0, Transactions).Select(_ => new TxOut(share, [.. owner.KeyHash])).ToImmutableArray();
            var funding = Coinbase.Create(1, outputs);
            var header = new BlockHeader(1, node.Chain.Tip.Hash, MerkleTree.ComputeRoot([funding.TxId]), node.Chain.Tip.Header.Time + 1, p.PowLimitBits, 0);
            var fundingBlock = ChainCore.Core.Mining.BlockSolver.Solve(new Block(header, [funding]), p, CancellationToken.None);
            (await node.Chain.ProcessBlockAsync(fundingBlock)).BecameTip.ShouldBeTrue();

            var fee = new Amount(1_000);
            var spends = Enumerable.Range(0, Transactions)
                .Select(i => Wallets.Spend(owner, new OutPoint(funding.TxId, (uint)i), share, recipient.Address, fee))
                .ToList();
            var big = BlockFactory.Next(node.Chain.Tip, recipient.KeyHash, p, spends, new Amount(fee.Units * Transactions));

            var watch = Stopwatch.StartNew();
            var result = await node.Chain.ProcessBlockAsync(big);
            watch.Stop();

            result.BecameTip.ShouldBeTrue(result.Validation.ToString());
            samples.Add(Transactions / watch.Elapsed.TotalSeconds);
        }

        samples.Sort();
        PerformanceReport.Record($"block-connect-1000tx-{store.ToString().ToLowerInvariant()}", new Dictionary<string, double>
        {
            ["inputs_per_second_median"] = samples[samples.Count / 2],
            ["inputs_per_second_min"] = samples[0],
            ["inputs_per_second_max"] = samples[^1],
            ["rounds"] = Rounds,
        });
    }
}
