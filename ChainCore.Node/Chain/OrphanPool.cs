using ChainCore.Core.Primitives;

namespace ChainCore.Node.Chain;

/// <summary>
/// Blocks whose parent is not known yet, bounded by count and by bytes: past either limit the
/// oldest are dropped. Children are indexed by parent, so taking them is O(children). Used by the
/// chain's writer only.
/// </summary>
internal sealed class OrphanPool(int maxCount, long maxBytes)
{
    private readonly Dictionary<Hash256, LinkedListNode<Block>> _byHash = [];
    private readonly Dictionary<Hash256, List<Hash256>> _byParent = [];
    private readonly LinkedList<Block> _arrival = new();

    public int Count => _byHash.Count;

    public long Bytes { get; private set; }

    public bool Contains(Hash256 hash) => _byHash.ContainsKey(hash);

    /// <summary>Keeps <paramref name="block"/>; returns false if it is known already or alone exceeds the byte limit.</summary>
    public bool Add(Block block)
    {
        var size = block.SerializedSize;
        if (_byHash.ContainsKey(block.Hash) || size > maxBytes || maxCount <= 0)
        {
            return false;
        }

        _byHash.Add(block.Hash, _arrival.AddLast(block));
        var parent = block.Header.PreviousHash;
        if (!_byParent.TryGetValue(parent, out var siblings))
        {
            _byParent[parent] = siblings = [];
        }

        siblings.Add(block.Hash);
        Bytes += size;
        while (_byHash.Count > maxCount || Bytes > maxBytes)
        {
            Remove(_arrival.First!.Value.Hash);
        }

        return true;
    }

    public IReadOnlyList<Block> TakeChildren(Hash256 parent)
    {
        if (!_byParent.TryGetValue(parent, out var hashes))
        {
            return [];
        }

        var children = hashes.Select(h => _byHash[h].Value).ToList();
        foreach (var child in children)
        {
            Remove(child.Hash);
        }

        return children;
    }

    private void Remove(Hash256 hash)
    {
        if (!_byHash.Remove(hash, out var node))
        {
            return;
        }

        _arrival.Remove(node);
        Bytes -= node.Value.SerializedSize;
        var parent = node.Value.Header.PreviousHash;
        var siblings = _byParent[parent];
        siblings.Remove(hash);
        if (siblings.Count == 0)
        {
            _byParent.Remove(parent);
        }
    }
}
