using ChainCore.Node.Network;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Unit.Network;

[TestFixture, Category("Unit"), Category("Network")]
public sealed class AddressBookTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    private static PeerAddress At(int i) => PeerAddress.Parse($"http://203.0.{i / 250}.{(i % 250) + 1}:8333");

    [Test]
    public void The_new_table_is_bounded_and_a_full_one_drops_its_worst_entry()
    {
        var book = new AddressBook(_clock, allowPrivate: false, maxNew: 10, maxTried: 5, maxPerSource: 100);
        for (var i = 0; i < 10; i++)
        {
            book.Add(At(i), "src").ShouldBeTrue();
        }

        book.Failed(At(3));
        book.Add(At(10), "src").ShouldBeTrue();

        book.NewCount.ShouldBe(10);
        book.Contains(At(3)).ShouldBeFalse("the entry with failures goes first");
        book.Contains(At(10)).ShouldBeTrue();
    }

    [Test]
    public void One_source_gives_at_most_its_share_of_the_new_table()
    {
        var book = new AddressBook(_clock, allowPrivate: false, maxNew: 100, maxTried: 10, maxPerSource: 4);
        var added = Enumerable.Range(0, 20).Count(i => book.Add(At(i), "mallory"));

        added.ShouldBe(4);
        book.Add(At(50), "honest").ShouldBeTrue();
    }

    [Test]
    public void Only_tried_addresses_are_given_out_and_the_tried_table_is_bounded()
    {
        var book = new AddressBook(_clock, allowPrivate: false, maxNew: 100, maxTried: 3, maxPerSource: 100);
        for (var i = 0; i < 6; i++)
        {
            book.Add(At(i), "src");
        }

        book.Tried(10).ShouldBeEmpty();
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            book.Good(At(i));
        }

        book.TriedCount.ShouldBe(3);
        book.Tried(10).ShouldBe([At(4), At(3), At(2)], "most recently good first; the oldest made room");
    }

    [Test]
    public void An_address_that_keeps_failing_is_dropped_and_one_that_failed_waits_its_back_off()
    {
        var book = new AddressBook(_clock, allowPrivate: false);
        book.Add(At(1), "src");
        book.Good(At(2));

        book.Candidates(10, _ => false).ShouldBe([At(2), At(1)], "tried first");
        book.Failed(At(1)).ShouldBeFalse();
        book.Candidates(10, _ => false).ShouldNotContain(At(1), "back-off after a failure");
        _clock.Advance(TimeSpan.FromMinutes(2));
        book.Candidates(10, _ => false).ShouldContain(At(1));
        book.Failed(At(1)).ShouldBeFalse();
        book.Failed(At(1)).ShouldBeTrue("a new address is dropped after three failures");
        book.Contains(At(1)).ShouldBeFalse();

        for (var i = 1; i < AddressBook.MaxTriedFailures; i++)
        {
            book.Failed(At(2)).ShouldBeFalse();
        }

        book.Failed(At(2)).ShouldBeTrue("a tried address is dropped after ten");
    }

    [Test]
    public void Non_routable_addresses_are_learned_only_where_allowed()
    {
        var strict = new AddressBook(_clock, allowPrivate: false);
        var open = new AddressBook(_clock, allowPrivate: true);
        foreach (var text in new[] { "http://127.0.0.1:1", "http://10.0.0.1:1", "http://node-3" })
        {
            strict.Add(PeerAddress.Parse(text), "src").ShouldBeFalse(text);
            open.Add(PeerAddress.Parse(text), "src").ShouldBeTrue(text);
        }
    }

    [Test]
    public void Candidates_leave_out_what_the_caller_excludes()
    {
        var book = new AddressBook(_clock, allowPrivate: false);
        book.Good(At(1));
        book.Good(At(2));

        book.Candidates(10, a => a.Equals(At(1))).ShouldBe([At(2)]);
        book.Candidates(1, _ => false).Count.ShouldBe(1);
    }
}
