using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Unit.Data;

[TestFixture, Category("Unit")]
public sealed class ReorgOrphanPoolTests
{
    private static readonly ValidationResult MissingInputs = ValidationResult.MissingInputs(RejectCodes.MissingInputs, "missing");

    private readonly Random _random = new(7);

    private Transaction Tx(params OutPoint[] spends)
    {
        var tx = TestData.RandomTransaction(_random, inputs: Math.Max(1, spends.Length), outputs: 2);
        return spends.Length == 0 ? tx : tx.WithInputs([.. spends.Select((o, i) => tx.Inputs[i] with { PreviousOutput = o })]);
    }

    private static OutPoint Out(Transaction tx, uint index = 0) => new(tx.TxId, index);

    private static Block BlockOf(params Transaction[] transactions) =>
        new(new BlockHeader(1, Hash256.Zero, Hash256.Zero, 0, 0x207fffff, 0), [Coinbase.Create(1, new byte[20], Amount.FromCoins(50)), .. transactions]);

    private static TransactionResult Result(Transaction tx, ValidationResult validation) => new(tx.TxId, validation, Amount.Zero);

    [Test]
    public void Only_transactions_refused_for_missing_inputs_are_kept(
        [Values(ValidationCategory.MissingInputs, ValidationCategory.Invalid, ValidationCategory.Conflict, ValidationCategory.Premature, ValidationCategory.Policy)] ValidationCategory category)
    {
        var pool = new ReorgOrphanPool();
        var tx = Tx();

        pool.Keep(tx, new ValidationResult("some-code", "refused", category));

        pool.Contains(tx.TxId).ShouldBe(category == ValidationCategory.MissingInputs);
    }

    [Test]
    public void A_pooled_transaction_is_kept_as_never_mined_until_it_leaves()
    {
        var pool = new ReorgOrphanPool();
        var (mined, pooled) = (Tx(), Tx());

        pool.Keep(mined, MissingInputs);
        pool.Keep(pooled, MissingInputs, mined: false);

        pool.WasMined(mined.TxId).ShouldBeTrue();
        pool.WasMined(pooled.TxId).ShouldBeFalse();
        pool.Remove(pooled.TxId).ShouldBeTrue();
        pool.Keep(pooled, MissingInputs);
        pool.WasMined(pooled.TxId).ShouldBeTrue("a removed entry leaves no mark behind");
        pool.WasMined(Tx().TxId).ShouldBeFalse();
    }

    [Test]
    public void Transactions_that_were_only_pooled_never_push_out_mined_ones()
    {
        var pool = new ReorgOrphanPool(maxTransactions: 3);
        var mined = Enumerable.Range(0, 3).Select(_ => Tx()).ToList();
        foreach (var tx in mined)
        {
            pool.Keep(tx, MissingInputs);
        }

        var crowd = Enumerable.Range(0, 10).Select(_ => Tx()).ToList();
        var dropped = crowd.SelectMany(tx => pool.Keep(tx, MissingInputs, mined: false)).ToList();

        dropped.ShouldBe(crowd.Select(t => t.TxId), "a full pool of mined transactions turns each pooled one away");
        mined.ShouldAllBe(t => pool.Contains(t.TxId));
    }

    [Test]
    public void Past_the_bound_the_oldest_pooled_transaction_leaves_before_any_mined_one()
    {
        var pool = new ReorgOrphanPool(maxTransactions: 3);
        var (oldMined, pooled1, pooled2, newMined, newestMined) = (Tx(), Tx(), Tx(), Tx(), Tx());
        pool.Keep(oldMined, MissingInputs);
        pool.Keep(pooled1, MissingInputs, mined: false);
        pool.Keep(pooled2, MissingInputs, mined: false);

        pool.Keep(newMined, MissingInputs).ShouldBe([pooled1.TxId]);
        pool.Keep(newestMined, MissingInputs).ShouldBe([pooled2.TxId]);
        pool.Keep(Tx(), MissingInputs).ShouldBe([oldMined.TxId], "with none merely pooled left, the oldest mined one goes");
    }

    [Test]
    public void Past_the_count_bound_the_oldest_leave_first_and_the_pool_never_grows_past_it()
    {
        var pool = new ReorgOrphanPool(maxTransactions: 3);
        var txs = Enumerable.Range(0, 50).Select(_ => Tx()).ToList();

        var dropped = new List<Hash256>();
        foreach (var tx in txs)
        {
            dropped.AddRange(pool.Keep(tx, MissingInputs));
            pool.Count.ShouldBeLessThanOrEqualTo(3);
        }

        dropped.ShouldBe(txs.SkipLast(3).Select(t => t.TxId));
        txs.Select(t => pool.Contains(t.TxId)).ShouldBe([.. Enumerable.Repeat(false, 47), true, true, true]);
        pool.Bytes.ShouldBe(txs.TakeLast(3).Sum(t => (long)t.SerializedSize));
    }

    [Test]
    public void Past_the_byte_bound_the_oldest_leave_first()
    {
        var txs = Enumerable.Range(0, 5).Select(_ => Tx()).ToList();
        var maxBytes = txs.TakeLast(3).Sum(t => (long)t.SerializedSize);
        var pool = new ReorgOrphanPool(maxTransactions: 100, maxBytes: maxBytes);

        foreach (var tx in txs)
        {
            pool.Keep(tx, MissingInputs);
            pool.Bytes.ShouldBeLessThanOrEqualTo(maxBytes);
        }

        txs.Select(t => pool.Contains(t.TxId)).ShouldBe([false, false, true, true, true]);
        pool.Bytes.ShouldBe(maxBytes);
    }

