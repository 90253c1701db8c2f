using System.Collections.Concurrent;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Routes the nodes' peer traffic in memory: each node's named P2P client gets a handler from
/// <see cref="HandlerFor"/>, which delivers a request for <c>http://node-3/…</c> straight into node 3's
/// test server — unless the link between the two is down (the call fails as a refused connection
/// would) or delayed. A node that is stopped is simply not registered.
/// </summary>
public sealed class InMemoryPeerRouter
{
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _servers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string, string), TimeSpan> _delays = new();
    private readonly ConcurrentDictionary<(string, string), byte> _down = new();

    public void Register(string host, HttpMessageHandler server) => _servers[host] = new HttpMessageInvoker(server, disposeHandler: true);

    public void Unregister(string host)
    {
        if (_servers.TryRemove(host, out var invoker))
        {
            invoker.Dispose();
        }
    }

    public HttpMessageHandler HandlerFor(string source) => new RouteHandler(this, source);

    public void SetDown(string a, string b, bool down)
    {
        if (down)
        {
            _down[Key(a, b)] = 0;
        }
        else
        {
            _down.TryRemove(Key(a, b), out _);
        }
    }

    public bool IsDown(string a, string b) => _down.ContainsKey(Key(a, b));

    public void SetDelay(string a, string b, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            _delays[Key(a, b)] = delay;
        }
        else
        {
            _delays.TryRemove(Key(a, b), out _);
        }
    }

    /// <summary>Every link up and without delay.</summary>
    public void Reset()
    {
        _down.Clear();
        _delays.Clear();
    }

    private static (string, string) Key(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? (a.ToUpperInvariant(), b.ToUpperInvariant()) : (b.ToUpperInvariant(), a.ToUpperInvariant());

    private async Task<HttpResponseMessage> RouteAsync(string source, HttpRequestMessage request, CancellationToken ct)
    {
        var target = request.RequestUri?.Host ?? throw new HttpRequestException("The request has no URL.");
        if (_down.ContainsKey(Key(source, target)))
        {
            throw new HttpRequestException($"Connection refused: the link {source} – {target} is down.");
        }

        if (_delays.TryGetValue(Key(source, target), out var delay))
        {
            // Simulated latency of the link, not a wait for something to happen.
            await Task.Delay(delay, ct);
        }

        if (!_servers.TryGetValue(target, out var server))
        {
            throw new HttpRequestException($"Connection refused: {target} is not running.");
        }

        try
        {
            return await server.SendAsync(request, ct);
        }
        catch (ObjectDisposedException e)
        {
            throw new HttpRequestException($"Connection reset: {target} stopped.", e);
        }
        catch (InvalidOperationException e) when (!ct.IsCancellationRequested)
        {
            throw new HttpRequestException($"Connection reset: {target} is stopping ({e.Message}).", e);
        }
    }

    private sealed class RouteHandler(InMemoryPeerRouter router, string source) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            router.RouteAsync(source, request, cancellationToken);
    }
}
