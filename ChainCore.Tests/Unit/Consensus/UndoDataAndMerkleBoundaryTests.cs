using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Tests.Unit.Consensus;

/// <summary>Undo data's exact layout and its refusals; the merkle tree's duplicate detection at its edge.</summary>
[TestFixture, Category("Unit")]
public sealed class UndoDataAndMerkleBoundaryTests
{
    private const int CoinBytes = 32 + 4 + 8 + 20 + 4 + 1;

    private static SpentCoin Spent(string name, uint index, long units, int height, bool coinbase) =>
        new(new OutPoint(Hash256.Compute(System.Text.Encoding.ASCII.GetBytes(name)), index),
            new Coin(new TxOut(new Amount(units), [.. Enumerable.Range(1, 20).Select(i => (byte)i)]), height, coinbase));

    [Test]
    public void Undo_data_is_a_count_then_69_bytes_per_coin_and_round_trips_every_field()
    {
        var undo = new BlockUndo([Spent("a", 7, 123_456, 10, true), Spent("b", 0, Amount.MaxMoney.Units, 0, false)]);

        var bytes = undo.Serialize();

        bytes.Length.ShouldBe(1 + 2 * CoinBytes);
        bytes[0].ShouldBe((byte)2);
        bytes[CoinBytes].ShouldBe((byte)1, "the first coin's last byte is its coinbase flag");
        bytes[^1].ShouldBe((byte)0);
        BlockUndo.Parse(bytes).SpentCoins.ShouldBe(undo.SpentCoins);
        BlockUndo.Parse(BlockUndo.Empty.Serialize()).SpentCoins.ShouldBeEmpty();
    }

    [Test]
    public void Undo_data_one_byte_short_or_long_or_with_a_coinbase_flag_of_two_is_refused()
    {
        var bytes = new BlockUndo([Spent("a", 1, 5, 3, false)]).Serialize();

        Should.Throw<FormatException>(() => BlockUndo.Parse(bytes[..^1]));
        Should.Throw<FormatException>(() => BlockUndo.Parse([.. bytes, 0]));
        byte[] flagTwo = [.. bytes[..^1], 2];
        Should.Throw<FormatException>(() => BlockUndo.Parse(flagTwo));
    }

    [Test]
    public void Two_equal_neighbours_mark_the_tree_mutated_but_an_odd_last_one_duplicated_by_the_rule_does_not()
    {
        var a = Hash256.Compute("a"u8);
        var b = Hash256.Compute("b"u8);
        var c = Hash256.Compute("c"u8);

        MerkleTree.ComputeRoot([a, b, c], out var odd);
        odd.ShouldBeFalse();
        var root = MerkleTree.ComputeRoot([a, b, c, c], out var repeated);
        repeated.ShouldBeTrue();
        root.ShouldBe(MerkleTree.ComputeRoot([a, b, c]), "the repeat gives the same root: why it must be refused");
        MerkleTree.ComputeRoot([a], out var single).ShouldBe(a);
        single.ShouldBeFalse();
        MerkleTree.ComputeRoot([], out _).ShouldBe(Hash256.Zero);
    }
}
