using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChainCore.Core.Api;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;

namespace ChainCore.Node.Network;

/// <summary>A peer answered with a problem (a refused handshake, an unknown nonce): its status, stable code and detail.</summary>
public sealed class PeerRefusedException(int status, string code, string detail)
    : Exception($"{code} ({status}): {detail}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}

/// <summary>
/// Every outgoing call to another node, through the named client <see cref="P2pOptions.HttpClientName"/>
/// (timeouts and retries in <see cref="P2pRetryHandler"/>; the test harness routes it in memory).
/// An answer is never read whole on trust: each is read as a stream up to a cap fit for its kind
/// (<see cref="PeerWire"/>), and one over its cap, or one that does not parse, throws
/// <see cref="PeerProtocolException"/> — misbehaviour of the peer. Transport failures surface as
/// <see cref="HttpRequestException"/> or <see cref="TimeoutException"/>; refusals as <see cref="PeerRefusedException"/>.
/// </summary>
public sealed class PeerClient(IHttpClientFactory clients, ChainEngine chain, Microsoft.Extensions.Options.IOptions<P2pOptions> options) : IPeerClient
{
    public async Task<PeerWelcome> HandshakeAsync(PeerAddress address, PeerHello hello, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var request = Request(HttpMethod.Post, address, "peers", session: null);
        request.Content = JsonContent.Create(hello, options: ApiJson.Options);
        return PeerWire.ParseWelcome(await SendAsync(request, PeerWire.MaxSmallMessageBytes, ct));
    }

    /// <summary>Asks the node at <paramref name="address"/> to confirm the nonce of the handshake it sent.</summary>
    public async Task<PeerConfirmation> ConfirmAsync(PeerAddress address, PeerConfirmRequest confirm, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var request = Request(HttpMethod.Post, address, "peers/confirm", session: null);
        request.Content = JsonContent.Create(confirm, options: ApiJson.Options);
        return PeerWire.ParseConfirmation(await SendAsync(request, PeerWire.MaxSmallMessageBytes, ct));
    }

    public async Task<StatusResponse> GetStatusAsync(Peer peer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var request = Request(HttpMethod.Get, peer.Address, "p2p/status", peer.SessionOut);
        var bytes = await SendAsync(request, PeerWire.MaxSmallMessageBytes, ct);
        try
        {
            return JsonSerializer.Deserialize<StatusResponse>(bytes, ApiJson.Options) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new PeerProtocolException(PeerCodes.MalformedAnswer, $"The status answer is not the expected JSON: {e.Message}");
        }
    }

    public async Task<IReadOnlyList<string>> GetAddressesAsync(Peer peer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var request = Request(HttpMethod.Get, peer.Address, "p2p/addresses", peer.SessionOut);
        return PeerWire.ParseAddresses(await SendAsync(request, PeerWire.MaxAddressesAnswerBytes, ct));
    }

    /// <summary>Announces blocks by header and transactions by id.</summary>
    public async Task AnnounceAsync(Peer peer, IReadOnlyList<BlockHeader> headers, IReadOnlyList<Hash256> txids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var request = Request(HttpMethod.Post, peer.Address, "p2p/announce", peer.SessionOut);
        var message = new InventoryMessage(
            [.. headers.Select(h => Core.Serialization.Hex.Encode(h.Serialize()))],
            [.. txids.Select(t => t.ToString())]);
        request.Content = JsonContent.Create(message, options: ApiJson.Options);
        await SendAsync(request, PeerWire.MaxSmallMessageBytes, ct);
    }

    public async Task<IReadOnlyList<BlockHeader>> GetHeadersAsync(Peer peer, IReadOnlyList<Hash256> locator, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(locator);
        using var request = Request(HttpMethod.Get, peer.Address, $"p2p/headers?locator={string.Join(',', locator)}", peer.SessionOut);
        return PeerWire.ParseHeadersAnswer(await SendAsync(request, PeerWire.MaxHeadersAnswerBytes, ct));
    }

    /// <summary>The block with <paramref name="hash"/>, or null if the peer does not have it.</summary>
    public async Task<Block?> GetBlockAsync(Peer peer, Hash256 hash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var request = Request(HttpMethod.Get, peer.Address, $"p2p/blocks/{hash}", peer.SessionOut);
        var bytes = await SendAsync(request, PeerWire.MaxBlockBytes(chain.Params), notFoundIsNull: true, ct);
        return bytes is null ? null : PeerWire.ParseBlockHex(bytes);
    }

    /// <summary>The mempool transaction with <paramref name="txid"/>, or null if the peer does not have it.</summary>
    public async Task<Transaction?> GetTransactionAsync(Peer peer, Hash256 txid, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var request = Request(HttpMethod.Get, peer.Address, $"p2p/transactions/{txid}", peer.SessionOut);
        var bytes = await SendAsync(request, PeerWire.MaxTransactionBytes, notFoundIsNull: true, ct);
        return bytes is null ? null : PeerWire.ParseTransactionHex(bytes);
    }

    private HttpClient Client => clients.CreateClient(P2pOptions.HttpClientName);

    private static HttpRequestMessage Request(HttpMethod method, PeerAddress address, string path, string? session)
    {
        var request = new HttpRequestMessage(method, new Uri($"{address.Value}/{path}"));
        if (session is not null)
        {
            request.Headers.TryAddWithoutValidation(P2pHeaders.Session, session);
        }

        return request;
    }

    private Task<byte[]> SendAsync(HttpRequestMessage request, int cap, CancellationToken ct) =>
        SendAsync(request, cap, notFoundIsNull: false, ct)!;

    /// <summary>Sends and reads the answer's body as it streams in, never past <paramref name="cap"/> bytes.</summary>
    private async Task<byte[]?> SendAsync(HttpRequestMessage request, int cap, bool notFoundIsNull, CancellationToken ct)
    {
        try
        {
            return await SendOnceAsync(request, cap, notFoundIsNull, ct);
        }
        catch (IOException e)
        {
            // The connection broke in the middle of the answer: a transport failure like any other.
            throw new HttpRequestException($"{request.Method} {request.RequestUri} broke off its answer: {e.Message}", e);
        }
    }

    private async Task<byte[]?> SendOnceAsync(HttpRequestMessage request, int cap, bool notFoundIsNull, CancellationToken ct)
    {
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await RefusalAsync(response, ct);
        }

        // The retry handler's timeouts end with the headers: the body gets one of its own, so that a
        // peer that sends its headers and then a trickle cannot hold this call open.
        using var bodyTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bodyTimeout.CancelAfter(options.Value.RequestTimeout);
        try
        {
            return await ReadCappedAsync(response.Content, cap, bodyTimeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{request.Method} {request.RequestUri} sent its answer too slowly (more than {options.Value.RequestTimeout.TotalSeconds:0.###} s).");
        }
    }

    /// <summary>Reads at most <paramref name="cap"/> bytes of <paramref name="content"/>; a longer body is a protocol violation.</summary>
    public static async Task<byte[]> ReadCappedAsync(HttpContent content, int cap, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Headers.ContentLength > cap)
        {
            throw Oversized(cap);
        }

        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > cap)
            {
                throw Oversized(cap);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static PeerProtocolException Oversized(int cap) =>
        new(PeerCodes.OversizedAnswer, $"The peer's answer is larger than the {cap} bytes its kind may have.");

    private static async Task<PeerRefusedException> RefusalAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var code = "http-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var detail = response.ReasonPhrase ?? string.Empty;
        try
        {
            var (problemCode, problemDetail) = PeerWire.ParseProblem(await ReadCappedAsync(response.Content, PeerWire.MaxSmallMessageBytes, ct));
            code = problemCode ?? code;
            detail = problemDetail ?? detail;
        }
        catch (PeerProtocolException)
        {
            // A refusal without a readable problem still refuses: its status says enough.
        }

        return new PeerRefusedException(status, code, detail.Length > 300 ? detail[..300] : detail);
    }
}
