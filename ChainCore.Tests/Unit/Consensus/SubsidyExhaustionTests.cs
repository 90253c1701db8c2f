using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Unit.Consensus;

/// <summary>
/// Regtest halves the subsidy every 150 blocks, so from height 4950 (33 halvings) it is zero: a block
/// without fees then pays a zero coinbase, and the chain must go on (consensus allows 0 ≤ value).
/// </summary>
[TestFixture, Category("Unit")]
public sealed class SubsidyExhaustionTests
{
    private static readonly ConsensusParams Regtest = ConsensusParams.Regtest;
    private const int FirstHeightWithoutSubsidy = 150 * 33;

    [Test]
    public void Regtest_subsidy_is_one_unit_at_4949_and_zero_from_4950()
    {
        Subsidy.ForHeight(FirstHeightWithoutSubsidy - 1, Regtest).ShouldBe(new Amount(1));
        Subsidy.ForHeight(FirstHeightWithoutSubsidy, Regtest).ShouldBe(Amount.Zero);
    }

    [Test]
    public void A_block_without_fees_at_height_4950_pays_a_zero_coinbase_and_is_valid()
    {
        var block = TestData.MineBlock(Hash256.Compute("parent"u8), FirstHeightWithoutSubsidy, 1_000, [], Amount.Zero, Regtest);

        BlockValidator.CheckBlock(block, Regtest).ShouldBe(ValidationResult.Ok);
        BlockValidator.ConnectBlock(block, FirstHeightWithoutSubsidy, new DictionaryUtxoView(new Dictionary<OutPoint, Coin>()), Regtest, out _).ShouldBe(ValidationResult.Ok);
    }

    [Test]
    public void Past_the_subsidy_a_coinbase_takes_the_fees_and_not_one_unit_more()
    {
        var alice = TestData.AliceKey;
        var coin = new OutPoint(Hash256.Compute("old coin"u8), 0);
        var view = new DictionaryUtxoView(new Dictionary<OutPoint, Coin> { [coin] = new(TestData.Pay(alice, Amount.FromCoins(1)), 10, true) });
        var fee = new Amount(5_000);
        var payment = TestData.Spend(alice, [coin], [TestData.Pay(alice, Amount.FromCoins(1) - fee)]);
        var height = FirstHeightWithoutSubsidy + 1;

        var exact = TestData.MineBlock(Hash256.Compute("parent"u8), height, 1_000, [payment], fee, Regtest);
        var greedy = TestData.MineBlock(Hash256.Compute("parent"u8), height, 1_000, [payment], fee + new Amount(1), Regtest);

        BlockValidator.ConnectBlock(exact, height, view, Regtest, out _).ShouldBe(ValidationResult.Ok);
        BlockValidator.ConnectBlock(greedy, height, view, Regtest, out _).Code.ShouldBe(RejectCodes.BadCoinbaseAmount);
    }
}
