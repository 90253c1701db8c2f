using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Node.Network;

namespace ChainCore.Tests.Integration.Network;

/// <summary>A test playing a peer by hand: handshakes and P2P pushes over a node's HTTP endpoint.</summary>
internal static class PeerApi
{
    public static PeerHello Hello(string nodeId, string url = "http://fake-peer", string network = "regtest", string? genesis = null) =>
        new(nodeId, url, network, genesis ?? ConsensusParams.Regtest.GenesisHash.ToString());

    public static Task<HttpResponseMessage> HandshakeAsync(HttpClient node, PeerHello hello) =>
        node.PostAsJsonAsync("/peers", hello, ApiJson.Options);

    public static Task<HttpResponseMessage> PushAsync(HttpClient node, string path, string body, string? fromPeer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.ASCII, "text/plain") };
        if (fromPeer is not null)
        {
            request.Headers.Add(P2pHeaders.PeerId, fromPeer);
        }

        return node.SendAsync(request);
    }

    /// <summary>The problem's stable <c>code</c>.</summary>
    public static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    public static async Task<PeersResponse> PeersAsync(HttpClient node) =>
        (await node.GetFromJsonAsync<PeersResponse>("/peers", ApiJson.Options))!;
}
