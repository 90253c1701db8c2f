using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Unit.Consensus;

/// <summary>
/// Each limit of the consensus rules on both sides of its edge: the value at the limit passes and
/// one unit past it fails, so an off-by-one in a comparison cannot go unnoticed.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ConsensusBoundaryTests
{
    private static readonly ConsensusParams P = ConsensusParams.Regtest with { CoinbaseMaturity = 10 };
    private static readonly PrivateKey Alice = TestData.AliceKey;
    private static readonly OutPoint Funding = new(Hash256.Compute("funding"u8), 0);
    private static readonly OutPoint Mined = new(Hash256.Compute("coinbase"u8), 0);
    private const int Height = 50;
    private const long Now = 1_700_000_000;

    private static Block SomeBlock(Amount? coinbaseValue = null, params Transaction[] transactions) =>
        TestData.MineBlock(Hash256.Compute("parent"u8), Height, 1_000, transactions, coinbaseValue ?? Subsidy.ForHeight(Height, P), P);

    private static ValidationResult Header(uint time, long medianTimePast) =>
        BlockValidator.ContextualCheckHeader(new BlockHeader(1, Hash256.Compute("parent"u8), Hash256.Compute("root"u8), time, P.PowLimitBits, 0),
            new ChainContext(Height - 1, P.PowLimitBits, medianTimePast, _ => 0), DateTimeOffset.FromUnixTimeSeconds(Now), P);

    [Test]
    public void Block_of_exactly_the_maximum_size_is_valid_and_one_byte_more_is_oversize()
    {
        var block = SomeBlock();

        BlockValidator.CheckBlock(block, P with { MaxBlockSize = block.SerializedSize }).IsValid.ShouldBeTrue();
        BlockValidator.CheckBlock(block, P with { MaxBlockSize = block.SerializedSize - 1 }).Code.ShouldBe(RejectCodes.BlockOversize);
    }

    [Test]
    public void Transaction_of_exactly_the_maximum_size_is_valid_and_one_byte_more_is_oversize()
    {
        var tx = TestData.Spend(Alice, [Funding], [TestData.Pay(Alice, Amount.FromCoins(1))]);

        TransactionValidator.CheckTransaction(tx, P with { MaxBlockSize = tx.SerializedSize }).IsValid.ShouldBeTrue();
        TransactionValidator.CheckTransaction(tx, P with { MaxBlockSize = tx.SerializedSize - 1 }).Code.ShouldBe(RejectCodes.TxOversize);
    }

    [Test]
    public void Block_time_of_exactly_now_plus_two_hours_is_valid_and_one_second_more_is_premature()
    {
        var limit = (uint)(Now + 2 * 60 * 60);

        Header(limit, medianTimePast: Now - 3600).IsValid.ShouldBeTrue();
        var ahead = Header(limit + 1, medianTimePast: Now - 3600);
        ahead.Code.ShouldBe(RejectCodes.TimeTooNew);
        ahead.Category.ShouldBe(ValidationCategory.Premature, "a block from a clock a little ahead may become valid later");
    }

    [Test]
    public void Block_time_equal_to_the_median_time_past_is_too_old_and_one_second_later_is_valid()
    {
        Header((uint)(Now - 100), medianTimePast: Now - 100).Code.ShouldBe(RejectCodes.TimeTooOld);
        Header((uint)(Now - 99), medianTimePast: Now - 100).IsValid.ShouldBeTrue();
    }

    [Test]
    public void Header_whose_bits_differ_from_the_parents_between_retargets_is_refused()
    {
        var header = new BlockHeader(1, Hash256.Compute("parent"u8), Hash256.Compute("root"u8), (uint)Now, P.PowLimitBits - 1, 0);

        BlockValidator.ContextualCheckHeader(header, new ChainContext(Height - 1, P.PowLimitBits, Now - 100, _ => 0), DateTimeOffset.FromUnixTimeSeconds(Now), P)
            .Code.ShouldBe(RejectCodes.BadDifficultyBits);
    }

    [Test]
    public void Median_time_past_of_unsorted_times_is_the_median_of_their_sorted_order()
    {
        // An even count tells an ascending sort from a descending one: the upper middle is taken.
        MedianTimePast.Compute([40, 10, 30, 20]).ShouldBe(30);
        MedianTimePast.Compute([7, 3]).ShouldBe(7);
        // Only the last eleven count: the first of twelve is far larger than the rest.
        MedianTimePast.Compute([1_000, 9, 1, 8, 2, 7, 3, 6, 4, 5, 10, 11]).ShouldBe(6);
    }

    [Test]
    public void Coinbase_output_is_spendable_at_exactly_the_maturity_and_not_one_block_before()
    {
        var view = new DictionaryUtxoView(new Dictionary<OutPoint, Coin> { [Mined] = new(TestData.Pay(Alice, Amount.FromCoins(50)), 100, true) });
        var spend = TestData.Spend(Alice, [Mined], [TestData.Pay(Alice, Amount.FromCoins(49))]);

        TransactionValidator.CheckInputs(spend, view, 100 + P.CoinbaseMaturity, P, out var fee).IsValid.ShouldBeTrue();
        fee.ShouldBe(Amount.FromCoins(1));
        TransactionValidator.CheckInputs(spend, view, 100 + P.CoinbaseMaturity - 1, P, out _).Code.ShouldBe(RejectCodes.ImmatureCoinbase);
    }

    [Test]
    public void Output_of_exactly_the_maximum_money_is_valid_and_one_unit_more_is_refused()
    {
        TransactionValidator.CheckTransaction(TestData.Spend(Alice, [Funding], [TestData.Pay(Alice, Amount.MaxMoney)]), P).IsValid.ShouldBeTrue();
        TransactionValidator.CheckTransaction(TestData.Spend(Alice, [Funding], [TestData.Pay(Alice, Amount.MaxMoney - new Amount(1)), TestData.Pay(Alice, new Amount(1))]), P)
            .IsValid.ShouldBeTrue();
        TransactionValidator.CheckTransaction(TestData.Spend(Alice, [Funding], [TestData.Pay(Alice, Amount.MaxMoney), TestData.Pay(Alice, new Amount(1))]), P)
            .Code.ShouldBe(RejectCodes.OutputsOverflow);
    }

    [Test]
    public void Output_of_zero_is_valid_by_consensus()
    {
        TransactionValidator.CheckTransaction(TestData.Spend(Alice, [Funding], [TestData.Pay(Alice, Amount.Zero)]), P).IsValid.ShouldBeTrue();
    }

    [Test]
    public void Inputs_worth_exactly_the_maximum_money_are_valid_and_one_unit_more_overflows()
    {
        var second = new OutPoint(Funding.TxId, 1);
        DictionaryUtxoView View(Amount first, Amount other) => new(new Dictionary<OutPoint, Coin>
        {
            [Funding] = new(TestData.Pay(Alice, first), 1, false),
            [second] = new(TestData.Pay(Alice, other), 1, false),
        });
        var spend = TestData.Spend(Alice, [Funding, second], [TestData.Pay(Alice, Amount.FromCoins(1))]);

        TransactionValidator.CheckInputs(spend, View(Amount.MaxMoney - new Amount(1), new Amount(1)), Height, P, out var fee).IsValid.ShouldBeTrue();
        fee.ShouldBe(Amount.MaxMoney - Amount.FromCoins(1));
        TransactionValidator.CheckInputs(spend, View(Amount.MaxMoney, new Amount(1)), Height, P, out _).Code.ShouldBe(RejectCodes.InputsOverflow);
    }

    [Test]
    public void Inputs_exactly_equal_to_the_outputs_pay_no_fee_and_one_unit_short_is_refused()
    {
        var view = new DictionaryUtxoView(new Dictionary<OutPoint, Coin> { [Funding] = new(TestData.Pay(Alice, Amount.FromCoins(10)), 1, false) });

        TransactionValidator.CheckInputs(TestData.Spend(Alice, [Funding], [TestData.Pay(Alice, Amount.FromCoins(10))]), view, Height, P, out var fee).IsValid.ShouldBeTrue();
        fee.ShouldBe(Amount.Zero);
        TransactionValidator.CheckInputs(TestData.Spend(Alice, [Funding], [TestData.Pay(Alice, Amount.FromCoins(10) + new Amount(1))]), view, Height, P, out _)
            .Code.ShouldBe(RejectCodes.InputsBelowOutputs);
    }

    [TestCase(Coinbase.MinDataSize)]
    [TestCase(Coinbase.MaxDataSize)]
    public void Coinbase_data_of_exactly_the_minimum_or_maximum_length_is_valid(int length)
    {
        var coinbase = new Transaction([new TxIn(OutPoint.Null, [.. new byte[length]], [])], [TestData.Pay(Alice, Amount.FromCoins(1))]);

        TransactionValidator.CheckTransaction(coinbase, P).IsValid.ShouldBeTrue();
    }

    [Test]
    public void Coinbase_paying_exactly_the_subsidy_is_valid_and_one_unit_more_is_refused()
    {
        var view = new DictionaryUtxoView(new Dictionary<OutPoint, Coin>());

        BlockValidator.ConnectBlock(SomeBlock(Subsidy.ForHeight(Height, P)), Height, view, P, out _).IsValid.ShouldBeTrue();
        BlockValidator.ConnectBlock(SomeBlock(Subsidy.ForHeight(Height, P) + new Amount(1)), Height, view, P, out _).Code.ShouldBe(RejectCodes.BadCoinbaseAmount);
    }

    [Test]
    public void Retarget_clamps_the_timespan_at_exactly_four_times_and_a_quarter_of_the_target()
    {
        var p = ConsensusParams.Devnet;
        const uint bits = 0x1e0fffff;
        var span = p.TargetTimespan;

        // At the clamps the target moves by exactly the factor; past them it moves no further.
        Target.FromCompact(Difficulty.NextBits(bits, 0, span * 4, p)).ShouldBe(Target.FromCompact(Target.ToCompact(Target.FromCompact(bits) * 4)));
        Difficulty.NextBits(bits, 0, span * 4 + 1, p).ShouldBe(Difficulty.NextBits(bits, 0, span * 4, p));
        Difficulty.NextBits(bits, 0, span * 4 - 60, p).ShouldNotBe(Difficulty.NextBits(bits, 0, span * 4, p));
        Target.FromCompact(Difficulty.NextBits(bits, 0, span / 4, p)).ShouldBe(Target.FromCompact(Target.ToCompact(Target.FromCompact(bits) / 4)));
        Difficulty.NextBits(bits, 0, span / 4 - 1, p).ShouldBe(Difficulty.NextBits(bits, 0, span / 4, p));
        Difficulty.NextBits(bits, 0, span / 4 + 60, p).ShouldNotBe(Difficulty.NextBits(bits, 0, span / 4, p));
    }

    [Test]
    public void Retarget_to_a_target_of_exactly_the_pow_limit_keeps_it()
    {
        var p = ConsensusParams.Devnet;
        var halfLimit = Target.ToCompact(p.PowLimit / 2);

        Target.FromCompact(Difficulty.NextBits(halfLimit, 0, p.TargetTimespan * 2, p)).ShouldBe(Target.FromCompact(Target.ToCompact(p.PowLimit / 2 * 2)));
        Difficulty.NextBits(halfLimit, 0, p.TargetTimespan * 4, p).ShouldBe(p.PowLimitBits);
    }

    [Test]
    public void Retarget_happens_at_exactly_each_interval_and_not_at_genesis()
    {
        var p = ConsensusParams.Devnet;

        Difficulty.IsRetargetHeight(0, p).ShouldBeFalse();
        Difficulty.IsRetargetHeight(p.RetargetInterval - 1, p).ShouldBeFalse();
        Difficulty.IsRetargetHeight(p.RetargetInterval, p).ShouldBeTrue();
        Difficulty.IsRetargetHeight(p.RetargetInterval + 1, p).ShouldBeFalse();
        Difficulty.IsRetargetHeight(p.RetargetInterval * 2, p).ShouldBeTrue();
        Difficulty.IsRetargetHeight(p.RetargetInterval, ConsensusParams.Regtest with { RetargetInterval = p.RetargetInterval }).ShouldBeFalse();
        Difficulty.RequiredBits(0, 0x1d00ffff, _ => 0, p).ShouldBe(p.PowLimitBits);
    }

    [Test]
    public void Signature_cache_holds_exactly_its_capacity_and_forgets_the_oldest_beyond_it()
    {
        var cache = new SignatureCache(capacity: 3);
        var tx = Hash256.Compute("tx"u8);

        cache.Add(tx, 0);
        cache.Add(tx, 1);
        cache.Add(tx, 2);
        cache.Add(tx, 2);
        cache.Count.ShouldBe(3);
        cache.Contains(tx, 0).ShouldBeTrue("at exactly the capacity nothing is forgotten");

        cache.Add(tx, 3);
        cache.Count.ShouldBe(3);
        cache.Contains(tx, 0).ShouldBeFalse("the oldest entry goes first");
        cache.Contains(tx, 1).ShouldBeTrue();
        cache.Contains(tx, 3).ShouldBeTrue();
        Should.Throw<ArgumentOutOfRangeException>(() => new SignatureCache(capacity: 0));
    }

    [Test]
    public void A_hash_equal_to_the_target_meets_it_and_the_next_one_up_does_not()
    {
        var target = PowTarget.Create(0x1d00ffff, ConsensusParams.Main);
        var value = target.Value.ToBigInteger();
        static Hash256 HashOf(System.Numerics.BigInteger n)
        {
            var bytes = new byte[32];
            n.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
            return new Hash256(bytes);
        }

        target.IsMetBy(HashOf(value)).ShouldBeTrue();
        target.IsMetBy(HashOf(value + 1)).ShouldBeFalse();
        target.Bits.ShouldBe(0x1d00ffffu);
        target.TopWord.ShouldBe(0x00000000u);
        PowTarget.Create(0x207fffff, ConsensusParams.Regtest).TopWord.ShouldBe(0x7fffff00u);
        Should.Throw<ArgumentException>(() => PowTarget.Create(0x1d010000, ConsensusParams.Main));
    }

    [TestCase(0x22000001u, false, TestName = "Compact bits of size 34 with a one-byte word fit")]
    [TestCase(0x23000001u, true, TestName = "Compact bits of size 35 overflow")]
    [TestCase(0x220000ffu, false, TestName = "Size 34 with word 0xff fits")]
    [TestCase(0x22000100u, true, TestName = "Size 34 with word 0x100 overflows")]
    [TestCase(0x2100ffffu, false, TestName = "Size 33 with word 0xffff fits")]
    [TestCase(0x21010000u, true, TestName = "Size 33 with word 0x10000 overflows")]
    [TestCase(0x207fffffu, false, TestName = "Size 32 with the largest positive word fits")]
    [TestCase(0x23000000u, false, TestName = "A zero word never overflows")]
    public void Compact_bits_overflow_exactly_past_256_bits(uint bits, bool overflows)
    {
        Target.Decode(bits, out _, out var overflow);
        overflow.ShouldBe(overflows);
    }

    [Test]
    public void Block_work_of_a_target_of_one_is_half_of_two_to_the_256()
    {
        Target.GetBlockWork(0x03000001).ShouldBe(System.Numerics.BigInteger.One << 255);
        Target.GetBlockWork(0x03000003).ShouldBe(System.Numerics.BigInteger.One << 254);
    }

    [Test]
    public void A_signature_field_of_exactly_72_bytes_has_a_valid_shape_and_73_do_not()
    {
        Transaction WithSignature(int length) => new([new TxIn(Funding, [.. new byte[length]], [.. Alice.PublicKey.ToBytes()])], [TestData.Pay(Alice, Amount.FromCoins(1))]);

        TransactionValidator.CheckTransaction(WithSignature(DerSignature.MaxSize), P).IsValid.ShouldBeTrue();
        TransactionValidator.CheckTransaction(WithSignature(DerSignature.MaxSize + 1), P).Code.ShouldBe(RejectCodes.Malformed);
    }

    [Test]
    public void A_header_at_a_retarget_height_needs_the_retargeted_bits_not_its_parents()
    {
        var p = ConsensusParams.Devnet;
        const uint parentBits = 0x1e0fffff;
        // The period took twice its target: the target doubles.
        long TimeAt(int height) => height * p.TargetSpacing * 2;
        var required = Difficulty.NextBits(parentBits, TimeAt(0), TimeAt(p.RetargetInterval - 1), p);
        required.ShouldNotBe(parentBits);
        var parent = new ChainContext(p.RetargetInterval - 1, parentBits, TimeAt(p.RetargetInterval - 6), TimeAt);
        var time = (uint)TimeAt(p.RetargetInterval);
        var now = DateTimeOffset.FromUnixTimeSeconds(time);

        BlockValidator.ContextualCheckHeader(new BlockHeader(1, Hash256.Zero, Hash256.Zero, time, required, 0), parent, now, p).IsValid.ShouldBeTrue();
        BlockValidator.ContextualCheckHeader(new BlockHeader(1, Hash256.Zero, Hash256.Zero, time, parentBits, 0), parent, now, p).Code.ShouldBe(RejectCodes.BadDifficultyBits);
    }
}
