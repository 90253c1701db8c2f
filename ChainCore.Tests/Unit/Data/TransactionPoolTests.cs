using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Unit.Data;

[TestFixture, Category("Unit")]
public sealed class TransactionPoolTests
{
    private static MempoolEntry Entry(TransactionPool pool, Transaction tx, long fee) =>
        new(tx, new Amount(fee), ImmutableArray<SpentCoin>.Empty, DateTimeOffset.UnixEpoch, pool.NextSequence());

    private static Transaction Tx(Random random, OutPoint? spends = null)
    {
        var tx = TestData.RandomTransaction(random, inputs: 1, outputs: 1);
        return spends is { } outPoint ? tx.WithInputs([tx.Inputs[0] with { PreviousOutput = outPoint }]) : tx;
    }

    [Test]
    public void Template_selection_takes_the_highest_fee_rate_first_and_parents_before_children()
    {
        var random = new Random(11);
        var pool = new TransactionPool(100, 1_000_000);
        var parent = Tx(random);
        var child = Tx(random, new OutPoint(parent.TxId, 0));
        var rich = Tx(random);
        pool.Add(Entry(pool, parent, 100));
        pool.Add(Entry(pool, child, 1_000_000));
        pool.Add(Entry(pool, rich, 50_000));

        var selected = pool.SelectForBlock(1_000_000).Select(e => e.TxId).ToList();

        selected.ShouldBe([rich.TxId, parent.TxId, child.TxId]);
        pool.SelectForBlock(rich.SerializedSize).Select(e => e.TxId).ShouldBe([rich.TxId], "nothing more fits, and the child never goes without its parent");
    }

    [Test]
    public void A_full_pool_evicts_the_cheapest_with_descendants_or_refuses_a_cheaper_one()
    {
        var random = new Random(12);
        var pool = new TransactionPool(maxTransactions: 2, maxBytes: 1_000_000);
        var cheap = Tx(random);
        var cheapChild = Tx(random, new OutPoint(cheap.TxId, 0));
        pool.Add(Entry(pool, cheap, 10));
        pool.Add(Entry(pool, cheapChild, 20_000));

        pool.MakeRoomFor(Entry(pool, Tx(random), 1)).ShouldBeFalse("a cheaper transaction does not push out better ones");
        var better = Entry(pool, Tx(random), 50_000);
        pool.MakeRoomFor(better).ShouldBeTrue();
        pool.Add(better);

        pool.Contains(cheap.TxId).ShouldBeFalse();
        pool.Contains(cheapChild.TxId).ShouldBeFalse("a child cannot stay without its parent");
        pool.Count.ShouldBe(1);
        pool.Bytes.ShouldBe(better.Size);
    }

    [Test]
    public void A_connected_block_removes_its_transactions_and_their_conflicts()
    {
        var random = new Random(13);
        var pool = new TransactionPool(100, 1_000_000);
        var confirmed = Tx(random);
        var shared = new OutPoint(TestData.RandomHash(random), 0);
        var conflicting = Tx(random, shared);
        var conflictChild = Tx(random, new OutPoint(conflicting.TxId, 0));
        var untouched = Tx(random);
        foreach (var tx in new[] { confirmed, conflicting, conflictChild, untouched })
        {
            pool.Add(Entry(pool, tx, 1_000));
        }

        pool.GetSpender(shared).ShouldBe(conflicting.TxId);
        pool.GetOutput(new OutPoint(conflicting.TxId, 0)).ShouldNotBeNull();
        var blockSpend = Tx(random, shared);
        var block = TestData.MineBlock(Hash256.Zero, 1, 1, [confirmed, blockSpend], Amount.FromCoins(50));

        var removed = pool.RemoveForBlock(block);

        removed.ShouldBe([confirmed.TxId, conflicting.TxId, conflictChild.TxId], ignoreOrder: true);
        pool.Snapshot().Select(e => e.TxId).ShouldBe([untouched.TxId]);
        pool.GetSpender(shared).ShouldBeNull();
        pool.Get(untouched.TxId)!.FeeRatePerKb.ShouldBe(1_000L * 1000 / untouched.SerializedSize);
    }
}
