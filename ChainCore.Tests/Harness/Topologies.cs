using System.Globalization;

namespace ChainCore.Tests.Harness;

/// <summary>
/// How the nodes of a <see cref="TestNetwork"/> are connected at start (each node bootstraps from
/// its lower-numbered neighbours): the fixed shapes, and <see cref="Random"/> graphs for networks of
/// hundreds of nodes, where bugs of real networks live.
/// </summary>
public sealed class Topology
{
    private readonly Func<int, IReadOnlyList<(int A, int B)>> _edges;
    private readonly string _name;

    // A network asks for its edges once per node it starts; a random graph of a thousand nodes is built once.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, IReadOnlyList<(int A, int B)>> _built = new();

    private Topology(string name, Func<int, IReadOnlyList<(int A, int B)>> edges)
    {
        _name = name;
        _edges = edges;
    }

    /// <summary>No connections; use <see cref="TestNetwork.ConnectAsync"/>.</summary>
    public static Topology None { get; } = new(nameof(None), _ => []);

    /// <summary>node-0 – node-1 – node-2 – …</summary>
    public static Topology Line { get; } = new(nameof(Line), n => [.. Enumerable.Range(1, Math.Max(n - 1, 0)).Select(i => (i - 1, i))]);

    /// <summary>A line whose last node also connects to node-0.</summary>
    public static Topology Ring { get; } = new(nameof(Ring), n => n < 3 ? Line.Edges(n) : [.. Line.Edges(n), (0, n - 1)]);

    /// <summary>Every node connected to node-0.</summary>
    public static Topology Star { get; } = new(nameof(Star), n => [.. Enumerable.Range(1, Math.Max(n - 1, 0)).Select(i => (0, i))]);

    /// <summary>Every node connected to every other.</summary>
    public static Topology Full { get; } = new(nameof(Full), n => [.. Enumerable.Range(0, n).SelectMany(a => Enumerable.Range(a + 1, n - a - 1).Select(b => (a, b)))]);

    /// <summary>
    /// A random graph in which every node has exactly <paramref name="degree"/> neighbours (every
    /// other node when there are no more than that) and every node can reach every other; the same
    /// seed gives the same graph. Nodes × degree must be even, as in any graph.
    /// </summary>
    public static Topology Random(int degree, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        return new(string.Create(CultureInfo.InvariantCulture, $"Random(degree {degree}, seed {seed})"), n => RandomRegular(n, degree, seed));
    }

    /// <summary>The links for <paramref name="nodes"/> nodes, each once with the lower number first, in order.</summary>
    public IReadOnlyList<(int A, int B)> Edges(int nodes) => _built.GetOrAdd(nodes, _edges);

    public override string ToString() => _name;

    /// <summary>
    /// A ring over a random order of the nodes keeps the graph connected whatever else happens; the
    /// other links start as a ring lattice (each node linked to its next degree/2 along the ring, and
    /// to the opposite node for an odd degree), which has the right degrees but long paths, and are
    /// then rewired by random double-edge swaps, which keep every degree and leave the ring alone.
    /// </summary>
    private static List<(int A, int B)> RandomRegular(int nodes, int degree, int seed)
    {
        if (degree >= nodes - 1)
        {
            return [.. Full.Edges(nodes)];
        }

        if (degree == 1 && nodes > 2)
        {
            throw new ArgumentException($"{nodes} nodes of one neighbour each cannot form one connected network.", nameof(degree));
        }

        if (nodes * degree % 2 != 0)
        {
            throw new ArgumentException($"{nodes} nodes cannot all have {degree} neighbours: nodes × degree must be even.", nameof(degree));
        }

        var random = new System.Random(seed);
        var order = Enumerable.Range(0, nodes).ToArray();
        random.Shuffle(order);

        var links = new HashSet<(int, int)>();
        var ring = new List<(int A, int B)>(nodes);
        var rewirable = new List<(int A, int B)>(nodes * degree / 2);
        for (var i = 0; i < nodes; i++)
        {
            ring.Add(Link(order[i], order[(i + 1) % nodes]));
            for (var step = 2; step <= degree / 2; step++)
            {
                rewirable.Add(Link(order[i], order[(i + step) % nodes]));
            }

            // An odd degree (with an even number of nodes) links each node to the one opposite.
            if (degree % 2 == 1 && i < nodes / 2)
            {
                rewirable.Add(Link(order[i], order[i + (nodes / 2)]));
            }
        }

        links.UnionWith(ring);
        links.UnionWith(rewirable);
        for (var swap = 0; swap < rewirable.Count * 10 && rewirable.Count >= 2; swap++)
        {
            var i = random.Next(rewirable.Count);
            var j = random.Next(rewirable.Count);
            var (a, b) = rewirable[i];
            var (c, d) = rewirable[j];
            if (random.Next(2) == 1)
            {
                (c, d) = (d, c);
            }

            // a–b, c–d become a–d, c–b: every node keeps its degree; no loop, no link twice.
            var first = Link(a, d);
            var second = Link(c, b);
            if (a == d || c == b || first == second || links.Contains(first) || links.Contains(second))
            {
                continue;
            }

            links.Remove(rewirable[i]);
            links.Remove(rewirable[j]);
            links.Add(first);
            links.Add(second);
            rewirable[i] = first;
            rewirable[j] = second;
        }

        return [.. links.Order()];
    }

    private static (int A, int B) Link(int a, int b) => a < b ? (a, b) : (b, a);
}
