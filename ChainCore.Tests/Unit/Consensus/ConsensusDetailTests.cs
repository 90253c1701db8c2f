using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Fixtures;

namespace ChainCore.Tests.Unit.Consensus;

/// <summary>
/// What the consensus code says and whom it asks, beyond valid or not: the words of its refusals, the
/// verifier a caller hands it, the coins a layered view hides and shows again, the eviction order of
/// the signature cache. A caller or an operator reads these; a change to them is a change of behaviour.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ConsensusDetailTests
{
    private static readonly ConsensusParams P = ConsensusParams.Regtest with { CoinbaseMaturity = 10 };
    private static readonly PrivateKey Alice = TestData.AliceKey;
    private static readonly OutPoint Mined = new(Hash256.Compute("coinbase"u8), 0);
    private static readonly OutPoint Funding = new(Hash256.Compute("funding"u8), 0);

    private static Coin AliceCoin(long coins, int height = 1, bool coinbase = false) => new(TestData.Pay(Alice, Amount.FromCoins(coins)), height, coinbase);

    [Test]
    public void A_verdict_reads_valid_or_its_code_category_and_message()
    {
        ValidationResult.Ok.ToString().ShouldBe("valid");
        ValidationResult.Invalid(RejectCodes.NoInputs, "The transaction has no inputs.").ToString()
            .ShouldBe($"{RejectCodes.NoInputs} (Invalid): The transaction has no inputs.");
    }

    [Test]
    public void Targets_are_equal_when_value_and_bits_are_and_not_otherwise()
    {
        var a = PowTarget.Create(P.PowLimitBits, P);
        var same = PowTarget.Create(P.PowLimitBits, P);
        var lower = PowTarget.Create(0x1f0fffff, P);

        (a == same).ShouldBeTrue();
        (a != same).ShouldBeFalse();
        a.Equals((object)same).ShouldBeTrue();
        (a == lower).ShouldBeFalse();
        (a != lower).ShouldBeTrue();
        (a == PowTarget.FromValue(a.Value)).ShouldBeFalse("same value, other bits");
        a.GetHashCode().ShouldBe(same.GetHashCode());
        Should.Throw<ArgumentException>(() => PowTarget.Create(0x1d80ffff, P)).Message.ShouldContain("Bits 0x1d80ffff are not a usable target on regtest");
    }

    [Test]
    public void Refusals_say_what_was_wrong()
    {
        Should.Throw<ArgumentException>(() => MedianTimePast.Compute([])).Message.ShouldContain("At least one block time is needed");
        Should.Throw<ArgumentException>(() => ConsensusParams.FromName("moon")).Message.ShouldContain("Unknown network 'moon'. Known: main, devnet, regtest.");
        Should.Throw<ArgumentException>(() => Coinbase.Create(1, new byte[20], Amount.FromCoins(1), new byte[Coinbase.MaxDataSize]))
            .Message.ShouldContain($"Coinbase data is at most {Coinbase.MaxDataSize} bytes");
        Should.Throw<OverflowException>(() => Target.FromCompact(0xff123456)).Message.ShouldBe("Compact bits 0xff123456 overflow 256 bits.");
    }

    [Test]
    public void A_block_may_be_two_hours_ahead_of_the_clock_on_every_network()
    {
        ConsensusParams.All.ShouldAllBe(p => p.MaxFutureBlockTime == 7_200);
    }

    [Test]
    public void Undo_data_claiming_more_coins_than_its_bytes_can_hold_is_refused_before_reading_them()
    {
        var one = new BlockUndo([new SpentCoin(Funding, AliceCoin(1))]).Serialize();
        // Two coins claimed, one byte short of even one more than is there: the count alone is refused.
        var claimsTwo = one.ToArray();
        claimsTwo[0] = 2;

        var shortOfOne = one[..^1];

        Should.Throw<FormatException>(() => BlockUndo.Parse(claimsTwo)).Message.ShouldContain("Item count 2 exceeds");
        Should.Throw<FormatException>(() => BlockUndo.Parse(shortOfOne)).Message.ShouldContain("Item count 1 exceeds what the remaining 68 bytes can hold");
        BlockUndo.Parse(one).SpentCoins.ShouldHaveSingleItem().OutPoint.ShouldBe(Funding);
    }

    [Test]
    public void Undo_data_with_a_coinbase_flag_other_than_0_or_1_is_refused()
    {
        var bytes = new BlockUndo([new SpentCoin(Funding, AliceCoin(1))]).Serialize();
        bytes[^1] = 2;

        Should.Throw<FormatException>(() => BlockUndo.Parse(bytes)).Message.ShouldBe("Bad coinbase flag in undo data.");
    }

    [Test]
    public void An_immature_coinbase_spend_says_how_many_confirmations_it_has()
    {
        var view = new DictionaryUtxoView(new Dictionary<OutPoint, Coin> { [Mined] = AliceCoin(50, height: 100, coinbase: true) });
        var spend = TestData.Spend(Alice, [Mined], [TestData.Pay(Alice, Amount.FromCoins(49))]);

        TransactionValidator.CheckInputs(spend, view, 103, P, out _).Message
            .ShouldBe($"Coinbase output {Mined} from height 100 needs 10 confirmations; spending at 103 gives 3.");
    }

    [Test]
    public void A_transaction_check_uses_the_callers_verifier_and_fills_its_cache()
    {
        var view = new DictionaryUtxoView(new Dictionary<OutPoint, Coin> { [Funding] = AliceCoin(2) });
        var spend = TestData.Spend(Alice, [Funding], [TestData.Pay(Alice, Amount.FromCoins(1))]);
        var cache = new SignatureCache();

        TransactionValidator.CheckInputs(spend, view, 5, P, out _, new SignatureVerifier(cache)).IsValid.ShouldBeTrue();

        cache.Contains(spend.TxId, 0).ShouldBeTrue("the verifier the caller gave checked the signature");
    }

    [Test]
    public void A_block_check_uses_the_callers_verifier_whose_cache_vouches_for_an_input()
    {
        var view = new DictionaryUtxoView(new Dictionary<OutPoint, Coin> { [Funding] = AliceCoin(2) });
        var signed = TestData.Spend(Alice, [Funding], [TestData.Pay(Alice, Amount.FromCoins(1))]);
        // The same spend with its signature's last byte changed: invalid, unless a cache vouches for it.
        var input = signed.Inputs[0];
        var forged = new Transaction([new TxIn(input.PreviousOutput, [.. input.Signature.SetItem(input.Signature.Length - 1, (byte)(input.Signature[^1] ^ 1))], input.PublicKey)], signed.Outputs);
        var block = TestData.MineBlock(Hash256.Compute("parent"u8), 5, 1_000, [forged], Subsidy.ForHeight(5, P) + Amount.FromCoins(1), P);
        var cache = new SignatureCache();
        cache.Add(forged.TxId, 0);

        BlockValidator.ConnectBlock(block, 5, view, P, out _).Code.ShouldBe(RejectCodes.BadSignature);
        BlockValidator.ConnectBlock(block, 5, view, P, out var undo, new SignatureVerifier(cache)).IsValid.ShouldBeTrue();
        undo.SpentCoins.ShouldHaveSingleItem().OutPoint.ShouldBe(Funding);
    }

    [Test]
    public void A_spent_coin_of_the_base_view_stays_hidden_until_an_output_recreates_it()
    {
        var baseCoin = AliceCoin(3);
        var cache = new UtxoCache(new DictionaryUtxoView(new Dictionary<OutPoint, Coin> { [Funding] = baseCoin }));

        cache.Spend(Funding).ShouldBe(baseCoin);
        cache.GetCoin(Funding).ShouldBeNull();
        cache.Spend(Funding).ShouldBeNull("spent once already");

        // A transaction whose first output is that very outpoint (a duplicate transaction id) shows it again.
        var again = new Transaction([new TxIn(Mined, [], [])], [TestData.Pay(Alice, Amount.FromCoins(4))]);
        var recreated = new UtxoCache(new DictionaryUtxoView(new Dictionary<OutPoint, Coin> { [new OutPoint(again.TxId, 0)] = baseCoin }));
        recreated.Spend(new OutPoint(again.TxId, 0)).ShouldBe(baseCoin);
        recreated.AddOutputs(again, 7);
        recreated.GetCoin(new OutPoint(again.TxId, 0)).ShouldBe(new Coin(TestData.Pay(Alice, Amount.FromCoins(4)), 7, false));
        Should.Throw<ArgumentNullException>(() => recreated.AddOutputs(null!, 7));
    }

    [Test]
    public void The_signature_cache_evicts_its_oldest_entry_and_a_repeated_add_does_not_count_twice()
    {
        var (a, b, c, d) = (Hash256.Compute("a"u8), Hash256.Compute("b"u8), Hash256.Compute("c"u8), Hash256.Compute("d"u8));
        var cache = new SignatureCache(capacity: 2);

        cache.Add(a, 0);
        cache.Add(a, 0);
        cache.Add(b, 0);
        cache.Add(c, 0);
        cache.Add(d, 0);

        cache.Count.ShouldBe(2);
        cache.Contains(c, 0).ShouldBeTrue();
        cache.Contains(d, 0).ShouldBeTrue();
        cache.Contains(b, 0).ShouldBeFalse("b was the oldest once a had gone");
        cache.Contains(d, 1).ShouldBeFalse("another input of the same transaction");
    }
}
