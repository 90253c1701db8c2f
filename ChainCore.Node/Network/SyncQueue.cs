using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ChainCore.Node.Network;

/// <summary>Sessions this node should catch up from, each at most once in the queue; <see cref="BlockSync"/> takes them one at a time.</summary>
public sealed class SyncQueue
{
    private readonly Channel<Peer> _requests = Channel.CreateUnbounded<Peer>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Peer, byte> _pending = new();

    public void Request(Peer peer)
    {
        if (_pending.TryAdd(peer, 0))
        {
            _requests.Writer.TryWrite(peer);
        }
    }

    internal async ValueTask<Peer> NextAsync(CancellationToken ct)
    {
        var peer = await _requests.Reader.ReadAsync(ct);
        _pending.TryRemove(peer, out _);
        return peer;
    }
}
