using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ChainCore.Node.Network;

/// <summary>Peers this node should catch up from, each at most once in the queue; <see cref="BlockSync"/> takes them one at a time.</summary>
public sealed class SyncQueue
{
    private readonly Channel<string> _requests = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _pending = new();

    public void Request(string nodeId)
    {
        if (_pending.TryAdd(nodeId, 0))
        {
            _requests.Writer.TryWrite(nodeId);
        }
    }

    internal async ValueTask<string> NextAsync(CancellationToken ct)
    {
        var nodeId = await _requests.Reader.ReadAsync(ct);
        _pending.TryRemove(nodeId, out _);
        return nodeId;
    }
}
