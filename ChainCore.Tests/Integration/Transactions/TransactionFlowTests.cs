using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Transactions;

/// <summary>The testing plan's transaction flows, with exact integer balances.</summary>
[TestFixture, Category("Integration"), Category("Database")]
public sealed class TransactionFlowTests : NodeTestBase
{
    private const int RegtestMaturity = 100;
    private static readonly Amount Fee = Amount.ParseCoins("0.1");

    /// <summary>At regtest's real maturity: 101 blocks leave the sender two spendable coinbases (heights 1 and 2).</summary>
    [Test]
    public async Task Wallet_to_wallet_transfer_moves_exact_amounts_once_mined()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: RegtestMaturity);
        var sender = Wallets.NewWallet();
        var receiver = Wallets.NewWallet();
        var bystander = Wallets.NewWallet();
        await node.MineAsync(RegtestMaturity + 1, sender.Address.ToString());
        var senderClient = Wallets.ClientFor(node, sender);
        var receiverClient = Wallets.ClientFor(node, receiver);
        var initial = await senderClient.GetBalanceAsync();
        initial.ShouldBe(Amount.FromCoins(100));
        (await receiverClient.GetBalanceAsync()).ShouldBe(Amount.Zero);

        var sent = await senderClient.SendTransactionAsync(receiver.Address, Amount.FromCoins(5), Fee);
        sent.Accepted.ShouldBeTrue(sent.Message);
        (await node.Client.GetBalanceAsync(receiver.Address.ToString())).Pending.ShouldBe(5m);
        await node.MineAsync(1, bystander.Address.ToString());

        // The new block also matures the sender's coinbase of height 3.
        (await senderClient.GetBalanceAsync()).ShouldBe(initial + Amount.FromCoins(50) - Amount.FromCoins(5) - Fee);
        (await receiverClient.GetBalanceAsync()).ShouldBe(Amount.FromCoins(5));
        var bystanderBalance = await node.Client.GetBalanceAsync(bystander.Address.ToString());
        bystanderBalance.Confirmed.ShouldBe(0m);
        bystanderBalance.Immature.ShouldBe(50.1m, "the subsidy and the fee, in a coinbase that must wait");
        (await node.Client.GetMempoolAsync()).Count.ShouldBe(0);
    }

    [Test]
    public async Task Insufficient_funds_are_refused_and_nothing_is_sent()
    {
        await using var node = await StartNodeAsync();
        var empty = Wallets.NewWallet();
        var client = Wallets.ClientFor(node, empty);

        var result = await client.SendTransactionAsync(Wallets.NewWallet().Address, Amount.FromCoins(100), Fee);

        result.Accepted.ShouldBeFalse();
        result.Code.ShouldBe("insufficient-funds");
        (await node.Client.GetMempoolAsync()).Count.ShouldBe(0);
        (await node.StatusAsync()).MempoolSize.ShouldBe(0);
    }

    [Test]
    public async Task Three_payments_in_a_row_leave_the_exact_balance()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: RegtestMaturity);
        var sender = Wallets.NewWallet();
        await node.MineAsync(RegtestMaturity + 1, sender.Address.ToString());
        var client = Wallets.ClientFor(node, sender);
        var initial = await client.GetBalanceAsync();
        var payments = new[] { Amount.ParseCoins("1.0"), Amount.ParseCoins("1.5"), Amount.ParseCoins("2.0") };
        var recipients = payments.Select(_ => Wallets.NewWallet()).ToArray();

        for (var i = 0; i < payments.Length; i++)
        {
            var result = await client.SendTransactionAsync(recipients[i].Address, payments[i], Fee);
            result.Accepted.ShouldBeTrue(result.Message);
        }

        (await node.Client.GetMempoolAsync()).Count.ShouldBe(3);
        await node.MineAsync(1, Wallets.NewWallet().Address.ToString());

        var totalSent = payments.Aggregate(Amount.Zero, (a, b) => a + b);
        var matured = Amount.FromCoins(50);
        (await client.GetBalanceAsync()).ShouldBe(initial + matured - totalSent - Fee - Fee - Fee);
        for (var i = 0; i < payments.Length; i++)
        {
            (await node.Client.GetBalanceAsync(recipients[i].Address.ToString())).Confirmed.ShouldBe(payments[i].ToCoins());
        }
    }

    [Test]
    public async Task Double_spend_of_a_pooled_output_is_refused_first_seen_wins()
    {
        await using var node = await StartNodeAsync();
        var sender = Wallets.NewWallet();
        await node.MineAsync(2, sender.Address.ToString());
        var utxo = (await node.Client.GetUtxosAsync(sender.Address.ToString())).Utxos[0];
        var outPoint = new OutPoint(Hash256.Parse(utxo.TxId), utxo.Index);
        var first = Wallets.Spend(sender, outPoint, Amount.FromCoins(50), Wallets.NewWallet().Address, Fee);
        var second = Wallets.Spend(sender, outPoint, Amount.FromCoins(50), Wallets.NewWallet().Address, Fee + Fee);

        (await node.Client.SubmitTransactionAsync(first)).Accepted.ShouldBeTrue();
        var refused = await node.Client.SubmitTransactionAsync(second);

        refused.Accepted.ShouldBeFalse();
        refused.Code.ShouldBe(RejectCodes.DoubleSpend);
        (await node.Client.SubmitTransactionAsync(first)).Code.ShouldBe(RejectCodes.AlreadyKnown);
        (await node.Client.GetMempoolAsync()).Transactions.Single().TxId.ShouldBe(first.TxId.ToString());
    }

    /// <summary>A coinbase of height 1 may go in block 101 (100 confirmations), so the mempool takes its spend at tip 100, not before.</summary>
    [Test]
    public async Task Spending_an_immature_coinbase_is_refused()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: RegtestMaturity);
        var sender = Wallets.NewWallet();
        await node.MineAsync(1, sender.Address.ToString());
        var utxo = (await node.Client.GetUtxosAsync(sender.Address.ToString())).Utxos[0];
        var spend = Wallets.Spend(sender, new OutPoint(Hash256.Parse(utxo.TxId), utxo.Index), Amount.FromCoins(50), Wallets.NewWallet().Address, Fee);

        (await node.Client.SubmitTransactionAsync(spend)).Code.ShouldBe(RejectCodes.ImmatureCoinbase);
        await node.MineAsync(RegtestMaturity - 2, Wallets.NewWallet().Address.ToString());
        (await node.Client.SubmitTransactionAsync(spend)).Code.ShouldBe(RejectCodes.ImmatureCoinbase, "at tip 99 the spend would go in block 100: 99 confirmations");
        await node.MineAsync(1, Wallets.NewWallet().Address.ToString());
        (await node.Client.SubmitTransactionAsync(spend)).Accepted.ShouldBeTrue();
    }

    [Test]
    public async Task A_fee_below_the_relay_minimum_is_refused()
    {
        await using var node = await StartNodeAsync();
        var sender = Wallets.NewWallet();
        await node.MineAsync(2, sender.Address.ToString());
        var utxo = (await node.Client.GetUtxosAsync(sender.Address.ToString())).Utxos[0];
        var spend = Wallets.Spend(sender, new OutPoint(Hash256.Parse(utxo.TxId), utxo.Index), Amount.FromCoins(50), Wallets.NewWallet().Address, new Amount(1));

        var refused = await node.Client.SubmitTransactionAsync(spend);

        refused.Code.ShouldBe(RejectCodes.FeeTooLow);
        (await node.Client.GetMempoolAsync()).Count.ShouldBe(0);
    }
}
