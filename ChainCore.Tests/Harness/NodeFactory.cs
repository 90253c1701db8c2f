using System.Globalization;
using ChainCore.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Hosts one ChainCore node in the test process, configured by <see cref="NodeSettings"/>. The node is
/// built as its process builds it (<see cref="Program.CreateBuilder"/>, <see cref="Program.Build"/>),
/// with the settings in place of the flags, on a test server; <c>Main</c> is not run.
/// </summary>
public sealed class NodeFactory(NodeSettings settings) : WebApplicationFactory<Program>
{
    public NodeSettings Settings { get; } = settings;

    /// <summary>Builds and starts the node; the host builder the factory offers, which would run <c>Main</c>, is left unused.</summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        if (Factories.Count > 0)
        {
            throw new NotSupportedException("WithWebHostBuilder does not reach a test node's builder: configure it through NodeSettings.");
        }

        var node = Program.CreateBuilder(NodeSettingsAsConfiguration(), environmentName: "Testing");
        node.WebHost.UseTestServer();
        ReplaceLogging(node.Logging);
        ReplaceServices(node.Services);
        var app = Program.Build(node);
        app.Start();
        return app;
    }

    /// <summary>The settings as the node's configuration keys, as its flags would give them.</summary>
    private Dictionary<string, string?> NodeSettingsAsConfiguration()
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Node:NodeId"] = Settings.NodeId,
            ["Node:Network"] = Settings.Network,
            ["Node:Database"] = Settings.Database ?? string.Empty,
            ["Node:DataDir"] = Settings.DataDir ?? Path.Combine(TestEnvironment.ScratchDirectory, Settings.NodeId),

            // The console hears warnings only; the test's log (when it has one) hears the node's Debug
            // lines and everything else from Information, and is kept when the test fails.
            ["Logging:Console:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Default"] = Settings.Log is null ? "Warning" : "Information",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:System"] = "Warning",
            ["Logging:LogLevel:ChainCore"] = Settings.Log is null ? "Warning" : "Debug",
        };

        // The node refuses a maturity override on main.
        if (Settings.CoinbaseMaturity is { } maturity && Settings.Network != "main")
        {
            configuration["Node:CoinbaseMaturity"] = maturity.ToString(CultureInfo.InvariantCulture);
        }

        if (Settings.MinRelayFeePerKb is { } fee)
        {
            configuration["Node:MinRelayFeePerKb"] = fee.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in Settings.Extra)
        {
            configuration[key] = value;
        }

        return configuration;
    }

    // Instead of the node's console logger, which runs a thread per host: many nodes share a process.
    private void ReplaceLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddProvider(new ConsoleWarnings(Settings.LogSource ?? Settings.NodeId));
        if (Settings.Log is { } log)
        {
            logging.AddProvider(log.ProviderFor(Settings.LogSource ?? Settings.NodeId));
        }
    }

    private void ReplaceServices(IServiceCollection services)
    {
        if (Settings.PeerHandler is { } peerHandler)
        {
            services.AddHttpClient(ChainCore.Node.Network.P2pOptions.HttpClientName).ConfigurePrimaryHttpMessageHandler(peerHandler);
        }

        if (Settings.Clock is { } clock)
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton(clock);
        }

        Settings.Services?.Invoke(services);
    }
}
