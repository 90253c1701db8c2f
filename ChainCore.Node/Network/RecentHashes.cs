using ChainCore.Core.Primitives;

namespace ChainCore.Node.Network;

/// <summary>
/// A bounded set of hashes, oldest forgotten first: what a peer is known to have, or what this node
/// refused lately, so that neither is announced or fetched again.
/// </summary>
public sealed class RecentHashes(int capacity)
{
    private readonly Lock _sync = new();
    private readonly HashSet<Hash256> _set = [];
    private readonly Queue<Hash256> _order = new();

    public void Add(Hash256 hash)
    {
        lock (_sync)
        {
            if (_set.Add(hash))
            {
                _order.Enqueue(hash);
                while (_order.Count > capacity)
                {
                    _set.Remove(_order.Dequeue());
                }
            }
        }
    }

    public bool Contains(Hash256 hash)
    {
        lock (_sync)
        {
            return _set.Contains(hash);
        }
    }
}
