namespace ChainCore.Node;

/// <summary>The node's entry point. An explicit class (no top-level statements) so tests can host several nodes in one process.</summary>
public class Program
{
    public static Task<int> Main(string[] args) => RunCommandLineAsync(args, Console.Out, Console.Error);

    /// <summary>
    /// Parses the flags (help, or one line and exit code 2 for a bad one), checks the settings and
    /// the database before anything is created, then runs until Ctrl-C or SIGTERM. What it says goes
    /// to <paramref name="output"/> and <paramref name="error"/>.
    /// </summary>
    public static async Task<int> RunCommandLineAsync(string[] args, TextWriter output, TextWriter error)
    {
        var commandLine = new NodeCommandLine().Parse(args, output, error);
        if (commandLine.ExitCode is { } exitCode)
        {
            return exitCode;
        }

        var builder = CreateBuilder(commandLine.Settings);
        if (await NodeHosting.CheckBeforeStartAsync(builder.Configuration, CancellationToken.None) is { } refused)
        {
            await error.WriteLineAsync(refused.Message);
            return refused.ExitCode;
        }

        try
        {
            await using var app = Build(builder);
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await error.WriteLineAsync($"error: the node stopped: {NodeHosting.OneLine(e)}");
            return NodeCommandLine.ExitFailure;
        }
    }

    /// <summary>
    /// The node's builder: <paramref name="settings"/> (configuration keys, as the flags give them) over
    /// environment variables and the appsettings.json beside this assembly, its logging and its services.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(IReadOnlyDictionary<string, string?> settings, string? environmentName = null)
    {
        // A node reads its settings once, at start: watching appsettings.json would only cost an
        // inotify instance per node (the user's limit is 128), which a process of many nodes runs out of.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [NodeHosting.NoConfigurationReload],
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = environmentName,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddNodeLogging();
        builder.AddChainCoreNode();
        return builder;
    }

    /// <summary>Builds the node: its endpoints mapped and its start-up line logged once it listens.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.MapChainCoreNode();
        app.LogStartup();
        return app;
    }
}
