using System.Net;
using ChainCore.Core.Crypto;
using ChainCore.Tests.Harness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Integration.Mining;

/// <summary>
/// The miner's whole command-line run, in process: its flags, its checks of the node, its progress
/// output and its exit code, against an in-process node reached over loopback TCP.
/// </summary>
[TestFixture, Category("Integration"), Category("Mining")]
public sealed class MinerProcessTests : NodeTestBase
{
    /// <summary>Serves the node's test server on a loopback port, so the miner reaches it as it would a real node.</summary>
    private static async Task<WebApplication> ExposeOnLoopbackAsync(TestNode node)
    {
        var server = (TestServer)node.Services.GetRequiredService<IServer>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new HttpClient(server.CreateHandler()) { BaseAddress = new Uri("http://node.test/"), Timeout = Timeout.InfiniteTimeSpan };
        app.Run(async context =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
            if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                request.Content = new StreamContent(context.Request.Body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
            }

            using var response = await upstream.SendAsync(request, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        await app.StartAsync();
        return app;
    }

    private static string Url(WebApplication app) => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    [TestCase(false)]
    [TestCase(true)]
    public async Task Miner_mines_for_its_timeout_shows_progress_and_exits_0(bool terminal)
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        await using var proxy = await ExposeOnLoopbackAsync(node);
        var payee = PrivateKey.Generate().PublicKey.ToAddress().ToString();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ChainCore.Miner.Program.RunAsync(
            ["--node", Url(proxy), "--address", payee, "--workers", "1", "--timeout", "2", "--api-port", "0"], output, error, terminal);

        code.ShouldBe(0, error.ToString());
        var text = output.ToString();
        text.ShouldContain($"miner: paying {payee} from node {Url(proxy)} (regtest");
        text.ShouldContain("block found at height 1");
        text.ShouldNotContain(" (0 H/s)", Case.Sensitive, "no rate is shown before one is measured");
        text.ShouldMatch(@"miner: stopped after [\d,]+ hashes in \d+\.\d s \(\d+(\.\d+)? [kMG]?H/s on average\), \d+ blocks found");
        node.Height.ShouldBeGreaterThan(0);
        (await node.Client.GetBalanceAsync(payee)).Total.ShouldBeGreaterThan(0m);
        if (terminal)
        {
            text.ShouldContain("\rmining: ");
        }
    }

    [Test]
    public async Task Miner_api_port_in_use_is_refused_with_exit_code_2()
    {
        await using var node = await StartNodeAsync(StoreKind.Sqlite);
        await using var proxy = await ExposeOnLoopbackAsync(node);
        var port = new Uri(Url(proxy)).Port;
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ChainCore.Miner.Program.RunAsync(
            ["--node", Url(proxy), "--address", PrivateKey.Generate().PublicKey.ToAddress().ToString(), "--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], output, error);

        code.ShouldBe(2);
        error.ToString().ShouldStartWith("error: cannot listen on 127.0.0.1:");
        error.ToString().TrimEnd().ShouldNotContain('\n');
    }
}
