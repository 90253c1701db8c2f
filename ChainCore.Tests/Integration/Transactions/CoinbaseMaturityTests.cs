using System.Text.Json;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Transactions;

/// <summary>
/// Coinbase maturity as a user meets it, at regtest's real maturity (100). A coinbase from height h
/// may be spent by a block at h + 100, so the node accepts the spend once its tip is at h + 99: that
/// height is the output's <c>mature_at_height</c>.
/// </summary>
[TestFixture, Category("Integration"), Category("Database")]
public sealed class CoinbaseMaturityTests : NodeTestBase
{
    private const int Maturity = 100;
    private static readonly Amount Fee = Amount.ParseCoins("0.1");

    [Test]
    public async Task A_new_user_who_mined_101_blocks_sends_7_coins_from_the_mature_outputs()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var user = Wallets.NewWallet();
        var friend = Wallets.NewWallet();
        await node.MineAsync(101, user.Address.ToString());
        var wallet = Wallets.ClientFor(node, user);

        var sent = await wallet.SendTransactionAsync(friend.Address, Amount.FromCoins(7), Fee);

        sent.Accepted.ShouldBeTrue(sent.Message);
        var pooled = (await node.Client.GetMempoolAsync()).Transactions.ShouldHaveSingleItem();
        pooled.TxId.ShouldBe(sent.Id);
        (await node.Client.GetBalanceAsync(friend.Address.ToString())).Pending.ShouldBe(7m);
        await node.MineAsync(1, Wallets.NewWallet().Address.ToString());
        (await node.Client.GetBalanceAsync(friend.Address.ToString())).Confirmed.ShouldBe(7m);
    }

    [Test]
    public async Task Balance_counts_only_mature_coinbase_as_confirmed_and_the_rest_as_immature()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var miner = Wallets.NewWallet().Address.ToString();

        await node.MineAsync(Maturity, miner);

        var balance = await node.Client.GetBalanceAsync(miner);
        balance.TipHeight.ShouldBe(Maturity);
        balance.Confirmed.ShouldBe(50m, "only the coinbase of height 1 is spendable at tip 100");
        balance.Immature.ShouldBe(50m * (Maturity - 1));
        balance.Pending.ShouldBe(0m);
        balance.Total.ShouldBe(50m);

        await node.MineAsync(1, miner);

        var next = await node.Client.GetBalanceAsync(miner);
        next.Confirmed.ShouldBe(100m);
        next.Immature.ShouldBe(50m * (Maturity - 1));
    }

    [Test]
    public async Task Utxos_say_which_coinbase_outputs_are_immature_and_from_which_height_they_can_be_spent()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var miner = Wallets.NewWallet();
        await node.MineAsync(Maturity, miner.Address.ToString());

        var utxos = await node.Client.GetUtxosAsync(miner.Address.ToString());

        utxos.TipHeight.ShouldBe(Maturity);
        utxos.Utxos.Count.ShouldBe(Maturity);
        utxos.Utxos.ShouldAllBe(u => u.Coinbase && u.Confirmed && u.MatureAtHeight == u.Height + Maturity - 1);
        utxos.Utxos.Where(u => u.Spendable).Select(u => u.Height).ShouldBe([1]);

        // The flags say what the node does: the next output is refused as immature, the mature one is accepted.
        var payee = Wallets.NewWallet().Address;
        var immature = utxos.Utxos.Single(u => u.Height == 2);
        var early = Wallets.Spend(miner, new OutPoint(Hash256.Parse(immature.TxId), immature.Index), Amount.FromCoins(50), payee, Fee);
        (await node.Client.SubmitTransactionAsync(early)).Code.ShouldBe(RejectCodes.ImmatureCoinbase);
        var mature = utxos.Utxos.Single(u => u.Spendable);
        var spend = Wallets.Spend(miner, new OutPoint(Hash256.Parse(mature.TxId), mature.Index), Amount.FromCoins(50), payee, Fee);
        (await node.Client.SubmitTransactionAsync(spend)).Accepted.ShouldBeTrue();
    }

    [Test]
    public async Task Coin_selection_skips_immature_coinbase_outputs()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var user = Wallets.NewWallet();
        await node.MineAsync(Maturity + 1, user.Address.ToString());
        var wallet = Wallets.ClientFor(node, user);

        // Tip 101: the coinbases of heights 1 and 2 are mature, 99 others are not; this needs both mature ones.
        var sent = await wallet.SendTransactionAsync(Wallets.NewWallet().Address, Amount.ParseCoins("99.9"), Fee);

        sent.Accepted.ShouldBeTrue(sent.Message);
        var tx = await node.Client.GetTransactionAsync(Hash256.Parse(sent.Id!));
        var spentHeights = new List<int?>();
        foreach (var input in tx.Inputs)
        {
            spentHeights.Add((await node.Client.GetTransactionAsync(Hash256.Parse(input.PreviousTxId))).BlockHeight);
        }

        spentHeights.Order().ShouldBe([1, 2]);
    }

    [Test]
    public async Task Payments_in_a_row_never_reuse_an_output_already_spent_in_the_mempool()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var user = Wallets.NewWallet();
        await node.MineAsync(Maturity + 1, user.Address.ToString());
        var wallet = Wallets.ClientFor(node, user);

        var results = new List<Core.Api.SubmitResult>();
        foreach (var coins in new[] { 40, 40, 15 })
        {
            results.Add(await wallet.SendTransactionAsync(Wallets.NewWallet().Address, Amount.FromCoins(coins), Fee));
        }

        results.ShouldAllBe(r => r.Accepted, string.Join("; ", results.Select(r => r.Message)));
        (await node.Client.GetMempoolAsync()).Count.ShouldBe(3);
        var balance = await node.Client.GetBalanceAsync(user.Address.ToString());
        balance.Total.ShouldBe(100m - 95m - 0.3m);
    }

    [Test]
    public async Task Balance_pending_shows_what_the_mempool_pays_in_and_takes_out()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var user = Wallets.NewWallet();
        var friend = Wallets.NewWallet();
        await node.MineAsync(Maturity, user.Address.ToString());

        var sent = await Wallets.ClientFor(node, user).SendTransactionAsync(friend.Address, Amount.FromCoins(7), Fee);

        sent.Accepted.ShouldBeTrue(sent.Message);
        var mine = await node.Client.GetBalanceAsync(user.Address.ToString());
        mine.Confirmed.ShouldBe(50m);
        mine.Immature.ShouldBe(50m * (Maturity - 1));
        mine.PendingOutgoing.ShouldBe(50m);
        mine.PendingIncoming.ShouldBe(42.9m);
        mine.Pending.ShouldBe(-7.1m);
        mine.Total.ShouldBe(42.9m);
        var theirs = await node.Client.GetBalanceAsync(friend.Address.ToString());
        theirs.Confirmed.ShouldBe(0m);
        theirs.PendingIncoming.ShouldBe(7m);
        theirs.PendingOutgoing.ShouldBe(0m);
        theirs.Total.ShouldBe(7m);
    }

    [Test]
    public async Task Only_immature_coins_is_insufficient_funds_saying_when_they_mature_and_nothing_is_sent()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var user = Wallets.NewWallet();
        await node.MineAsync(Maturity - 1, user.Address.ToString());

        var refused = await Wallets.ClientFor(node, user).SendTransactionAsync(Wallets.NewWallet().Address, Amount.FromCoins(1), Fee);

        refused.Accepted.ShouldBeFalse();
        refused.Code.ShouldBe("insufficient-funds");
        refused.Message!.ShouldContain("immature");
        refused.Message!.ShouldContain($"height {Maturity}");
        (await node.Client.GetMempoolAsync()).Count.ShouldBe(0);
    }

    [Test]
    public async Task Json_names_the_maturity_fields_in_snake_case()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var miner = Wallets.NewWallet().Address.ToString();
        await node.MineAsync(2, miner);

        using var balance = JsonDocument.Parse(await node.Http.GetStringAsync(new Uri($"/addresses/{miner}/balance", UriKind.Relative)));
        using var utxos = JsonDocument.Parse(await node.Http.GetStringAsync(new Uri($"/addresses/{miner}/utxos", UriKind.Relative)));

        var b = balance.RootElement;
        (b.GetProperty("confirmed").GetDecimal(), b.GetProperty("immature").GetDecimal(), b.GetProperty("pending").GetDecimal()).ShouldBe((0m, 100m, 0m));
        (b.GetProperty("pending_incoming").GetDecimal(), b.GetProperty("pending_outgoing").GetDecimal(), b.GetProperty("total").GetDecimal()).ShouldBe((0m, 0m, 0m));
        b.GetProperty("tip_height").GetInt32().ShouldBe(2);
        utxos.RootElement.GetProperty("tip_height").GetInt32().ShouldBe(2);
        var first = utxos.RootElement.GetProperty("utxos").EnumerateArray().Single(u => u.GetProperty("height").GetInt32() == 1);
        first.GetProperty("coinbase").GetBoolean().ShouldBeTrue();
        first.GetProperty("mature_at_height").GetInt32().ShouldBe(Maturity);
        first.GetProperty("spendable").GetBoolean().ShouldBeFalse();
    }
}
