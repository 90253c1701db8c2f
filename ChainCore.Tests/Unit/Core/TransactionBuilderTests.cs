using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Wallet;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Core;

[TestFixture, Category("Unit")]
public sealed class TransactionBuilderTests
{
    private static readonly PrivateKey Sender = PrivateKey.FromHex("00000000000000000000000000000000000000000000000000000000000051d0");
    private static readonly Address Receiver = PrivateKey.FromHex("000000000000000000000000000000000000000000000000000000000000be11").PublicKey.ToAddress();

    private static SpendableCoin CoinOf(long coins, int index, bool confirmed = true) =>
        new(new OutPoint(Hash256.Compute([(byte)index]), (uint)index), Amount.FromCoins(coins), confirmed);

    [Test]
    public void Pays_the_amount_returns_exact_change_and_the_fee_is_inputs_minus_outputs()
    {
        var coins = new[] { CoinOf(50, 1), CoinOf(20, 2) };

        var result = TransactionBuilder.Build(Sender, coins, Receiver, Amount.ParseCoins("5"), Amount.ParseCoins("0.1"));

        result.Success.ShouldBeTrue(result.Message);
        var tx = result.Transaction!;
        tx.Inputs.Select(i => i.PreviousOutput).ShouldBe([coins[0].OutPoint]);
        tx.Outputs[0].Value.ShouldBe(Amount.FromCoins(5));
        tx.Outputs[0].PublicKeyHash.ShouldBe([.. Receiver.PublicKeyHash]);
        tx.Outputs[1].Value.ShouldBe(Amount.ParseCoins("44.9"));
        tx.Outputs[1].PublicKeyHash.ShouldBe([.. Sender.PublicKey.ToAddress().PublicKeyHash]);
        (Amount.FromCoins(50) - tx.TotalOutput()).ShouldBe(Amount.ParseCoins("0.1"));
        result.Fee.ShouldBe(Amount.ParseCoins("0.1"));
        for (var i = 0; i < tx.Inputs.Length; i++)
        {
            Sender.PublicKey.Verify(tx.SignatureHash(i).ToBytes(), tx.Inputs[i].Signature.AsSpan()).ShouldBeTrue();
        }
    }

    [Test]
    public void An_exact_coin_is_spent_without_change()
    {
        var coins = new[] { CoinOf(50, 1), CoinOf(6, 2), CoinOf(3, 3) };

        var tx = TransactionBuilder.Build(Sender, coins, Receiver, Amount.FromCoins(5), Amount.FromCoins(1)).Transaction!;

        tx.Inputs.Single().PreviousOutput.ShouldBe(coins[1].OutPoint);
        tx.Outputs.Single().Value.ShouldBe(Amount.FromCoins(5));
    }

    [Test]
    public void Confirmed_coins_are_spent_before_unconfirmed_ones_largest_first()
    {
        var coins = new[] { CoinOf(100, 1, confirmed: false), CoinOf(2, 2), CoinOf(3, 3) };

        var tx = TransactionBuilder.Build(Sender, coins, Receiver, Amount.FromCoins(4), Amount.Zero).Transaction!;

        tx.Inputs.Select(i => i.PreviousOutput).ShouldBe([coins[2].OutPoint, coins[1].OutPoint]);
    }

    [Test]
    public void Insufficient_funds_are_a_refusal_that_says_needed_and_available()
    {
        var result = TransactionBuilder.Build(Sender, [CoinOf(1, 1)], Receiver, Amount.FromCoins(100), Amount.ParseCoins("0.1"));

        result.Success.ShouldBeFalse();
        result.Transaction.ShouldBeNull();
        result.Error.ShouldBe(BuildResult.InsufficientFunds);
        result.Message.ShouldContain("100.10000000");
        result.Message.ShouldContain("1.00000000");
        TransactionBuilder.Build(Sender, [], Receiver, Amount.FromCoins(1), Amount.Zero).Error.ShouldBe(BuildResult.InsufficientFunds);
    }

