using System.Net.Http.Json;
using System.Text.Json;
using ChainCore.Core.Api;
using ChainCore.Node.Network;

namespace ChainCore.Tests.Integration.Network;

/// <summary>Reading a node's peer endpoints and problems by hand.</summary>
internal static class PeerApi
{
    /// <summary>The problem's stable <c>code</c>.</summary>
    public static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    public static async Task<PeersResponse> PeersAsync(HttpClient node) =>
        (await node.GetFromJsonAsync<PeersResponse>("/peers", ApiJson.Options))!;

    public static async Task<BannedResponse> BannedAsync(HttpClient node) =>
        (await node.GetFromJsonAsync<BannedResponse>("/peers/banned", ApiJson.Options))!;
}
