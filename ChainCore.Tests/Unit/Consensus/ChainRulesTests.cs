using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Tests.Unit.Consensus;

[TestFixture, Category("Unit")]
public sealed class ChainRulesTests
{
    [Test]
    public void Merkle_root_of_Bitcoin_block_100000_matches()
    {
        // Source: Bitcoin block 100000 (000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506): its four txids and merkle root.
        Hash256[] txids =
        [
            Hash256.Parse("8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87"),
            Hash256.Parse("fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4"),
            Hash256.Parse("6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4"),
            Hash256.Parse("e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d"),
        ];

        MerkleTree.ComputeRoot(txids).ToString().ShouldBe("f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766");
    }

    [Test]
    public void Merkle_root_of_one_is_the_txid_and_odd_levels_duplicate_the_last()
    {
        var a = Hash256.Compute("a"u8);
        var b = Hash256.Compute("b"u8);
        var c = Hash256.Compute("c"u8);

        MerkleTree.ComputeRoot([a]).ShouldBe(a);
        MerkleTree.ComputeRoot(Array.Empty<Hash256>()).ShouldBe(Hash256.Zero);
        MerkleTree.ComputeRoot([a, b, c], out var mutated).ShouldBe(MerkleTree.ComputeRoot([a, b, c, c]));
        mutated.ShouldBeFalse();
        MerkleTree.ComputeRoot([a, b, c, c], out var duplicated);
        duplicated.ShouldBeTrue("CVE-2012-2459: repeating the last txid gives the same root");
    }

    [TestCase(0, 5_000_000_000L)]
    [TestCase(149, 5_000_000_000L)]
    [TestCase(150, 2_500_000_000L)]
    [TestCase(299, 2_500_000_000L)]
    [TestCase(300, 1_250_000_000L)]
    [TestCase(150 * 33, 0L)]
    [TestCase(150 * 64, 0L)]
    [TestCase(150 * 100, 0L)]
    public void Regtest_subsidy_halves_every_150_blocks(int height, long units) =>
        Subsidy.ForHeight(height, ConsensusParams.Regtest).Units.ShouldBe(units);

    [Test]
    public void Main_subsidy_halves_at_210000_and_sums_below_21_million()
    {
        Subsidy.ForHeight(209_999, ConsensusParams.Main).ShouldBe(Amount.FromCoins(50));
        Subsidy.ForHeight(210_000, ConsensusParams.Main).ShouldBe(Amount.FromCoins(25));
        var total = Enumerable.Range(0, 64).Sum(h => (decimal)Subsidy.ForHeight(h * 210_000, ConsensusParams.Main).Units * 210_000);
        total.ShouldBeLessThanOrEqualTo(Amount.MaxMoney.Units);
        Should.Throw<ArgumentOutOfRangeException>(() => Subsidy.ForHeight(-1, ConsensusParams.Main));
    }

    [Test]
    public void Median_time_past_is_the_median_of_the_last_eleven()
    {
        MedianTimePast.Compute([5]).ShouldBe(5);
        MedianTimePast.Compute([3, 1, 2]).ShouldBe(2);
        MedianTimePast.Compute([.. Enumerable.Range(1, 20).Select(i => (long)i)]).ShouldBe(15);
        MedianTimePast.Compute([10, 1, 9, 2, 8, 3, 7, 4, 6, 5, 11]).ShouldBe(6);
        Should.Throw<ArgumentException>(() => MedianTimePast.Compute([]));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(127)]
    [TestCase(128)]
    [TestCase(255)]
    [TestCase(256)]
    [TestCase(65_535)]
    [TestCase(65_536)]
    [TestCase(16_777_216)]
    [TestCase(int.MaxValue)]
    public void Coinbase_height_round_trips(int height)
    {
        var encoded = Coinbase.EncodeHeight(height);

        Coinbase.TryReadHeight(encoded, out var read).ShouldBeTrue();
        read.ShouldBe(height);
        Coinbase.TryReadHeight([.. encoded, 0xAB, 0xCD], out var withExtra).ShouldBeTrue();
        withExtra.ShouldBe(height);
    }

    [TestCase(new byte[] { })]
    [TestCase(new byte[] { 0x01 })]
    [TestCase(new byte[] { 0x00, 0x01 })]
    [TestCase(new byte[] { 0x05, 1, 2, 3, 4, 5 })]
    [TestCase(new byte[] { 0x03, 1, 2 })]
    [TestCase(new byte[] { 0x02, 1, 0 })]
    [TestCase(new byte[] { 0x04, 0xff, 0xff, 0xff, 0xff })]
    public void Malformed_coinbase_heights_are_refused(byte[] data) =>
        Coinbase.TryReadHeight(data, out _).ShouldBeFalse();

    [Test]
    public void Coinbases_at_different_heights_never_share_a_txid()
    {
        var pkh = new byte[20];
        var ids = Enumerable.Range(0, 500).Select(h => Coinbase.Create(h, pkh, Amount.FromCoins(50)).TxId).ToHashSet();

        ids.Count.ShouldBe(500);
        Should.Throw<ArgumentException>(() => Coinbase.Create(1, pkh, Amount.FromCoins(1), new byte[100]));
        Should.Throw<ArgumentOutOfRangeException>(() => Coinbase.EncodeHeight(-1));
    }
}
