using ChainCore.Core.Primitives;

namespace ChainCore.Node.Network;

/// <summary>
/// Which peer sent a block or transaction (bounded, oldest forgotten first), so that relay announces
/// it to every peer but that one.
/// </summary>
public sealed class RelaySources
{
    private const int Capacity = 20_000;
    private readonly Lock _sync = new();
    private readonly Dictionary<Hash256, string> _sources = [];
    private readonly Queue<Hash256> _order = new();

    public void Record(Hash256 hash, string nodeId)
    {
        lock (_sync)
        {
            if (_sources.TryAdd(hash, nodeId))
            {
                _order.Enqueue(hash);
                while (_order.Count > Capacity)
                {
                    _sources.Remove(_order.Dequeue());
                }
            }
        }
    }

    public string? SourceOf(Hash256 hash)
    {
        lock (_sync)
        {
            return _sources.GetValueOrDefault(hash);
        }
    }
}
