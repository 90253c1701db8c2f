using ChainCore.Core.Primitives;

namespace ChainCore.Node.Chain;

/// <summary>Blocks whose parent is not known yet, bounded: past the limit the oldest is dropped.</summary>
internal sealed class OrphanPool(int capacity)
{
    private readonly Dictionary<Hash256, Block> _byHash = [];
    private readonly LinkedList<Hash256> _arrival = new();

    public int Count => _byHash.Count;

    public bool Contains(Hash256 hash) => _byHash.ContainsKey(hash);

    public void Add(Block block)
    {
        if (!_byHash.TryAdd(block.Hash, block))
        {
            return;
        }

        _arrival.AddLast(block.Hash);
        while (_byHash.Count > capacity)
        {
            _byHash.Remove(_arrival.First!.Value);
            _arrival.RemoveFirst();
        }
    }

    public IReadOnlyList<Block> TakeChildren(Hash256 parent)
    {
        var children = _byHash.Values.Where(b => b.Header.PreviousHash == parent).ToList();
        foreach (var child in children)
        {
            _byHash.Remove(child.Hash);
            _arrival.Remove(child.Hash);
        }

        return children;
    }
}
