using System.Collections.Concurrent;
using System.Net;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Routes peer traffic in memory: each node's named P2P client (and each <see cref="TestPeer"/>) gets a
/// handler from <see cref="HandlerFor"/>, which delivers a request for <c>http://node-3/…</c> straight
/// into the host registered as <c>node-3</c> — unless the link between the two is down (the call fails
/// as a refused connection would) or delayed. The receiving host sees the sender's remote address
/// (<see cref="SetRemoteAddress"/>; loopback unless set), as a socket would show it. Bytes of bodies
/// received are counted per host (<see cref="BytesReceived"/>). A stopped node is simply not registered.
/// </summary>
public sealed class InMemoryPeerRouter
{
    private readonly ConcurrentDictionary<string, Func<IPAddress, HttpMessageHandler>> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Source, string Target), HttpMessageInvoker> _invokers = new();
    private readonly ConcurrentDictionary<string, IPAddress> _remote = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string, string), TimeSpan> _delays = new();
    private readonly ConcurrentDictionary<(string, string), byte> _down = new();
    private readonly ConcurrentDictionary<string, long> _received = new(StringComparer.OrdinalIgnoreCase);

    private readonly ConcurrentQueue<string> _serverErrors = new();

    /// <summary>Every routed call a host answered with a 5xx other than 503, in order.</summary>
    public IReadOnlyList<string> ServerErrors => [.. _serverErrors];

    /// <summary>Registers a host; <paramref name="handlerFor"/> gives a handler into it that shows a given remote address.</summary>
    public void Register(string host, Func<IPAddress, HttpMessageHandler> handlerFor)
    {
        Unregister(host);
        _hosts[host] = handlerFor;
    }

    public void Unregister(string host)
    {
        _hosts.TryRemove(host, out _);
        foreach (var key in _invokers.Keys.Where(k => string.Equals(k.Target, host, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            if (_invokers.TryRemove(key, out var invoker))
            {
                invoker.Dispose();
            }
        }
    }

    /// <summary>The remote address the hosts see on calls from <paramref name="source"/>.</summary>
    public void SetRemoteAddress(string source, IPAddress address) => _remote[source] = address;

    public HttpMessageHandler HandlerFor(string source) => new RouteHandler(this, source);

    /// <summary>Bytes of request and answer bodies <paramref name="host"/> has received so far.</summary>
    public long BytesReceived(string host) => _received.GetValueOrDefault(host);

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
        var target = request.RequestUri?.Authority ?? throw new HttpRequestException("The request has no URL.");
        if (_down.ContainsKey(Key(source, target)))
        {
            throw new HttpRequestException($"Connection refused: the link {source} – {target} is down.");
        }

        if (_delays.TryGetValue(Key(source, target), out var delay))
        {
            // Simulated latency of the link, not a wait for something to happen.
            await Task.Delay(delay, ct);
        }

        if (!_hosts.TryGetValue(target, out var handlerFor))
        {
            throw new HttpRequestException($"Connection refused: {target} is not running.");
        }

        var invoker = _invokers.GetOrAdd((source, target), _ => new HttpMessageInvoker(handlerFor(_remote.GetValueOrDefault(source, IPAddress.Loopback)), disposeHandler: true));
        if (request.Content is not null)
        {
            var body = await request.Content.ReadAsByteArrayAsync(ct);
            _received.AddOrUpdate(target, body.Length, (_, n) => n + body.Length);
        }

        HttpResponseMessage response;
        try
        {
            response = await invoker.SendAsync(request, ct);
        }
        catch (ObjectDisposedException e)
        {
            throw new HttpRequestException($"Connection reset: {target} stopped.", e);
        }
        catch (InvalidOperationException e) when (!ct.IsCancellationRequested)
        {
            throw new HttpRequestException($"Connection reset: {target} is stopping ({e.Message}).", e);
        }

        // 503 is a refusal (a stopping node, no slot free), not a fault.
        if ((int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            _serverErrors.Enqueue($"{request.Method} {request.RequestUri} from {source}: {(int)response.StatusCode}");
        }

        response.Content = new CountingContent(response.Content, n => _received.AddOrUpdate(source, n, (_, total) => total + n));
        return response;
    }

    private sealed class RouteHandler(InMemoryPeerRouter router, string source) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            router.RouteAsync(source, request, cancellationToken);
    }

    /// <summary>An answer's body, counted as the receiver reads it (a receiver that stops early is charged only what it read).</summary>
    private sealed class CountingContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly Action<long> _count;

        public CountingContent(HttpContent inner, Action<long> count)
        {
            _inner = inner;
            _count = count;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task<Stream> CreateContentReadStreamAsync() => new CountingStream(await _inner.ReadAsStreamAsync(), _count);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await using var counted = new CountingStream(await _inner.ReadAsStreamAsync(), _count);
            await counted.CopyToAsync(stream);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? -1;
            return length >= 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class CountingStream(Stream inner, Action<long> count) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count1)
        {
            var n = inner.Read(buffer, offset, count1);
            count(n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            count(n);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count1, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count1), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count1) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
