using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChainCore.Core.Api;
using ChainCore.Core.Mining;
using ChainCore.Miner;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
/// <see cref="HttpClient"/> is routed to the node's test server. <c>Main</c> is not run, so nothing
/// asks the node at start and no start-up line is printed.
/// </summary>
public sealed class MinerFactory(TestNode node, MinerSettings settings) : WebApplicationFactory<Program>
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

    /// <summary>
    /// Builds the miner as its process does (<see cref="Program.CreateBuilder"/>, <see cref="Program.Build"/>),
    /// with the settings in place of the flags, on a test server, and starts it; the host builder the
    /// factory offers, which would run <c>Main</c>, is left unused.
    /// </summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        if (Factories.Count > 0)
        {
            throw new NotSupportedException("WithWebHostBuilder does not reach a test miner's builder: configure it through MinerSettings.");
        }

        var settings = new Dictionary<string, string?>
        {
            ["Miner:Node"] = "http://node.test/",
            ["Miner:Address"] = Settings.Address,
            ["Miner:Workers"] = Settings.Workers.ToString(CultureInfo.InvariantCulture),
            ["Miner:AutoStart"] = Settings.AutoStart ? "true" : "false",
            ["Miner:Progress"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (Settings.Kernel is { } kernel)
        {
            settings["Miner:Kernel"] = kernel.ToString();
        }

        var miner = Program.CreateBuilder(settings, new MinerConsole(Console.Out, IsTerminal: false), environmentName: "Testing");
        miner.WebHost.UseTestServer();
        var server = (TestServer)node.Services.GetRequiredService<IServer>();
        var client = miner.Services.AddHttpClient(MiningService.NodeClientName).ConfigurePrimaryHttpMessageHandler(server.CreateHandler);
        if (Settings.UnsolvableTemplates)
        {
            client.AddHttpMessageHandler(() => new UnsolvableTemplates());
        }

        var app = Program.Build(miner);
        app.Start();
        return app;
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
