using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Storage;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// What the chain state keeps beside the chain, which no answer shows but memory and time do: the
/// candidate tips (only those with at least the tip's work stay), the signature checks started for
/// a block while it is stored, the coin cache after a store failure, and the calls a new chain makes
/// to its store.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ChainStateBookkeepingTests : EngineTestBase
{
    private ChainState State => Engine.State;

    [Test]
    public async Task Only_the_tip_and_heavier_tips_the_store_could_not_connect_stay_candidates()
    {
        State.CandidateCount.ShouldBe(1, "genesis");
        var a1 = (await Kit.MineAsync(1))[0];
        State.CandidateCount.ShouldBe(1, "genesis has less work than the tip");

        (await Engine.ProcessBlockAsync(Kit.On(Kit.Params.Genesis, 0, extraNonce: 1))).BecameTip.ShouldBeFalse();
        State.CandidateCount.ShouldBe(1, "a branch as heavy as the tip but seen later never wins; only a child of it can");

        var a2 = Kit.On(a1, 1);
        Kit.Store.FailOnce("connect:spends");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(a2));
        State.CandidateCount.ShouldBe(2, "the block the store failed on has more work: the next change tries it again");

        await Kit.ProcessAllAsync([Kit.On(a2, 2)]);
        State.CandidateCount.ShouldBe(1);
        Kit.Tip.Height.ShouldBe(3);

        using var restarted = Kit.Restart();
        await restarted.InitializeAsync();
        restarted.State.CandidateCount.ShouldBe(1, "a restart keeps only the best stored tip");
        restarted.Tip.Hash.ShouldBe(Kit.Tip.Hash);
    }

    [Test]
    public async Task An_invalid_block_and_its_stored_descendants_stop_being_candidates()
    {
        var overpaying = Kit.Next(fees: new Amount(1));
        var child = Kit.On(overpaying, 1);
        (await Engine.ProcessBlockAsync(child)).Status.ShouldBe(BlockStatus.Orphan);

        (await Engine.ProcessBlockAsync(overpaying)).Code.ShouldBe(RejectCodes.BadCoinbaseAmount);

        Engine.GetEntry(child.Hash)!.InvalidReason.ShouldBe(RejectCodes.BadPrevBlock);
        State.CandidateCount.ShouldBe(1, "only genesis, the tip, is left");
        Kit.Tip.ShouldBeSameAs(Kit.Genesis);
    }

    [Test]
    public async Task A_block_extending_the_tip_has_its_signatures_checked_while_it_is_stored_and_a_side_block_does_not()
    {
        var funding = (await Kit.MineAsync(1))[0];
        var fork = Kit.Tip;
        await Kit.MineAsync(1);
        var startedAtInsert = new List<int>();
        Kit.Store.Failpoint = step =>
        {
            if (step == "insert")
            {
                startedAtInsert.Add(State.StartedSignatureChecks);
            }

            return Task.CompletedTask;
        };
        var payment = EngineKit.Pay(Kit.Miner, funding.Transactions[0], Kit.Miner, Fee);

        (await Engine.ProcessBlockAsync(Kit.Next(transactions: [payment], fees: Fee))).BecameTip.ShouldBeTrue();
        (await Engine.ProcessBlockAsync(Kit.Next(fork, [payment], Fee, extraNonce: 3))).BecameTip.ShouldBeFalse();

        startedAtInsert.ShouldBe([1, 0]);
        State.StartedSignatureChecks.ShouldBe(0, "joined when the block connected");
    }

    // The cache is emptied when the store fails connecting (ChainStateTests), committing or disconnecting:
    // the update may have left coins the cache does not know of.
    [Test]
    public async Task After_the_store_failed_a_commit_the_coins_of_earlier_blocks_are_read_from_the_store_again()
    {
        var funding = (await Kit.MineAsync(1))[0];
        var payment = EngineKit.Pay(Kit.Miner, funding.Transactions[0], Kit.Miner, Fee);
        var spending = Kit.Next(transactions: [payment], fees: Fee);
        await Kit.ProcessAllAsync([spending]);
        var failing = Kit.Next();
        Kit.Store.FailOnce("commit");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(failing));
        var steps = Kit.Store.RecordSteps();

        await Kit.ProcessAllAsync([Kit.On(failing, 3, [EngineKit.Pay(Kit.Miner, payment, Kit.Miner, Fee)], Fee)]);

        Kit.Tip.Height.ShouldBe(4);
        steps.ShouldContain("get-coins");
    }

    [Test]
    public async Task After_the_store_failed_a_disconnect_the_coins_of_the_tip_are_read_from_the_store_again()
    {
        var funding = (await Kit.MineAsync(1))[0];
        var fork = Kit.Tip;
        var payment = EngineKit.Pay(Kit.Miner, funding.Transactions[0], Kit.Miner, Fee);
        var spending = Kit.Next(transactions: [payment], fees: Fee);
        await Kit.ProcessAllAsync([spending]);
        var side = BlockFactory.Branch(fork, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 4);
        await Kit.ProcessAllAsync(side.Take(1));
        Kit.Store.FailOnce("disconnect:outputs");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => Engine.ProcessBlockAsync(side[1]));
        Kit.Tip.Hash.ShouldBe(spending.Hash);
        var empty = Kit.On(spending, 2);
        var change = Kit.On(empty, 3, [EngineKit.Pay(Kit.Miner, payment, Kit.Miner, Fee)], Fee);
        (await Engine.ProcessBlockAsync(change)).Status.ShouldBe(BlockStatus.Orphan);
        var steps = Kit.Store.RecordSteps();

        await Kit.ProcessAllAsync([empty]);

        Kit.Tip.Hash.ShouldBe(change.Hash, "the branch of the spending block grew past the side branch");
        steps.ShouldContain("get-coins");
    }

    [Test]
    public async Task A_new_chain_creates_the_schema_then_stores_and_connects_its_genesis()
    {
        var store = Substitute.For<IChainStore>();
        store.LoadBlockIndexAsync(Arg.Any<CancellationToken>()).Returns(Task.FromResult<IReadOnlyList<StoredHeader>>([]));
        var p = Kit.Params;
        var state = new ChainState(store, p, Kit.Clock, 10, 1_000_000, new SignatureVerifier(new SignatureCache()), NullLogger.Instance);

        var outcome = await state.InitializeAsync(CancellationToken.None);

        Received.InOrder(() =>
        {
            store.InitializeAsync(Arg.Any<CancellationToken>());
            store.LoadBlockIndexAsync(Arg.Any<CancellationToken>());
            store.InsertBlockAsync(p.Genesis, 0, Arg.Any<CancellationToken>());
            store.ConnectBlockAsync(p.Genesis, 0, BlockUndo.Empty, Arg.Any<CancellationToken>());
        });
        state.Tip.Hash.ShouldBe(p.GenesisHash);
        state.CandidateCount.ShouldBe(1);
        outcome.Changed.ShouldBeFalse();
    }
}
