using System.Net;
using ChainCore.Node.Network;

namespace ChainCore.Tests.Unit.Network;

[TestFixture, Category("Unit"), Category("Network")]
public sealed class InboundEvictionTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static EvictionCandidate Candidate(int i, string group = "g", int connectedAfter = 0, int? latencyMs = null, int? blockAt = null, int? txAt = null)
    {
        var peer = new Peer($"peer-{i}", PeerAddress.Parse($"http://peer-{i}"), PeerDirection.Inbound, IPAddress.Loopback, new string('a', 64), new string('b', 64), Start, 10);
        return new EvictionCandidate(peer, Start.AddSeconds(connectedAfter), latencyMs is { } l ? TimeSpan.FromMilliseconds(l) : null,
            blockAt is { } b ? Start.AddSeconds(b) : null, txAt is { } t ? Start.AddSeconds(t) : null, group);
    }

    private static ulong Key(string group) => (ulong)group.GetHashCode(StringComparison.Ordinal);

    [Test]
    public void The_youngest_of_the_most_crowded_group_is_evicted()
    {
        List<EvictionCandidate> inbound =
        [
            .. Enumerable.Range(0, 6).Select(i => Candidate(i, "fakes", connectedAfter: 100 + i)),
            Candidate(6, "a", connectedAfter: 1),
            Candidate(7, "b", connectedAfter: 2),
        ];

        InboundEviction.Select(inbound, Key)!.NodeId.ShouldBe("peer-5");
    }

    [Test]
    public void A_peer_that_gave_a_novel_block_or_transaction_or_answers_fastest_is_protected()
    {
        var inbound = Enumerable.Range(0, 8).Select(i => Candidate(i, "same", connectedAfter: 10 * i)).ToList();
        inbound[7] = Candidate(7, "same", connectedAfter: 70, blockAt: 500);
        inbound[6] = Candidate(6, "same", connectedAfter: 60, txAt: 500);
        inbound[5] = Candidate(5, "same", connectedAfter: 50, latencyMs: 1);

        var evicted = InboundEviction.Select(inbound, Key)!;

        evicted.NodeId.ShouldNotBeOneOf("peer-7", "peer-6", "peer-5");
        evicted.NodeId.ShouldBe("peer-4", "the youngest left once the protected are set aside");
    }

    [Test]
    public void Nobody_is_evicted_when_every_peer_is_protected()
    {
        InboundEviction.Select([Candidate(0)], Key).ShouldBeNull("one peer alone is protected by its group");
        InboundEviction.Select([], Key).ShouldBeNull();
    }

    [Test]
    public void A_full_set_of_eight_always_leaves_someone_to_evict()
    {
        var inbound = Enumerable.Range(0, 8).Select(i => Candidate(i, $"g{i}", connectedAfter: i, latencyMs: i + 1, blockAt: i, txAt: i)).ToList();

        InboundEviction.Select(inbound, Key).ShouldNotBeNull();
    }
}
