using ChainCore.Node.Chain;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChainCore.Node;

/// <summary>How the node runs as a process: its settings and where it listens, its logs, the checks before it starts.</summary>
public static class NodeHosting
{
    /// <summary>The host builder's switch (as a command-line argument) that keeps configuration files from being watched for changes.</summary>
    public const string NoConfigurationReload = "--hostBuilder:reloadConfigOnChange=false";

    /// <summary>Binds and validates <see cref="NodeOptions"/> (at start, whatever their source) and listens on <see cref="NodeOptions.ListenUrl"/>.</summary>
    public static WebApplicationBuilder AddNodeOptions(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<NodeOptions>()
            .Bind(builder.Configuration.GetSection(NodeOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();

        // Settings that do not bind are reported by the validation at start.
        if (NodeOptions.TryBind(builder.Configuration, out _) is { } options)
        {
            builder.WebHost.UseUrls(options.P2PListenUrl is { } p2p ? [options.ListenUrl, p2p] : [options.ListenUrl]);
        }

        return builder;
    }

    /// <summary>One line per event: UTC timestamp, level, category, message (an exception's text on the same line).</summary>
    public static ILoggingBuilder AddNodeLogging(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.IncludeScopes = false;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        return logging;
    }

    /// <summary>Logs the start-up line once the server listens: node, network, data location (never a password), URL and tip.</summary>
    public static WebApplication LogStartup(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var options = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
            var chain = app.Services.GetRequiredService<ChainEngine>();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            var listening = addresses is { Count: > 0 } ? string.Join(", ", addresses) : "(in process)";
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ChainCore.Node");
            log.LogInformation(
                "Node {NodeId} started: network {Network}, data {Data}, listening on {Urls}, tip {Height} {Hash}",
                options.NodeId, options.Network, options.DataLocation, listening, chain.Tip.Height, chain.Tip.Hash);
        });
        return app;
    }

    /// <summary>
    /// Checks, before anything is created, that the settings are valid and a configured PostgreSQL
    /// answers. Returns the one line to show and the exit code, or null when the node may start.
    /// </summary>
    public static async Task<(string Message, int ExitCode)?> CheckBeforeStartAsync(IConfiguration configuration, CancellationToken ct)
    {
        var options = NodeOptions.TryBind(configuration, out var bindError);
        if (options is null)
        {
            return ($"error: {bindError}", NodeCommandLine.ExitBadUsage);
        }

        if (options.Validate() is [var first, ..])
        {
            return ($"error: {first}", NodeCommandLine.ExitBadUsage);
        }

        if (string.IsNullOrWhiteSpace(options.Database))
        {
            return null;
        }

        try
        {
            await using var connection = new NpgsqlConnection(options.Database);
            await connection.OpenAsync(ct);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            return ($"error: cannot reach {options.DataLocation}: {OneLine(e)}", NodeCommandLine.ExitFailure);
        }
    }

    /// <summary>An exception's message and its causes' on one line.</summary>
    public static string OneLine(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var message = e.Message.ReplaceLineEndings(" ").Trim();
            if (message.Length > 0 && !messages.Contains(message))
            {
                messages.Add(message);
            }
        }

        return string.Join(": ", messages);
    }
}
