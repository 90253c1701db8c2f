using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ChainCore.Core.Api;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Network;

/// <summary>A peer answered with a problem (a refused handshake, a refused block): its stable code and detail.</summary>
public sealed class PeerRefusedException(int status, string code, string detail)
    : Exception($"{code} ({status}): {detail}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}

/// <summary>
/// Every outgoing call to a peer, through the named client <see cref="P2pOptions.HttpClientName"/>
/// (timeouts and retries in <see cref="P2pRetryHandler"/>; the test harness routes it in memory).
/// Each request names this node in <see cref="P2pHeaders.PeerId"/>. Transport failures surface as
/// <see cref="HttpRequestException"/> or <see cref="TimeoutException"/>; refusals as <see cref="PeerRefusedException"/>.
/// </summary>
public sealed class PeerClient(IHttpClientFactory clients, IOptions<NodeOptions> node)
{
    public async Task<PeerHello> HandshakeAsync(string url, PeerHello hello, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, url, "peers");
        request.Content = JsonContent.Create(hello, options: ApiJson.Options);
        return await SendForJsonAsync<PeerHello>(request, ct);
    }

    public async Task<PeersResponse> GetPeersAsync(string url, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, url, "peers");
        return await SendForJsonAsync<PeersResponse>(request, ct);
    }

    public async Task<StatusResponse> GetStatusAsync(string url, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, url, "status");
        return await SendForJsonAsync<StatusResponse>(request, ct);
    }

    public async Task<RelayResponse> SendBlockAsync(string url, Block block, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(block);
        using var request = Request(HttpMethod.Post, url, "p2p/blocks");
        request.Content = new StringContent(block.ToHex(), Encoding.ASCII, "text/plain");
        return await SendForJsonAsync<RelayResponse>(request, ct);
    }

    public async Task<RelayResponse> SendTransactionAsync(string url, Transaction transaction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        using var request = Request(HttpMethod.Post, url, "p2p/transactions");
        request.Content = new StringContent(transaction.ToHex(), Encoding.ASCII, "text/plain");
        return await SendForJsonAsync<RelayResponse>(request, ct);
    }

    public async Task<IReadOnlyList<BlockHeader>> GetHeadersAsync(string url, IReadOnlyList<Hash256> locator, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(locator);
        using var request = Request(HttpMethod.Get, url, $"p2p/headers?locator={string.Join(',', locator)}");
        var response = await SendForJsonAsync<HeadersResponse>(request, ct);
        var headers = new List<BlockHeader>(response.Headers.Count);
        foreach (var hex in response.Headers)
        {
            var bytes = Hex.TryDecode(hex, out var decoded) && decoded.Length == BlockHeader.Size
                ? decoded
                : throw new PeerRefusedException(200, PeerCodes.BadHeaders, "The peer sent a header that is not 80 bytes of hex.");
            headers.Add(BlockHeader.Parse(bytes));
        }

        return headers;
    }

    /// <summary>The block with <paramref name="hash"/>, or null if the peer does not have it.</summary>
    public async Task<Block?> GetBlockAsync(string url, Hash256 hash, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, url, $"p2p/blocks/{hash}");
        using var response = await Client.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await ThrowIfRefusedAsync(response, ct);
        var hex = (await response.Content.ReadAsStringAsync(ct)).Trim();
        try
        {
            return Hex.TryDecode(hex, out var bytes) ? Block.Parse(bytes) : throw new FormatException("not hex");
        }
        catch (FormatException e)
        {
            throw new PeerRefusedException(200, PeerCodes.UnexpectedBlock, $"The peer sent a block that does not parse: {e.Message}");
        }
    }

    private HttpClient Client => clients.CreateClient(P2pOptions.HttpClientName);

    private HttpRequestMessage Request(HttpMethod method, string url, string path)
    {
        var request = new HttpRequestMessage(method, new Uri($"{url.TrimEnd('/')}/{path}"));
        request.Headers.TryAddWithoutValidation(P2pHeaders.PeerId, node.Value.NodeId);
        return request;
    }

    private async Task<T> SendForJsonAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await Client.SendAsync(request, ct);
        await ThrowIfRefusedAsync(response, ct);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct)
                ?? throw new JsonException("The body is null.");
        }
        catch (JsonException e)
        {
            throw new PeerRefusedException((int)response.StatusCode, "bad-response", $"{request.RequestUri} answered with a body that is not the expected JSON: {e.Message}");
        }
    }

    private static async Task ThrowIfRefusedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var code = "http-" + ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var detail = response.ReasonPhrase ?? string.Empty;
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (problem.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (problem.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
                {
                    code = c.GetString()!;
                }

                if (problem.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
                {
                    detail = d.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
        }

        throw new PeerRefusedException((int)response.StatusCode, code, detail);
    }
}
