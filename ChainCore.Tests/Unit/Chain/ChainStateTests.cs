using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// The chain state through the engine over an in-memory store: which blocks are stored, refused
/// (with which code) or kept as orphans, where the tip goes (most work, first seen on a tie), what a
/// reorg does to the coins, and where the chain settles when a block or the store fails.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ChainStateTests : EngineTestBase
{
    private Task<BlockResult> ProcessAsync(Block block) => Engine.ProcessBlockAsync(block);

    [Test]
    public async Task A_new_chain_starts_at_genesis_whose_output_is_no_coin()
    {
        Kit.Tip.Hash.ShouldBe(Kit.Params.GenesisHash);
        Kit.Tip.Height.ShouldBe(0);
        Engine.IsInitialized.ShouldBeTrue();
        (await Kit.Store.GetChainHeightAsync()).ShouldBe(0);
        (await Kit.CoinAsync(new OutPoint(Kit.Params.Genesis.Transactions[0].TxId, 0))).ShouldBeNull();
    }

    [Test]
    public async Task A_block_on_the_tip_becomes_the_tip_and_its_coinbase_a_coin_at_its_height()
    {
        var block = Kit.Next();

        var result = await ProcessAsync(block);

        result.Status.ShouldBe(BlockStatus.Accepted);
        result.Height.ShouldBe(1);
        result.BecameTip.ShouldBeTrue();
        Kit.Tip.Hash.ShouldBe(block.Hash);
        Engine.IsOnMainChain(Kit.Tip).ShouldBeTrue();
        (await Kit.Store.GetLatestBlockAsync())!.Hash.ShouldBe(block.Hash);
        var coin = (await Kit.CoinAsync(new OutPoint(block.Transactions[0].TxId, 0))).ShouldNotBeNull();
        (coin.Height, coin.IsCoinbase, coin.Output.Value).ShouldBe((1, true, EngineKit.Subsidy50));
        (await Kit.Store.GetBalanceAsync(Kit.Miner.KeyHash)).ShouldBe(EngineKit.Subsidy50);
    }

    [Test]
    public async Task A_block_already_known_is_a_duplicate_at_its_height_and_changes_nothing()
    {
        var block = (await Kit.MineAsync(2))[0];
        var before = Kit.Store.Snapshot();

        var again = await ProcessAsync(block);

        again.Status.ShouldBe(BlockStatus.Duplicate);
        again.Code.ShouldBe(RejectCodes.DuplicateBlock);
        again.Validation.Message.ShouldBe("The block is already known.");
        again.Height.ShouldBe(1);
        again.BecameTip.ShouldBeFalse();
        Kit.Store.Snapshot().ShouldBe(before);
        var tipAgain = await ProcessAsync((await Kit.Store.GetBlockAsync(Kit.Tip.Hash))!);
        tipAgain.Status.ShouldBe(BlockStatus.Duplicate);
        tipAgain.BecameTip.ShouldBeFalse("the tip sent again does not become the tip");
    }

    [Test]
    public async Task An_orphan_that_fails_a_contextual_rule_once_its_parent_arrives_is_refused_with_a_warning_and_the_parent_kept()
    {
        var parent = Kit.Next();
        var tooOld = TestData.MineBlock(parent.Hash, 2, time: 1, [], EngineKit.Subsidy50, Kit.Params);
        (await ProcessAsync(tooOld)).Status.ShouldBe(BlockStatus.Orphan);

        var result = await ProcessAsync(parent);

        result.Status.ShouldBe(BlockStatus.Accepted);
        Kit.Tip.Hash.ShouldBe(parent.Hash);
        Engine.GetEntry(tooOld.Hash).ShouldBeNull();
        Engine.OrphanCount.ShouldBe(0);
        Kit.Logged("WRN").ShouldContain(l => l.Contains($"Refused block {tooOld.Hash}: {RejectCodes.TimeTooOld} (Invalid)", StringComparison.Ordinal));
    }

    [Test]
    public async Task A_null_block_or_transaction_is_a_callers_mistake()
    {
        await Should.ThrowAsync<ArgumentNullException>(() => Engine.ProcessBlockAsync(null!));
        await Should.ThrowAsync<ArgumentNullException>(() => Engine.AcceptTransactionAsync(null!));
    }

    [Test]
    public async Task An_orphan_waits_then_connects_with_its_parent_and_is_a_duplicate_while_waiting()
    {
        var parent = Kit.Next();
        var child = Kit.On(parent, 1);

        var orphan = await ProcessAsync(child);
        var twice = await ProcessAsync(child);

        orphan.Status.ShouldBe(BlockStatus.Orphan);
        orphan.Code.ShouldBe(RejectCodes.BadPrevBlock);
        orphan.Validation.Message.ShouldBe($"Parent {parent.Hash} is unknown.");
        orphan.Height.ShouldBeNull();
        orphan.BecameTip.ShouldBeFalse();
        twice.Status.ShouldBe(BlockStatus.Duplicate);
        twice.Validation.Message.ShouldBe("The block is already waiting for its parent.");
        twice.Height.ShouldBeNull();
        twice.BecameTip.ShouldBeFalse();
        Engine.OrphanCount.ShouldBe(1);
        Engine.GetEntry(child.Hash).ShouldBeNull();

        var result = await ProcessAsync(parent);

        result.Status.ShouldBe(BlockStatus.Accepted);
        result.BecameTip.ShouldBeTrue();
        Kit.Tip.Hash.ShouldBe(child.Hash);
        Kit.Tip.Height.ShouldBe(2);
        Engine.OrphanCount.ShouldBe(0);
    }

    [Test]
    public async Task Orphans_arriving_newest_first_all_connect_once_the_first_arrives()
    {
        var first = Kit.Next();
        var second = Kit.On(first, 1);
        var third = Kit.On(second, 2);
        (await ProcessAsync(third)).Status.ShouldBe(BlockStatus.Orphan);
        (await ProcessAsync(second)).Status.ShouldBe(BlockStatus.Orphan);

        (await ProcessAsync(first)).Status.ShouldBe(BlockStatus.Accepted);

        Kit.Tip.Hash.ShouldBe(third.Hash);
        Engine.ActiveChain[2]!.Hash.ShouldBe(second.Hash);
        Engine.OrphanCount.ShouldBe(0);
    }

    [Test]
    public async Task A_block_failing_a_context_free_rule_is_refused_with_its_code_and_not_remembered()
    {
        var valid = Kit.Next();
        var badRoot = Kit.Solve(new Block(valid.Header with { MerkleRoot = new Hash256(new byte[32]) }, valid.Transactions));
        var before = Kit.Store.Snapshot();

        var result = await ProcessAsync(badRoot);

        result.Status.ShouldBe(BlockStatus.Invalid);
        result.Code.ShouldBe(RejectCodes.BadMerkleRoot);
        result.Height.ShouldBeNull();
        Engine.GetEntry(badRoot.Hash).ShouldBeNull();
        Kit.Store.Snapshot().ShouldBe(before);
        (await ProcessAsync(valid)).BecameTip.ShouldBeTrue();
    }

    [Test]
    public async Task A_block_whose_coinbase_overpays_is_invalid_at_its_height_and_stays_invalid_with_its_descendants()
    {
        var overpaying = Kit.Next(fees: new Amount(1));
        var child = Kit.On(overpaying, 1);

        var result = await ProcessAsync(overpaying);
        var again = await ProcessAsync(overpaying);
        var descendant = await ProcessAsync(child);

        result.Status.ShouldBe(BlockStatus.Invalid);
        result.Code.ShouldBe(RejectCodes.BadCoinbaseAmount);
        result.Validation.Message.ShouldBe($"The block failed validation: {RejectCodes.BadCoinbaseAmount}.");
        result.BecameTip.ShouldBeFalse();
        result.Height.ShouldBe(1);
        again.Status.ShouldBe(BlockStatus.Invalid);
        again.Code.ShouldBe(RejectCodes.BadCoinbaseAmount);
        again.Validation.Message.ShouldBe("The block is known to be invalid.");
        again.Height.ShouldBe(1);
        again.BecameTip.ShouldBeFalse();
        descendant.Status.ShouldBe(BlockStatus.Invalid);
        descendant.Code.ShouldBe(RejectCodes.BadPrevBlock);
        descendant.Validation.Message.ShouldBe($"Parent {overpaying.Hash} is invalid.");
        Kit.Tip.ShouldBeSameAs(Kit.Genesis);
        (await Kit.Store.LoadBlockIndexAsync()).Single(h => h.Hash == overpaying.Hash).IsInvalid.ShouldBeTrue();
        (await Kit.Store.GetBlockAsync(child.Hash)).ShouldBeNull();
    }

    [Test]
    public async Task A_header_time_equal_to_the_median_time_past_is_too_old_and_one_second_later_is_accepted()
    {
        await Kit.MineAsync(2);
        var median = (uint)Kit.Tip.MedianTimePast();

        var tooOld = await ProcessAsync(Kit.WithHeader(Kit.Tip, median));
        var justAfter = await ProcessAsync(Kit.WithHeader(Kit.Tip, median + 1));

        tooOld.Status.ShouldBe(BlockStatus.Invalid);
        tooOld.Code.ShouldBe(RejectCodes.TimeTooOld);
        justAfter.BecameTip.ShouldBeTrue(justAfter.Validation.ToString());
    }

    [Test]
    public async Task A_header_two_hours_ahead_is_accepted_and_one_second_more_is_premature_until_the_clock_moves()
    {
        var limit = (uint)(Kit.Clock.GetUtcNow().ToUnixTimeSeconds() + Kit.Params.MaxFutureBlockTime);
        var atLimit = Kit.WithHeader(Kit.Tip, limit);
        var past = Kit.WithHeader(Kit.Tip, limit + 1);

        var early = await ProcessAsync(past);

        early.Status.ShouldBe(BlockStatus.Invalid);
        early.Code.ShouldBe(RejectCodes.TimeTooNew);
        early.Validation.Category.ShouldBe(ValidationCategory.Premature);
        Engine.GetEntry(past.Hash).ShouldBeNull();
        (await ProcessAsync(atLimit)).BecameTip.ShouldBeTrue();

        Kit.Clock.Advance(TimeSpan.FromSeconds(1));

        (await ProcessAsync(past)).Status.ShouldBe(BlockStatus.Accepted);
    }

    [Test]
    public async Task A_header_with_other_bits_than_required_is_refused()
    {
        var block = Kit.WithHeader(Kit.Tip, Kit.Tip.Header.Time + 1, bits: 0x1f7fffff);

        var result = await ProcessAsync(block);

        result.Status.ShouldBe(BlockStatus.Invalid);
        result.Code.ShouldBe(RejectCodes.BadDifficultyBits);
    }

    [Test]
    public async Task An_unrequested_block_with_no_more_work_than_the_tip_is_stale_and_not_stored_but_one_with_more_is_taken()
    {
        await Kit.MineAsync(1);
        var tip = Kit.Tip;
        var rival = Kit.Next(Kit.Genesis, extraNonce: 1);
        var heavier = Kit.On(rival, 1, extraNonce: 1);

        var stale = await Engine.ProcessBlockAsync(rival, requested: false, CancellationToken.None);

        stale.Status.ShouldBe(BlockStatus.Invalid);
        stale.Code.ShouldBe(RejectCodes.LowWork);
        stale.Validation.Category.ShouldBe(ValidationCategory.Stale);
        stale.BecameTip.ShouldBeFalse();
        stale.Height.ShouldBeNull();
        stale.Validation.Message.ShouldBe($"The block's branch has no more work than the tip ({tip.Hash}); a block nobody asked for is stored only if it has.");
        Engine.GetEntry(rival.Hash).ShouldBeNull();
        (await Kit.Store.GetBlockAsync(rival.Hash)).ShouldBeNull();
        Kit.Tip.ShouldBeSameAs(tip);

        var requested = await Engine.ProcessBlockAsync(rival, requested: true, CancellationToken.None);
        var more = await Engine.ProcessBlockAsync(heavier, requested: false, CancellationToken.None);

        requested.Status.ShouldBe(BlockStatus.Accepted);
        requested.BecameTip.ShouldBeFalse("equal work: the block seen first stays the tip");
        more.BecameTip.ShouldBeTrue();
        Kit.Tip.Hash.ShouldBe(heavier.Hash);
    }

    [Test]
    public async Task Branches_of_equal_work_keep_the_first_seen_and_the_next_block_decides()
    {
        var first = (await Kit.MineAsync(2))[^1];
        var rival = Kit.Next(Kit.Genesis, extraNonce: 2);
        var rival2 = Kit.On(rival, 1, extraNonce: 2);

        (await ProcessAsync(rival)).BecameTip.ShouldBeFalse();
        (await ProcessAsync(rival2)).BecameTip.ShouldBeFalse();
        Kit.Tip.Hash.ShouldBe(first.Hash);
        Engine.IsOnMainChain(Engine.GetEntry(rival2.Hash)!).ShouldBeFalse();

        var decider = Kit.On(rival2, 2, extraNonce: 2);
        (await ProcessAsync(decider)).BecameTip.ShouldBeTrue();

        Engine.ActiveChain[1]!.Hash.ShouldBe(rival.Hash);
        Engine.IsOnMainChain(Engine.GetEntry(first.Hash)!).ShouldBeFalse();
    }

    [Test]
    public async Task A_reorg_restores_the_coins_the_old_branch_spent_removes_its_outputs_and_returns_its_payment_to_the_mempool()
    {
        var bob = Wallets.NewWallet();
        var other = Wallets.NewWallet();
        var funding = (await Kit.MineAsync(1))[0];
        var forkPoint = Kit.Tip;
        var payment = EngineKit.Pay(Kit.Miner, funding.Transactions[0], bob, Fee);
        var spending = Kit.Next(transactions: [payment], fees: Fee);
        (await ProcessAsync(spending)).BecameTip.ShouldBeTrue();
        var funded = new OutPoint(funding.Transactions[0].TxId, 0);
        (await Kit.CoinAsync(funded)).ShouldBeNull();
        var branch = BlockFactory.Branch(forkPoint, 2, other.KeyHash, Kit.Params, extraNonce: 1);
        using var events = Engine.Events.Subscribe();

        await Kit.ProcessAllAsync(branch);

        Kit.Tip.Hash.ShouldBe(branch[^1].Hash);
        (await Kit.CoinAsync(funded)).ShouldNotBeNull().Output.Value.ShouldBe(EngineKit.Subsidy50);
        (await Kit.CoinAsync(new OutPoint(payment.TxId, 0))).ShouldBeNull();
        (await Kit.CoinAsync(new OutPoint(spending.Transactions[0].TxId, 0))).ShouldBeNull();
        (await Kit.Store.GetBalanceAsync(bob.KeyHash)).ShouldBe(Amount.Zero);
        (await Kit.Store.GetBalanceAsync(Kit.Miner.KeyHash)).ShouldBe(EngineKit.Subsidy50);
        (await Kit.Store.GetBalanceAsync(other.KeyHash)).ShouldBe(EngineKit.Subsidy50 + EngineKit.Subsidy50);
        (await Kit.Store.GetTransactionAsync(payment.TxId)).ShouldBeNull();
        Engine.IsInMempool(payment.TxId).ShouldBeTrue();
        Drain(events).Select(Describe).ShouldBe([
            $"disconnected {spending.Hash}", $"connected {branch[0].Hash}", $"connected {branch[1].Hash}", $"accepted {payment.TxId}", "tip"]);
    }

    [Test]
    public async Task A_heavier_branch_with_an_invalid_block_is_refused_and_the_valid_tip_kept()
    {
        var thief = Wallets.NewWallet();
        await Kit.MineAsync(1);
        var tip = Kit.Tip;
        var first = Kit.Next(Kit.Genesis, extraNonce: 3);
        var stolen = EngineKit.Pay(thief, first.Transactions[0], thief, Fee);
        var invalid = Kit.On(first, 1, [stolen], Fee);
        var descendant = Kit.On(invalid, 2);

        (await ProcessAsync(first)).BecameTip.ShouldBeFalse();
        var refused = await ProcessAsync(invalid);
        var child = await ProcessAsync(descendant);

        refused.Status.ShouldBe(BlockStatus.Invalid);
        refused.Code.ShouldBe(RejectCodes.PublicKeyMismatch);
        refused.Height.ShouldBe(2);
        child.Status.ShouldBe(BlockStatus.Invalid);
        child.Code.ShouldBe(RejectCodes.BadPrevBlock);
        Kit.Tip.ShouldBeSameAs(tip);
        Engine.GetEntry(first.Hash)!.IsInvalid.ShouldBeFalse();
        var stored = await Kit.Store.LoadBlockIndexAsync();
        stored.Single(h => h.Hash == invalid.Hash).IsInvalid.ShouldBeTrue();
        stored.Single(h => h.Hash == first.Hash).IsInvalid.ShouldBeFalse();
    }

    [Test]
    public async Task A_branch_whose_middle_block_is_invalid_settles_on_its_valid_first_block_and_marks_the_rest()
    {
        var a1 = Kit.Next();
        var a2 = Kit.On(a1, 1, fees: new Amount(1));
        var a3 = Kit.On(a2, 2);
        var a4 = Kit.On(a3, 3);
        (await ProcessAsync(a4)).Status.ShouldBe(BlockStatus.Orphan);
        (await ProcessAsync(a3)).Status.ShouldBe(BlockStatus.Orphan);
        (await ProcessAsync(a2)).Status.ShouldBe(BlockStatus.Orphan);

        var result = await ProcessAsync(a1);

        result.Status.ShouldBe(BlockStatus.Accepted);
        result.BecameTip.ShouldBeTrue();
        Kit.Tip.Hash.ShouldBe(a1.Hash);
        Engine.GetEntry(a2.Hash)!.InvalidReason.ShouldBe(RejectCodes.BadCoinbaseAmount);
        Engine.GetEntry(a3.Hash)!.InvalidReason.ShouldBe(RejectCodes.BadPrevBlock);
        Engine.GetEntry(a4.Hash)!.InvalidReason.ShouldBe(RejectCodes.BadPrevBlock);
        (await ProcessAsync(a3)).Code.ShouldBe(RejectCodes.BadPrevBlock);
        (await Kit.Store.GetChainHeightAsync()).ShouldBe(1);
    }

    [Test]
    public async Task A_block_spending_a_coin_an_earlier_block_spent_is_missing_its_input()
    {
        var funding = (await Kit.MineAsync(1))[0];
        var payment = EngineKit.Pay(Kit.Miner, funding.Transactions[0], Kit.Miner, Fee);
        await Kit.ProcessAllAsync([Kit.Next(transactions: [payment], fees: Fee)]);
        var again = Wallets.Spend(Kit.Miner, new OutPoint(funding.Transactions[0].TxId, 0), EngineKit.Subsidy50, Kit.Miner.Address, Fee + Fee);

        var result = await ProcessAsync(Kit.Next(transactions: [again], fees: Fee + Fee));

        result.Status.ShouldBe(BlockStatus.Invalid);
        result.Code.ShouldBe(RejectCodes.MissingInputs);
        Kit.Tip.Height.ShouldBe(2);
    }

    [Test]
    public async Task A_block_whose_signature_fails_after_its_rows_were_written_leaves_the_store_as_it_was_in_a_reorg()
    {
        var other = Wallets.NewWallet();
        var funding = (await Kit.MineAsync(1))[0];
        var fork = Kit.Tip;
        var oldTip = (await Kit.MineAsync(1, other))[0];
        var rows = ChainRows(Kit.Store.Snapshot());
        var honest = EngineKit.Pay(Kit.Miner, funding.Transactions[0], other, Fee);
        var forged = honest.WithInputs([honest.Inputs[0].WithSignature(Kit.Miner.Key.Sign(Hash256.Compute("another message"u8).ToBytes()))]);
        var first = Kit.Next(fork, extraNonce: 1);
        var second = Kit.On(first, 2, [forged], Fee);
        (await ProcessAsync(first)).BecameTip.ShouldBeFalse();

        var result = await ProcessAsync(second);

        result.Status.ShouldBe(BlockStatus.Invalid);
        result.Code.ShouldBe(RejectCodes.BadSignature);
        Kit.Tip.Hash.ShouldBe(oldTip.Hash);
        ChainRows(Kit.Store.Snapshot()).ShouldBe(rows);
        (await ProcessAsync(Kit.On(first, 2, [honest], Fee, extraNonce: 1))).BecameTip.ShouldBeTrue("the coin the forged payment spent is still there");
    }

    [Test]
    public async Task A_block_that_does_not_move_the_tip_announces_nothing()
    {
        await Kit.MineAsync(1);
        using var events = Engine.Events.Subscribe();
        var logged = Kit.Log.Written;

        (await ProcessAsync(Kit.Next(Kit.Genesis, extraNonce: 1))).BecameTip.ShouldBeFalse();

        Drain(events).ShouldBeEmpty();
        Kit.Log.LinesSince(logged).ShouldNotContain(l => l.Contains(" Tip ", StringComparison.Ordinal));
    }

    [Test]
    public async Task An_engine_not_yet_initialized_has_no_tip()
    {
        await using var store = new InMemoryChainStore();
        using var engine = Kit.Restart(store);

        engine.IsInitialized.ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => engine.Tip).Message.ShouldBe("The chain is not initialized.");
        engine.ActiveChain.Height.ShouldBe(-1);
    }

    [Test]
    public async Task A_store_failure_storing_a_block_leaves_it_out_of_the_index_and_it_can_come_again()
    {
        var block = Kit.Next();
        Kit.Store.FailOnce("insert");

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => ProcessAsync(block));

        Engine.GetEntry(block.Hash).ShouldBeNull();
        Engine.State.StartedSignatureChecks.ShouldBe(0, "the check started for a block extending the tip is abandoned with it");
        (await ProcessAsync(block)).BecameTip.ShouldBeTrue();
        Engine.State.StartedSignatureChecks.ShouldBe(0);
    }

    [Test]
    public async Task A_coin_created_and_spent_inside_a_disconnected_block_does_not_come_back()
    {
        var funding = (await Kit.MineAsync(1))[0];
        var fork = Kit.Tip;
        var parent = EngineKit.Pay(Kit.Miner, funding.Transactions[0], Kit.Miner, Fee);
        var child = EngineKit.Pay(Kit.Miner, parent, Kit.Miner, Fee);
        await Kit.ProcessAllAsync([Kit.Next(transactions: [parent, child], fees: Fee + Fee)]);
        var branch = BlockFactory.Branch(fork, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 7);
        await Kit.ProcessAllAsync(branch);
        Kit.Pool.RemoveWithDescendants(parent.TxId);
        var again = EngineKit.Pay(Kit.Miner, parent, Wallets.NewWallet(), Fee);

        var result = await ProcessAsync(Kit.Next(transactions: [again], fees: Fee));

        result.Status.ShouldBe(BlockStatus.Invalid);
        result.Code.ShouldBe(RejectCodes.MissingInputs);
        (await Kit.CoinAsync(new OutPoint(parent.TxId, 0))).ShouldBeNull();
    }

    [Test]
    public async Task Of_two_store_failures_in_one_activation_the_first_is_thrown()
    {
        var parent = Kit.Next();
        var x2 = Kit.On(parent, 1, extraNonce: 1);
        var x3 = Kit.On(x2, 2, extraNonce: 1);
        var y2 = Kit.On(parent, 1, extraNonce: 2);
        foreach (var orphan in new[] { x3, x2, y2 })
        {
            await ProcessAsync(orphan);
        }

        var (spends, commits) = (0, 0);
        Kit.Store.Failpoint = step => step switch
        {
            "connect:spends" when ++spends == 2 => throw new InMemoryChainStore.InjectedStoreFailureException(step),
            "commit" when ++commits == 1 => throw new InMemoryChainStore.InjectedStoreFailureException(step),
            _ => Task.CompletedTask,
        };

        var thrown = await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => ProcessAsync(parent));

        thrown.Message.ShouldContain("connect:spends");
        Kit.Tip.ShouldBeSameAs(Kit.Genesis, "the failed commit leaves out the whole branch from the fork");
    }

    // The second failure here is the store's refusal to mark a block invalid: the first is still the one thrown.
    [Test]
    public async Task A_store_failure_marking_a_block_invalid_after_another_store_failure_does_not_replace_it()
    {
        var parent = Kit.Next();
        var x2 = Kit.On(parent, 1, extraNonce: 1);
        var x3 = Kit.On(x2, 2, extraNonce: 1);
        var overpaying = Kit.On(parent, 1, fees: new Amount(1), extraNonce: 2);
        foreach (var orphan in new[] { x3, x2, overpaying })
        {
            (await ProcessAsync(orphan)).Status.ShouldBe(BlockStatus.Orphan);
        }

        var spends = 0;
        Kit.Store.Failpoint = step => step switch
        {
            "connect:spends" when ++spends == 2 => throw new InMemoryChainStore.InjectedStoreFailureException(step),
            "mark-invalid" => throw new InMemoryChainStore.InjectedStoreFailureException(step),
            _ => Task.CompletedTask,
        };

        var thrown = await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => ProcessAsync(parent));

        thrown.Message.ShouldContain("connect:spends");
        Engine.GetEntry(overpaying.Hash)!.InvalidReason.ShouldBe(RejectCodes.BadCoinbaseAmount);
        Kit.Tip.Hash.ShouldBe(parent.Hash, "the valid block under both failed branches");
    }

    [TestCase("begin")]
    [TestCase("connect:block")]
    [TestCase("connect:outputs")]
    [TestCase("connect:spends")]
    [TestCase("connect:commit")]
    [TestCase("commit")]
    public async Task A_store_failure_while_connecting_leaves_tip_and_store_as_they_were_and_the_next_block_connects_both(string step)
    {
        await Kit.MineAsync(1);
        var tip = Kit.Tip;
        var before = ChainRows(Kit.Store.Snapshot());
        var next = Kit.Next();
        Kit.Store.FailOnce(step);

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => ProcessAsync(next));

        Kit.Tip.ShouldBeSameAs(tip);
        Engine.GetEntry(next.Hash).ShouldNotBeNull().IsInvalid.ShouldBeFalse();
        ChainRows(Kit.Store.Snapshot()).ShouldBe(before);
        Kit.Store.UpdateOpen.ShouldBeFalse();

        var child = Kit.On(next, 2);
        (await ProcessAsync(child)).BecameTip.ShouldBeTrue();
        Kit.Tip.Height.ShouldBe(3);
        (await Kit.CoinAsync(new OutPoint(next.Transactions[0].TxId, 0))).ShouldNotBeNull();
    }

    [TestCase("get-block")]
    [TestCase("disconnect:outputs")]
    [TestCase("disconnect:spends")]
    [TestCase("disconnect:commit")]
    [TestCase("connect:outputs")]
    public async Task A_store_failure_during_a_reorg_settles_on_the_old_tip_and_a_later_block_completes_the_reorg(string step)
    {
        var old = await Kit.MineAsync(2);
        var tip = Kit.Tip;
        var side = BlockFactory.Branch(Kit.Genesis, 4, Kit.Miner.KeyHash, Kit.Params, extraNonce: 5);
        await Kit.ProcessAllAsync(side.Take(2));
        var before = ChainRows(Kit.Store.Snapshot());
        Kit.Store.FailOnce(step);

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => ProcessAsync(side[2]));

        Kit.Tip.ShouldBeSameAs(tip);
        ChainRows(Kit.Store.Snapshot()).ShouldBe(before);
        (await Kit.CoinAsync(new OutPoint(old[1].Transactions[0].TxId, 0))).ShouldNotBeNull();

        (await ProcessAsync(side[3])).BecameTip.ShouldBeTrue();
        Kit.Tip.Hash.ShouldBe(side[3].Hash);
        (await Kit.CoinAsync(new OutPoint(old[1].Transactions[0].TxId, 0))).ShouldBeNull();
        (await Kit.CoinAsync(new OutPoint(side[2].Transactions[0].TxId, 0))).ShouldNotBeNull();
    }

    [Test]
    public async Task A_store_failure_on_the_best_branch_moves_the_tip_to_the_next_best_branch_in_the_same_activation()
    {
        var parent = Kit.Next();
        var x2 = Kit.On(parent, 1, extraNonce: 1);
        var x3 = Kit.On(x2, 2, extraNonce: 1);
        var y2 = Kit.On(parent, 1, extraNonce: 2);
        foreach (var orphan in new[] { x3, x2, y2 })
        {
            (await ProcessAsync(orphan)).Status.ShouldBe(BlockStatus.Orphan);
        }

        // The move to x3 connects the parent, then fails on x2: y2 does not descend from x2.
        Kit.Store.FailOnce("connect:spends", occurrence: 2);

        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => ProcessAsync(parent));

        Kit.Tip.Hash.ShouldBe(y2.Hash);
        (await Kit.Store.GetLatestBlockAsync())!.Hash.ShouldBe(y2.Hash);
        Engine.GetEntry(x3.Hash)!.IsInvalid.ShouldBeFalse("a store failure says nothing of the block");
    }

    [Test]
    public async Task A_coin_the_last_block_created_is_read_from_the_cache_and_after_a_store_failure_from_the_store()
    {
        var funding = (await Kit.MineAsync(1))[0];
        var payment = EngineKit.Pay(Kit.Miner, funding.Transactions[0], Kit.Miner, Fee);
        var spending = Kit.Next(transactions: [payment], fees: Fee);
        var steps = Kit.Store.RecordSteps();

        (await ProcessAsync(spending)).BecameTip.ShouldBeTrue();

        steps.ShouldNotContain("get-coins");

        var failing = Kit.Next();
        Kit.Store.FailOnce("connect:spends");
        await Should.ThrowAsync<InMemoryChainStore.InjectedStoreFailureException>(() => ProcessAsync(failing));
        steps = Kit.Store.RecordSteps();
        var change = EngineKit.Pay(Kit.Miner, payment, Kit.Miner, Fee);

        (await ProcessAsync(Kit.On(failing, 3, [change], Fee))).BecameTip.ShouldBeTrue();

        steps.ShouldContain("get-coins");
    }

    [Test]
    public async Task A_block_the_store_could_not_mark_invalid_is_refused_again_after_a_restart()
    {
        var overpaying = Kit.Next(fees: new Amount(1));
        Kit.Store.FailOnce("mark-invalid");

        var result = await ProcessAsync(overpaying);

        result.Code.ShouldBe(RejectCodes.BadCoinbaseAmount);
        (await Kit.Store.LoadBlockIndexAsync()).Single(h => h.Hash == overpaying.Hash).IsInvalid.ShouldBeFalse();

        using var restarted = Restart();
        await restarted.InitializeAsync();

        restarted.Tip.Hash.ShouldBe(Kit.Params.GenesisHash);
        restarted.GetEntry(overpaying.Hash)!.InvalidReason.ShouldBe(RejectCodes.BadCoinbaseAmount);
        (await Kit.Store.LoadBlockIndexAsync()).Single(h => h.Hash == overpaying.Hash).IsInvalid.ShouldBeTrue();
    }

    [Test]
    public async Task A_failure_closing_a_committed_update_does_not_undo_the_move()
    {
        var next = Kit.Next();
        Kit.Store.FailAlways("dispose");

        var result = await ProcessAsync(next);

        result.BecameTip.ShouldBeTrue();
        Kit.Tip.Hash.ShouldBe(next.Hash);
        (await Kit.Store.GetLatestBlockAsync())!.Hash.ShouldBe(next.Hash);
    }

    [Test]
    public async Task A_restart_resumes_at_the_stored_tip_with_the_same_chain()
    {
        var blocks = await Kit.MineAsync(3);
        var side = Kit.Next(Kit.Genesis, extraNonce: 9);
        await Kit.ProcessAllAsync([side]);

        using var restarted = Restart();
        await restarted.InitializeAsync();

        restarted.Tip.Hash.ShouldBe(blocks[^1].Hash);
        restarted.Tip.Height.ShouldBe(3);
        restarted.ActiveChain[1]!.Hash.ShouldBe(blocks[0].Hash);
        restarted.GetEntry(side.Hash).ShouldNotBeNull().Height.ShouldBe(1);
        restarted.IsOnMainChain(restarted.GetEntry(side.Hash)!).ShouldBeFalse();
    }

    [Test]
    public async Task A_stored_branch_with_more_work_than_the_stored_tip_is_connected_at_start()
    {
        await Kit.MineAsync(1);
        var branch = BlockFactory.Branch(Kit.Genesis, 2, Kit.Miner.KeyHash, Kit.Params, extraNonce: 4);
        (await Kit.Store.InsertBlockAsync(branch[0], 1)).ShouldBeTrue();
        (await Kit.Store.InsertBlockAsync(branch[1], 2)).ShouldBeTrue();

        using var restarted = Restart();
        await restarted.InitializeAsync();

        restarted.Tip.Hash.ShouldBe(branch[1].Hash);
        (await Kit.Store.GetLatestBlockAsync())!.Hash.ShouldBe(branch[1].Hash);
    }

    [Test]
    public async Task A_restart_marks_a_stored_invalid_block_and_its_children_and_keeps_the_tip()
    {
        await Kit.MineAsync(1);
        var bad = Kit.Next(Kit.Genesis, extraNonce: 6);
        var child = Kit.On(bad, 1, extraNonce: 6);
        await Kit.Store.InsertBlockAsync(bad, 1);
        await Kit.Store.InsertBlockAsync(child, 2);
        await Kit.Store.MarkBlockInvalidAsync(bad.Hash);

        using var restarted = Restart();
        await restarted.InitializeAsync();

        restarted.Tip.Height.ShouldBe(1);
        restarted.GetEntry(bad.Hash)!.InvalidReason.ShouldBe("invalid");
        restarted.GetEntry(child.Hash)!.InvalidReason.ShouldBe(RejectCodes.BadPrevBlock);
        (await restarted.ProcessBlockAsync(child)).Code.ShouldBe(RejectCodes.BadPrevBlock);
    }

    [Test]
    public async Task A_store_holding_another_networks_genesis_is_refused_at_start()
    {
        await using var store = new InMemoryChainStore();
        var devnet = ConsensusParams.Devnet.Genesis;
        await store.ConnectBlockAsync(devnet, 0, BlockUndo.Empty);
        using var engine = Kit.Restart(store);

        var refused = await Should.ThrowAsync<InvalidOperationException>(() => engine.InitializeAsync());

        refused.Message.ShouldContain("genesis");
    }

    [Test]
    public async Task A_store_with_a_block_missing_its_parent_or_without_a_main_chain_is_refused_at_start()
    {
        await using var noParent = new InMemoryChainStore();
        await noParent.ConnectBlockAsync(Kit.Params.Genesis, 0, BlockUndo.Empty);
        await noParent.InsertBlockAsync(Kit.On(Kit.Next(), 1), 2);
        await using var noMainChain = new InMemoryChainStore();
        await noMainChain.InsertBlockAsync(Kit.Params.Genesis, 0);

        using var first = Restart(noParent);
        using var second = Restart(noMainChain);

        (await Should.ThrowAsync<InvalidOperationException>(() => first.InitializeAsync())).Message.ShouldContain("no stored parent");
        (await Should.ThrowAsync<InvalidOperationException>(() => second.InitializeAsync())).Message.ShouldContain("no main chain");
    }

    private ChainEngine Restart(InMemoryChainStore? store = null) => Kit.Restart(store);

    /// <summary>The store's rows but the blocks' own (a block is stored before it is connected, and stays).</summary>
    private static List<string> ChainRows(IReadOnlyList<string> snapshot) =>
        [.. snapshot.Where(r => !r.StartsWith("block|", StringComparison.Ordinal) || r.EndsWith("|1|0", StringComparison.Ordinal))];

    private static List<ChainEvent> Drain(ChainEvents.Subscription subscription)
    {
        var events = new List<ChainEvent>();
        while (subscription.Reader.TryRead(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    private static string Describe(ChainEvent e) => e switch
    {
        BlockConnected c => $"connected {c.Block.Hash}",
        BlockDisconnected d => $"disconnected {d.Block.Hash}",
        TransactionAccepted a => $"accepted {a.Transaction.TxId}",
        TransactionRemoved r => $"removed {r.TxId} {r.Reason}",
        TipMoved => "tip",
        _ => e.GetType().Name,
    };
}
