using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChainCore.Core.Api;
using ChainCore.Core.Mining;
using ChainCore.Miner;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ChainCore.Tests.Harness;

/// <summary>How a test miner is set up: whom it pays, how many workers, and whether it starts mining at once.</summary>
public sealed record MinerSettings(string Address)
{
    public int Workers { get; init; } = 1;

    public bool AutoStart { get; init; } = true;

    public KernelWidth? Kernel { get; init; }

    /// <summary>Templates arrive with a target no hash meets, so the miner works on each until the node's tip moves.</summary>
    public bool UnsolvableTemplates { get; init; }
}

/// <summary>
/// Hosts a ChainCore miner in the test process against an in-process node: the miner's node
/// <see cref="HttpClient"/> is routed to the node's test server.
/// </summary>
public sealed class MinerFactory(TestNode node, MinerSettings settings) : WebApplicationFactory<ChainCore.Miner.Program>
{
    public MinerSettings Settings { get; } = settings;

    public MiningService Service => Services.GetRequiredService<MiningService>();

    public async Task<MinerStatusResponse> StatusAsync(CancellationToken ct = default)
    {
        using var http = CreateClient();
        return (await http.GetFromJsonAsync<MinerStatusResponse>("status", ApiJson.Options, ct))!;
    }

    public async Task<MinerStatusResponse> PostAsync(string action, CancellationToken ct = default)
    {
        using var http = CreateClient();
        using var response = await http.PostAsync(new Uri(action, UriKind.Relative), null, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<MinerStatusResponse>(ApiJson.Options, ct))!;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Miner:Node", "http://node.test/");
        builder.UseSetting("Miner:Address", Settings.Address);
        builder.UseSetting("Miner:Workers", Settings.Workers.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Miner:AutoStart", Settings.AutoStart ? "true" : "false");
        builder.UseSetting("Miner:Progress", "false");
        if (Settings.Kernel is { } kernel)
        {
            builder.UseSetting("Miner:Kernel", kernel.ToString());
        }

        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureServices(services =>
        {
            var server = (TestServer)node.Services.GetRequiredService<IServer>();
            var client = services.AddHttpClient(MiningService.NodeClientName).ConfigurePrimaryHttpMessageHandler(server.CreateHandler);
            if (Settings.UnsolvableTemplates)
            {
                client.AddHttpMessageHandler(() => new UnsolvableTemplates());
            }
        });
    }

    /// <summary>Rewrites the target of every template the node sends to 1: nothing meets it, so the work lasts.</summary>
    private sealed class UnsolvableTemplates : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri?.AbsolutePath.EndsWith("/mining/template", StringComparison.Ordinal) != true || !response.IsSuccessStatusCode)
            {
                return response;
            }

            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
            json["target"] = new string('0', 63) + "1";
            response.Content = JsonContent.Create(json);
            return response;
        }
    }
}
