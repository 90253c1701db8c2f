using System.Runtime.CompilerServices;

namespace ChainCore.Node.Chain;

/// <summary>
/// An immutable view of the best chain as an array by height (Bitcoin's <c>CChain</c>): the block at
/// a height and whether an entry is on the chain are O(1). The writer builds the next view with
/// <see cref="WithTip"/>; a view already published never changes, so readers hold one without locks.
/// </summary>
public sealed class ActiveChain
{
    private readonly BlockIndexEntry[] _byHeight;

    // Highest slot of the shared array any view uses: only the view that reaches it may append in place.
    private readonly StrongBox<int> _used;

    private ActiveChain(BlockIndexEntry[] byHeight, int height, StrongBox<int> used)
    {
        _byHeight = byHeight;
        Height = height;
        _used = used;
    }

    public static ActiveChain Empty => new([], -1, new StrongBox<int>());

    public int Height { get; }

    public BlockIndexEntry Tip => Height >= 0 ? _byHeight[Height] : throw new InvalidOperationException("The chain is empty.");

    public BlockIndexEntry? this[int height] => height >= 0 && height <= Height ? _byHeight[height] : null;

    public bool Contains(BlockIndexEntry entry) => this[entry.Height] == entry;

    /// <summary>Slots of the array behind this view (for the tests of its growth).</summary>
    internal int Capacity => _byHeight.Length;

    /// <summary>Whether this view and <paramref name="other"/> read the same array (for the tests of when a view copies).</summary>
    internal bool SharesArrayWith(ActiveChain other) => ReferenceEquals(_byHeight, other._byHeight);

    /// <summary>
    /// The chain ending at <paramref name="tip"/>. Appending shares the array with this view (slots
    /// above this view's height are invisible to it); replacing blocks below copies it, so this
    /// view never changes.
    /// </summary>
    public ActiveChain WithTip(BlockIndexEntry tip)
    {
        ArgumentNullException.ThrowIfNull(tip);
        var fork = tip.GetAncestor(Math.Min(tip.Height, Height));

        while (fork is not null && this[fork.Height] != fork)
        {
            fork = fork.Parent;
        }

        var forkHeight = fork?.Height ?? -1;
        var array = _byHeight;
        var used = _used;
        if (forkHeight < Height || tip.Height >= array.Length || used.Value != Height)
        {
            // Slots a published view shows would change, or there is no room: copy.
            var length = tip.Height < array.Length ? array.Length : Math.Max(tip.Height + 1, Math.Max(16, array.Length * 2));
            array = new BlockIndexEntry[length];
            Array.Copy(_byHeight, array, forkHeight + 1);
            used = new StrongBox<int>();
        }

        for (var e = tip; e is not null && e.Height > forkHeight; e = e.Parent)
        {
            array[e.Height] = e;
        }

        used.Value = tip.Height;
        return new ActiveChain(array, tip.Height, used);
    }
}
