using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Harness;

/// <summary>Hosts one ChainCore node in the test process, configured by <see cref="NodeSettings"/>.</summary>
public sealed class NodeFactory(NodeSettings settings) : WebApplicationFactory<ChainCore.Node.Program>
{
    public NodeSettings Settings { get; } = settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Node:NodeId", Settings.NodeId);
        builder.UseSetting("Node:Network", Settings.Network);
        builder.UseSetting("Node:Database", Settings.Database ?? string.Empty);
        builder.UseSetting("Node:DataDir", Settings.DataDir ?? Path.Combine(TestEnvironment.ScratchDirectory, Settings.NodeId));

        // The node refuses a maturity override on main.
        if (Settings.CoinbaseMaturity is { } maturity && Settings.Network != "main")
        {
            builder.UseSetting("Node:CoinbaseMaturity", maturity.ToString(CultureInfo.InvariantCulture));
        }

        if (Settings.MinRelayFeePerKb is { } fee)
        {
            builder.UseSetting("Node:MinRelayFeePerKb", fee.ToString(CultureInfo.InvariantCulture));
        }

        // The console hears warnings only; the test's log (when it has one) hears the node's Debug
        // lines and everything else from Information, and is kept when the test fails.
        builder.UseSetting("Logging:Console:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Default", Settings.Log is null ? "Warning" : "Information");
        builder.UseSetting("Logging:LogLevel:Microsoft", "Warning");
        builder.UseSetting("Logging:LogLevel:System", "Warning");
        builder.UseSetting("Logging:LogLevel:ChainCore", Settings.Log is null ? "Warning" : "Debug");
        foreach (var (key, value) in Settings.Extra)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging =>
        {
            // Instead of the node's console logger, which runs a thread per host: many nodes share a process.
            logging.ClearProviders();
            logging.AddProvider(new ConsoleWarnings(Settings.LogSource ?? Settings.NodeId));
            if (Settings.Log is { } log)
            {
                logging.AddProvider(log.ProviderFor(Settings.LogSource ?? Settings.NodeId));
            }
        });

        builder.ConfigureServices(services =>
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
        });
    }
}
