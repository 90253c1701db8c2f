using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Mining;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Mining;

[TestFixture, Category("Integration"), Category("Mining")]
public sealed class MiningClientTests : NodeTestBase
{
    [Test]
    public async Task Template_mined_and_submitted_by_the_client_extends_the_chain()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        var payee = PrivateKey.Generate().PublicKey.ToAddress();
        var client = new MiningClient(node.Client, payee, workers: 2);

        var template = await client.GetMiningTemplateAsync();
        var block = await client.MineBlockAsync(template, TimeSpan.FromSeconds(30));
        var submitted = await client.SubmitBlockAsync(block!);

        submitted.Accepted.ShouldBeTrue(submitted.Message);
        template.Height.ShouldBe(1);
        Target.CheckProofOfWork(block!.Hash, block.Header.Bits, ConsensusParams.Regtest).ShouldBeTrue();
        (await node.StatusAsync()).TipHash.ShouldBe(block.Hash.ToString());
        client.BlocksFound.ShouldBe(1);
    }

    [Test]
    public async Task Mining_for_a_duration_reports_hashes_rate_and_accepted_blocks([Values] StoreKind store)
    {
        await using var node = await StartNodeAsync(store);
        var payee = PrivateKey.Generate().PublicKey.ToAddress();
        var client = new MiningClient(node.Client, payee, workers: 1);

        var result = await client.MineForDurationAsync(TimeSpan.FromSeconds(1));

        result.Blocks.ShouldBeGreaterThan(0);
        result.Hashes.ShouldBeGreaterThanOrEqualTo(result.Blocks);
        result.HashRate.ShouldBeGreaterThan(0);
        // The timer that ends the run reads a coarse clock (on Linux CLOCK_MONOTONIC_COARSE, one kernel
        // tick of 1 to 10 ms): it may fire up to one such tick early by the stopwatch (2.7 ms was seen).
        result.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(10));
        (await node.StatusAsync()).TipHeight.ShouldBe(result.Blocks);

        var stats = await node.Client.GetMiningStatsAsync();
        stats.TotalBlocks.ShouldBe(result.Blocks);
        var mine = stats.Miners.ShouldHaveSingleItem();
        mine.MinerAddress.ShouldBe(payee.ToString());
        mine.Blocks.ShouldBe(result.Blocks);
        mine.LastHeight.ShouldBe(result.Blocks);
        mine.Rewards.ShouldBe(Enumerable.Range(1, result.Blocks).Sum(h => Subsidy.ForHeight(h, ConsensusParams.Regtest).ToCoins()));
        stats.Recent[0].Height.ShouldBe(result.Blocks);
    }

    [Test]
    public async Task Mine_block_gives_up_after_its_timeout_on_a_template_nothing_solves()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        var client = new MiningClient(node.Client, PrivateKey.Generate().PublicKey.ToAddress(), workers: 1);
        var template = await client.GetMiningTemplateAsync();
        var hard = MiningTemplate.Create(template.Block, template.Height, PowTarget.FromValue(Core.Primitives.Hash256.Zero));

        var block = await client.MineBlockAsync(hard, TimeSpan.FromMilliseconds(300));

        block.ShouldBeNull();
        client.Hashes.ShouldBeGreaterThan(0);
    }

    [Test]
    public async Task Long_poll_answers_when_the_tip_moves()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        var payee = PrivateKey.Generate().PublicKey.ToAddress().ToString();
        var tip = (await node.StatusAsync()).TipHash;

        var poll = node.Client.GetMiningTemplateAsync(payee, tip);
        poll.IsCompleted.ShouldBeFalse();
        var mined = await node.MineAsync(1, payee);

        var template = await poll.WaitAsync(Timeouts.Scale(TimeSpan.FromSeconds(10)));
        template.PreviousBlockHash.ShouldBe(mined[0].Hash);
        template.Height.ShouldBe(2);
    }

    [Test]
    public async Task Long_poll_on_an_old_tip_answers_at_once()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        var payee = PrivateKey.Generate().PublicKey.ToAddress().ToString();
        var old = (await node.StatusAsync()).TipHash;
        await node.MineAsync(1, payee);

        var template = await node.Client.GetMiningTemplateAsync(payee, old).WaitAsync(Timeouts.Scale(TimeSpan.FromSeconds(10)));

        template.Height.ShouldBe(2);
    }

    [Test]
    public async Task Long_poll_with_a_malformed_tip_is_refused()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        var payee = PrivateKey.Generate().PublicKey.ToAddress().ToString();

        var refused = await Should.ThrowAsync<NodeApiException>(() => node.Client.GetMiningTemplateAsync(payee, "not-a-hash"));

        refused.Status.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        refused.Code.ShouldBe(RejectCodes.Malformed);
    }
}