    [Test]
    public void A_transaction_bigger_than_the_byte_bound_is_not_kept_and_evicts_nothing()
    {
        var small = Tx();
        var big = Tx(Enumerable.Range(0, 20).Select(_ => new OutPoint(TestData.RandomHash(_random), 0)).ToArray());
        var pool = new ReorgOrphanPool(maxBytes: big.SerializedSize - 1);
        pool.Keep(small, MissingInputs);

        pool.Keep(big, MissingInputs).ShouldBe([big.TxId]);

        pool.Contains(big.TxId).ShouldBeFalse();
        pool.Contains(small.TxId).ShouldBeTrue();
    }

    [Test]
    public void A_block_confirming_an_entry_or_spending_one_of_its_inputs_removes_it_and_keeps_its_children()
    {
        var pool = new ReorgOrphanPool();
        var confirmed = Tx();
        var conflicting = Tx();
        var child = Tx(Out(confirmed));
        var unrelated = Tx();
        foreach (var tx in new[] { confirmed, conflicting, child, unrelated })
        {
            pool.Keep(tx, MissingInputs);
        }

        var doubleSpend = Tx(new OutPoint(TestData.RandomHash(_random), 3), conflicting.Inputs[0].PreviousOutput);
        var removed = pool.RemoveForBlock(BlockOf(confirmed, doubleSpend));

        removed.ShouldBe([confirmed.TxId, conflicting.TxId], ignoreOrder: true);
        pool.Contains(child.TxId).ShouldBeTrue("its parent is on the chain now: it may be valid");
        pool.Contains(unrelated.TxId).ShouldBeTrue();
        pool.Count.ShouldBe(2);
        pool.Bytes.ShouldBe(child.SerializedSize + unrelated.SerializedSize);
    }

    [Test]
    public void The_retry_order_puts_parents_before_children_and_is_otherwise_oldest_first()
    {
        var pool = new ReorgOrphanPool();
        var parent = Tx();
        var child = Tx(Out(parent));
        var grandchild = Tx(Out(child), Out(parent, 1));
        var other = Tx();

        // A later reorg can bring a parent after its child.
        foreach (var tx in new[] { grandchild, other, child, parent })
        {
            pool.Keep(tx, MissingInputs);
        }

        pool.InRetryOrder().ShouldBe([other, parent, child, grandchild]);
    }

    [Test]
    public void A_retried_transaction_stays_only_if_its_inputs_are_still_missing(
        [Values(ValidationCategory.None, ValidationCategory.MissingInputs, ValidationCategory.Invalid, ValidationCategory.Conflict, ValidationCategory.Duplicate)] ValidationCategory category)
    {
        var pool = new ReorgOrphanPool();
        var tx = Tx();
        pool.Keep(tx, MissingInputs);
        var validation = category == ValidationCategory.None ? ValidationResult.Ok : new ValidationResult("some-code", "refused", category);

        var stays = pool.Settle(tx, Result(tx, validation));

        stays.ShouldBe(category == ValidationCategory.MissingInputs);
        pool.Contains(tx.TxId).ShouldBe(stays);
        pool.Bytes.ShouldBe(stays ? tx.SerializedSize : 0);
    }

    [Test]
    public void A_transaction_of_exactly_the_byte_bound_is_kept_alone()
    {
        var small = Tx();
        var exact = Tx(Enumerable.Range(0, 20).Select(_ => new OutPoint(TestData.RandomHash(_random), 0)).ToArray());
        var pool = new ReorgOrphanPool(maxBytes: exact.SerializedSize);
        pool.Keep(small, MissingInputs);

        pool.Keep(exact, MissingInputs).ShouldBe([small.TxId], "the older one leaves to make room");

        pool.Contains(exact.TxId).ShouldBeTrue();
        pool.Bytes.ShouldBe(exact.SerializedSize);
    }

    [Test]
    public void A_block_spending_only_one_of_an_entrys_inputs_removes_it()
    {
        var pool = new ReorgOrphanPool();
        var twoInputs = Tx(new OutPoint(TestData.RandomHash(_random), 0), new OutPoint(TestData.RandomHash(_random), 1));
        pool.Keep(twoInputs, MissingInputs);

        pool.RemoveForBlock(BlockOf(Tx(twoInputs.Inputs[1].PreviousOutput))).ShouldBe([twoInputs.TxId]);

        pool.Count.ShouldBe(0);
        pool.Bytes.ShouldBe(0);
    }

    [Test]
    public void An_empty_pool_has_nothing_for_a_block_to_remove_and_no_retries()
    {
        var pool = new ReorgOrphanPool();

        pool.RemoveForBlock(BlockOf(Tx())).ShouldBeEmpty();
        pool.InRetryOrder().ShouldBeEmpty();
        pool.ParentIds().ShouldBeEmpty();
        pool.Remove(Tx().TxId).ShouldBeFalse();
    }

    [Test]
    public void Nothing_is_kept_settled_or_removed_for_no_transaction_or_block()
    {
        var pool = new ReorgOrphanPool();
        var tx = Tx();

        Should.Throw<ArgumentNullException>(() => pool.Keep(null!, MissingInputs));
        Should.Throw<ArgumentNullException>(() => pool.Settle(null!, Result(tx, MissingInputs)));
        Should.Throw<ArgumentNullException>(() => pool.Settle(tx, null!));
        Should.Throw<ArgumentNullException>(() => pool.RemoveForBlock(null!));
        pool.Count.ShouldBe(0);
    }
}
