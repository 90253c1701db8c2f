using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// The engine's event publisher on its own: numbering, each subscriber's bounded queue losing its
/// oldest events, unsubscribing, and the tip long polls wait on.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class ChainEventsTests
{
    private static readonly BlockIndexEntry Genesis = Entry(ConsensusParams.Regtest.Genesis.Header, parent: null);

    private static BlockIndexEntry Entry(BlockHeader header, BlockIndexEntry? parent) =>
        new(header, header.GetHash(), parent, parent is null ? 0 : parent.Sequence + 1);

    private static BlockIndexEntry Child(BlockIndexEntry parent, uint nonce) =>
        Entry(new BlockHeader(1, parent.Hash, Hash256.Zero, parent.Header.Time + 1, parent.Header.Bits, nonce), parent);

    private static TransactionRemoved Removed(byte id) => new(new Hash256(Enumerable.Repeat(id, 32).ToArray()), RemovalReason.Dropped);

    private static List<ChainEvent> Drain(ChainEvents.Subscription subscription)
    {
        var read = new List<ChainEvent>();
        while (subscription.Reader.TryRead(out var e))
        {
            read.Add(e);
        }

        return read;
    }

    [Test]
    public void Every_subscriber_gets_each_event_numbered_one_more_than_the_last()
    {
        var events = new ChainEvents();
        using var first = events.Subscribe();
        using var second = events.Subscribe();

        events.Publish(Removed(1));
        events.Publish(Removed(2));
        events.Publish(Removed(3));

        Drain(first).Select(e => e.Sequence).ShouldBe([1L, 2L, 3L]);
        Drain(second).ShouldBe([Removed(1) with { Sequence = 1 }, Removed(2) with { Sequence = 2 }, Removed(3) with { Sequence = 3 }]);
    }

    [Test]
    public void A_subscriber_that_falls_behind_loses_its_oldest_events_and_counts_them()
    {
        var events = new ChainEvents();
        using var slow = events.Subscribe(capacity: 2);
        using var keepingUp = events.Subscribe(capacity: 5);

        for (byte i = 1; i <= 5; i++)
        {
            events.Publish(Removed(i));
        }

        Drain(slow).Select(e => e.Sequence).ShouldBe([4L, 5L], "the newest events stay; a gap in the numbers shows the loss");
        slow.Dropped.ShouldBe(3);
        Drain(keepingUp).Count.ShouldBe(5);
        keepingUp.Dropped.ShouldBe(0);
    }

    [Test]
    public void A_subscription_holds_one_event_at_least()
    {
        var events = new ChainEvents();

        Should.Throw<ArgumentOutOfRangeException>(() => events.Subscribe(capacity: 0));
        using var one = events.Subscribe(capacity: 1);
        events.Publish(Removed(1));
        events.Publish(Removed(2));

        Drain(one).Select(e => e.Sequence).ShouldBe([2L]);
        one.Dropped.ShouldBe(1);
    }

    [Test]
    public void A_disposed_subscription_gets_nothing_more_and_its_reader_completes_while_the_others_go_on()
    {
        var events = new ChainEvents();
        var leaving = events.Subscribe();
        using var staying = events.Subscribe();
        events.Publish(Removed(1));

        events.SubscriberCount.ShouldBe(2);
        leaving.Dispose();
        events.Publish(Removed(2));

        events.SubscriberCount.ShouldBe(1, "a disposed subscription is no longer filled, nor kept");
        leaving.Dispose();
        events.SubscriberCount.ShouldBe(1, "disposing twice changes nothing");

        Drain(leaving).Select(e => e.Sequence).ShouldBe([1L]);
        leaving.Reader.Completion.IsCompleted.ShouldBeTrue();
        Drain(staying).Select(e => e.Sequence).ShouldBe([1L, 2L]);
    }

    [Test]
    public async Task A_long_poll_waits_until_a_published_move_of_the_tip_and_ignores_other_events()
    {
        var events = new ChainEvents();
        events.SetTip(Genesis);
        var next = Child(Genesis, 1);

        var waiting = events.WaitForTipChangeAsync(Genesis.Hash);
        events.Publish(Removed(1));
        await Task.Yield();
        waiting.IsCompleted.ShouldBeFalse("the tip has not moved");

        events.Publish(new TipMoved(next, Genesis));

        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBeSameAs(next);
        (await events.WaitForTipChangeAsync(Genesis.Hash)).ShouldBeSameAs(next, "a waiter who knows an older tip is answered at once");
    }

    [Test]
    public async Task A_long_poll_before_any_tip_is_known_waits_for_the_first()
    {
        var events = new ChainEvents();

        var waiting = events.WaitForTipChangeAsync(Hash256.Zero);
        await Task.Yield();
        waiting.IsCompleted.ShouldBeFalse("no tip is known yet");

        events.SetTip(Genesis);

        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBeSameAs(Genesis);
    }

    [Test]
    public async Task A_tip_set_back_to_the_one_a_waiter_knows_keeps_it_waiting()
    {
        var events = new ChainEvents();
        events.SetTip(Genesis);
        var waiting = events.WaitForTipChangeAsync(Genesis.Hash);

        events.SetTip(Genesis);
        await Task.Yield();

        waiting.IsCompleted.ShouldBeFalse("the tip it knows is the tip again");
        var next = Child(Genesis, 2);
        events.SetTip(next);
        (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBeSameAs(next);
    }

    [Test]
    public async Task A_long_poll_given_up_ends_with_the_callers_cancellation()
    {
        var events = new ChainEvents();
        events.SetTip(Genesis);
        using var giveUp = new CancellationTokenSource();

        var waiting = events.WaitForTipChangeAsync(Genesis.Hash, giveUp.Token);
        await giveUp.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => waiting);
    }
}
