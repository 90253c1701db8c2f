using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Harness;

/// <summary>The test network's topologies: random graphs have the asked degree everywhere, hold together, and are a function of their seed.</summary>
[TestFixture, Category("Unit"), Category("Network")]
public sealed class TopologyTests
{
    [TestCase(10, 3), TestCase(100, 8), TestCase(1000, 8), TestCase(501, 2), TestCase(64, 5)]
    public void A_random_topology_gives_every_node_its_degree_and_holds_together(int nodes, int degree)
    {
        var edges = Topology.Random(degree, seed: 7).Edges(nodes);

        edges.Count.ShouldBe(nodes * degree / 2);
        edges.ShouldAllBe(e => e.A < e.B && e.A >= 0 && e.B < nodes, "each link once, lower number first");
        edges.Distinct().Count().ShouldBe(edges.Count, "no link twice");
        var degrees = edges.SelectMany(e => new[] { e.A, e.B }).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        Enumerable.Range(0, nodes).Where(n => degrees.GetValueOrDefault(n) != degree).ShouldBeEmpty("every node has exactly the degree");
        Reachable(nodes, edges).ShouldBe(nodes, "every node reaches every other");
    }

    [Test]
    public void A_random_topology_is_a_function_of_its_seed()
    {
        Topology.Random(8, seed: 42).Edges(200).ShouldBe(Topology.Random(8, seed: 42).Edges(200));
        Topology.Random(8, seed: 42).Edges(200).ShouldNotBe(Topology.Random(8, seed: 43).Edges(200));
    }

    [Test]
    public void A_random_topology_has_short_paths_as_a_random_graph_does()
    {
        // A ring lattice of 1,000 nodes and degree 8 is 125 hops across; a random 8-regular graph about 5.
        Diameter(1000, Topology.Random(8, seed: 1).Edges(1000)).ShouldBeLessThanOrEqualTo(8);
    }

    [Test]
    public void A_degree_at_or_above_the_other_nodes_connects_everyone()
    {
        Topology.Random(8, seed: 3).Edges(5).ShouldBe(Topology.Full.Edges(5));
    }

    [Test]
    public void A_degree_no_connected_graph_can_have_is_refused_with_the_reason()
    {
        Should.Throw<ArgumentException>(() => Topology.Random(3, seed: 1).Edges(11)).Message.ShouldContain("must be even");
        Should.Throw<ArgumentException>(() => Topology.Random(1, seed: 1).Edges(10)).Message.ShouldContain("connected");
    }

    [Test]
    public void The_fixed_topologies_keep_their_shapes()
    {
        Topology.Line.Edges(4).ShouldBe([(0, 1), (1, 2), (2, 3)]);
        Topology.Ring.Edges(4).ShouldBe([(0, 1), (1, 2), (2, 3), (0, 3)]);
        Topology.Star.Edges(4).ShouldBe([(0, 1), (0, 2), (0, 3)]);
        Topology.Full.Edges(3).ShouldBe([(0, 1), (0, 2), (1, 2)]);
        Topology.None.Edges(3).ShouldBeEmpty();
    }

    private static int Reachable(int nodes, IReadOnlyList<(int A, int B)> edges) => Distances(nodes, edges, 0).Count(d => d >= 0);

    private static int Diameter(int nodes, IReadOnlyList<(int A, int B)> edges) =>
        Enumerable.Range(0, nodes).Where(n => n % 50 == 0).Max(n => Distances(nodes, edges, n).Max());

    private static int[] Distances(int nodes, IReadOnlyList<(int A, int B)> edges, int from)
    {
        var neighbours = Enumerable.Range(0, nodes).Select(_ => new List<int>()).ToArray();
        foreach (var (a, b) in edges)
        {
            neighbours[a].Add(b);
            neighbours[b].Add(a);
        }

        var distance = Enumerable.Repeat(-1, nodes).ToArray();
        distance[from] = 0;
        var queue = new Queue<int>([from]);
        while (queue.TryDequeue(out var node))
        {
            foreach (var next in neighbours[node].Where(n => distance[n] < 0))
            {
                distance[next] = distance[node] + 1;
                queue.Enqueue(next);
            }
        }

        return distance;
    }
}