    [Test]
    public void Invalid_amounts_and_fees_are_refused()
    {
        var coins = new[] { CoinOf(50, 1) };

        TransactionBuilder.Build(Sender, coins, Receiver, Amount.Zero, Amount.Zero).Error.ShouldBe(BuildResult.InvalidAmount);
        TransactionBuilder.Build(Sender, coins, Receiver, new Amount(-5), Amount.Zero).Error.ShouldBe(BuildResult.InvalidAmount);
        TransactionBuilder.Build(Sender, coins, Receiver, Amount.MaxMoney + new Amount(1), Amount.Zero).Error.ShouldBe(BuildResult.InvalidAmount);
        TransactionBuilder.Build(Sender, coins, Receiver, Amount.FromCoins(1), new Amount(-1)).Error.ShouldBe(BuildResult.InvalidFee);
        TransactionBuilder.Build(Sender, coins, [new Payment(Receiver, Amount.MaxMoney), new Payment(Receiver, Amount.MaxMoney)], Amount.Zero).Error.ShouldBe(BuildResult.InvalidAmount);
        TransactionBuilder.Build(Sender, coins, [], Amount.Zero).Error.ShouldBe(BuildResult.InvalidAmount);
    }

    [Test]
    public void Several_payments_go_in_one_transaction()
    {
        var other = PrivateKey.Generate().PublicKey.ToAddress();

        var tx = TransactionBuilder.Build(Sender, [CoinOf(10, 1)], [new Payment(Receiver, Amount.FromCoins(1)), new Payment(other, Amount.FromCoins(2))], Amount.FromCoins(1)).Transaction!;

        tx.Outputs.Select(o => o.Value).ShouldBe([Amount.FromCoins(1), Amount.FromCoins(2), Amount.FromCoins(6)]);
    }

    [Test]
    public void Random_coin_sets_balance_exactly_and_use_no_more_coins_than_largest_first_needs()
    {
        var random = TestSeed.NewRandom(42);
        for (var round = 0; round < 300; round++)
        {
            var coins = Enumerable.Range(0, random.Next(1, 12))
                .Select(i => new SpendableCoin(new OutPoint(TestData.RandomHash(random), (uint)i), new Amount(random.NextInt64(1, 1_000_000_000)), random.Next(3) > 0))
                .ToList();
            var total = coins.Sum(c => c.Value.Units);
            var amount = new Amount(random.NextInt64(1, total + 1));
            var fee = new Amount(random.NextInt64(0, 10_000));

            var result = TransactionBuilder.Build(Sender, coins, Receiver, amount, fee);

            if (amount.Units + fee.Units > total)
            {
                result.Error.ShouldBe(BuildResult.InsufficientFunds);
                continue;
            }

            var tx = result.Transaction.ShouldNotBeNull();
            var spent = tx.Inputs.Sum(i => coins.Single(c => c.OutPoint == i.PreviousOutput).Value.Units);
            (spent - tx.TotalOutput().Units).ShouldBe(fee.Units);
            tx.Outputs[0].Value.ShouldBe(amount);
            var withoutLast = spent - coins.Single(c => c.OutPoint == tx.Inputs[^1].PreviousOutput).Value.Units;
            if (tx.Inputs.Length > 1)
            {
                withoutLast.ShouldBeLessThan(amount.Units + fee.Units, "the last coin selected was needed");
            }
        }
    }

    [Test]
    public void Wallet_hands_the_builder_only_outputs_the_node_says_are_spendable()
    {
        var mature = new UtxoResponse(Hash256.Compute([1]).ToString(), 0, 50m, 1, Coinbase: true, Confirmed: true, MatureAtHeight: 100, Spendable: true);
        var immature = new UtxoResponse(Hash256.Compute([2]).ToString(), 0, 50m, 2, Coinbase: true, Confirmed: true, MatureAtHeight: 101, Spendable: false);
        var change = new UtxoResponse(Hash256.Compute([3]).ToString(), 1, 2.5m, null, Coinbase: false, Confirmed: false);
        var utxos = new AddressUtxosResponse(Sender.PublicKey.ToAddress().ToString(), [immature, mature, change], TipHeight: 100);

        var coins = WalletClient.SpendableCoins(utxos);

        coins.Select(c => c.OutPoint.TxId.ToString()).ShouldBe([mature.TxId, change.TxId]);
        coins.Select(c => (c.Value, c.Confirmed)).ShouldBe([(Amount.FromCoins(50), true), (Amount.ParseCoins("2.5"), false)]);
        TransactionBuilder.Build(Sender, coins, Receiver, Amount.FromCoins(51), Amount.ParseCoins("0.1"))
            .Transaction.ShouldNotBeNull().Inputs.Select(i => i.PreviousOutput.TxId.ToString()).ShouldBe([mature.TxId, change.TxId]);
    }
}
