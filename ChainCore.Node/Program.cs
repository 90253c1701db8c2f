namespace ChainCore.Node;

/// <summary>The node's entry point. An explicit class (no top-level statements) so tests can host several nodes in one process.</summary>
public class Program
{
    /// <summary>
    /// Parses the flags (help, or one line and exit code 2 for a bad one), checks the settings and
    /// the database before anything is created, then runs until Ctrl-C or SIGTERM.
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        if (NodeCommandLine.IsTestHost(args))
        {
            // A test host (WebApplicationFactory) owns the host's lifetime and stops it; it calls this
            // entry point on a thread of its own that waits for Main to return. Returning once the node
            // runs keeps no thread per node, so one process can host a thousand.
            var app = CreateBuilder(args, contentRoot: null, new Dictionary<string, string?>()).Build();
            app.MapChainCoreNode();
            app.LogStartup();
            await app.StartAsync();
            return 0;
        }

        return await RunCommandLineAsync(args, Console.Out, Console.Error);
    }

    /// <summary>The command-line run <see cref="Main"/> does, writing what it says to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> RunCommandLineAsync(string[] args, TextWriter output, TextWriter error)
    {
        var commandLine = new NodeCommandLine().Parse(args, output, error);
        if (commandLine.ExitCode is { } exitCode)
        {
            return exitCode;
        }

        // appsettings.json is read from beside the executable, whatever the current directory.
        var builder = CreateBuilder([], AppContext.BaseDirectory, commandLine.Settings);
        if (await NodeHosting.CheckBeforeStartAsync(builder.Configuration, CancellationToken.None) is { } refused)
        {
            await error.WriteLineAsync(refused.Message);
            return refused.ExitCode;
        }

        try
        {
            await RunAsync(builder);
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await error.WriteLineAsync($"error: the node stopped: {NodeHosting.OneLine(e)}");
            return NodeCommandLine.ExitFailure;
        }
    }

    private static WebApplicationBuilder CreateBuilder(string[] args, string? contentRoot, IReadOnlyDictionary<string, string?> settings)
    {
        // A node reads its settings once, at start: watching appsettings.json would only cost an
        // inotify instance per node (the user's limit is 128), which a process of many nodes runs out of.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. args, NodeHosting.NoConfigurationReload], ContentRootPath = contentRoot });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddNodeLogging();
        builder.AddChainCoreNode();
        return builder;
    }

    private static async Task RunAsync(WebApplicationBuilder builder)
    {
        await using var app = builder.Build();
        app.MapChainCoreNode();
        app.LogStartup();
        await app.RunAsync();
    }
}
