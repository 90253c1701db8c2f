using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using ChainCore.Core.Api;
using ChainCore.Core.Mining;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChainCore.Miner;

/// <summary>
/// The miner's entry point: the command line (<see cref="RunAsync"/>) over one way to build the miner
/// (<see cref="CreateBuilder"/>, <see cref="Build"/>), which another host can compose too.
/// </summary>
public class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error, !Console.IsOutputRedirected);

    /// <summary>Parses the command line, checks the settings and the node, then mines until stopped.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool terminal = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var cli = new MinerCommandLine();
        var parsed = cli.Root.Parse(args);
        if (parsed.Action is HelpAction)
        {
            await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
            await output.WriteLineAsync(ExitCodes.Help);
            return ExitCodes.Success;
        }

        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync($"error: {OneLine(parsed.Errors.Select(e => e.Message).Distinct())} (see --help)");
            return ExitCodes.BadInput;
        }

        if (parsed.GetValue(cli.Benchmark) is { } seconds)
        {
            return await BenchmarkAsync(parsed.GetValue(cli.Workers) ?? Environment.ProcessorCount, parsed.GetValue(cli.Kernel), TimeSpan.FromSeconds(seconds), output, ct);
        }

        var builder = CreateBuilder(cli.Settings(parsed), new MinerConsole(output, terminal));
        var host = parsed.GetValue(cli.Host) ?? "127.0.0.1";
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{parsed.GetValue(cli.ApiPort) ?? 0}"));

        await using var app = Build(builder);
        var options = app.Services.GetRequiredService<IOptions<MinerOptions>>().Value;
        string network;
        try
        {
            MinerSetup.ResolvePayout(options);
            MinerSetup.ResolveNode(options);
            network = await CheckNodeAsync(app.Services, options, ct);
        }
        catch (MinerStartupException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return e.ExitCode;
        }

        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"error: cannot listen on {host}:{parsed.GetValue(cli.ApiPort)}: {e.Message}");
            return ExitCodes.BadInput;
        }

        var miner = app.Services.GetRequiredService<MiningService>();
        var listening = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(in process)";
        await output.WriteLineAsync(
            $"{DateTimeOffset.UtcNow:HH:mm:ss} miner: paying {miner.Payout} from node {options.Node} ({network}), {miner.Client.Workers} workers, {miner.Client.Engine.Width} kernel; API at {listening}");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var stopAfter = new CancellationTokenSource();
        if (options.Timeout > 0)
        {
            stopAfter.CancelAfter(TimeSpan.FromSeconds(options.Timeout));
            stopAfter.Token.Register(() => app.Lifetime.StopApplication());
        }

        await app.WaitForShutdownAsync(ct);
        var result = miner.ExecuteTask is { IsFaulted: true } ? ExitCodes.Failure : ExitCodes.Success;
        var status = miner.Status();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var average = elapsed > TimeSpan.Zero ? status.Hashes / elapsed.TotalSeconds : 0;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{DateTimeOffset.UtcNow:HH:mm:ss} miner: stopped after {status.Hashes:N0} hashes in {elapsed.TotalSeconds:F1} s ({ProgressReporter.FormatRate(average)} on average), {status.BlocksFound} blocks found"));
        return result;
    }

    // The parser's messages as one line, without .NET type names.
    private static string OneLine(IEnumerable<string> messages) =>
        System.Text.RegularExpressions.Regex.Replace(
            string.Join(" ", messages).ReplaceLineEndings(" "),
            @" as expected type '[^']*'",
            string.Empty);

    /// <summary>
    /// The miner's builder: <paramref name="settings"/> (configuration keys, as the flags give them) over
    /// environment variables and the settings files beside this assembly, its logging and its services;
    /// what a person follows goes to <paramref name="console"/>.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(IReadOnlyDictionary<string, string?> settings, MinerConsole console, string? environmentName = null)
    {
        // Its settings files beside the executable, not in the caller's directory, which is where relative paths point.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = environmentName,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("System.Net.Http", LogLevel.Warning);
        AddMiner(builder.Services, console);
        return builder;
    }

    /// <summary>Builds the miner with its API mapped.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.MapMinerEndpoints();
        return app;
    }

    /// <summary>The miner's services.</summary>
    private static void AddMiner(IServiceCollection services, MinerConsole console)
    {
        services.AddOptions<MinerOptions>().BindConfiguration(MinerOptions.Section);
        services.AddHttpClient(MiningService.NodeClientName, (sp, http) =>
        {
            http.BaseAddress = MinerSetup.ResolveNode(sp.GetRequiredService<IOptions<MinerOptions>>().Value);
            http.Timeout = TimeSpan.FromMinutes(2);
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(console);
        services.AddSingleton<MiningService>();
        services.AddHostedService(sp => sp.GetRequiredService<MiningService>());
        services.AddHostedService<ProgressReporter>();
        services.Configure<JsonOptions>(o => ApiJson.Configure(o.SerializerOptions));
    }

    /// <summary>Asks the node for its status: the network name, or a one-line start-up failure.</summary>
    private static async Task<string> CheckNodeAsync(IServiceProvider services, MinerOptions options, CancellationToken ct)
    {
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(MiningService.NodeClientName);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            var status = await new NodeClient(http).GetStatusAsync(limit.Token);
            return $"{status.Network}, height {status.TipHeight}";
        }
        catch (Exception e) when (e is HttpRequestException or NodeApiException or System.Text.Json.JsonException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var why = e is OperationCanceledException ? "no answer within 10 seconds" : e.Message;
            throw new MinerStartupException(ExitCodes.BadInput, $"node {options.Node} unreachable: {why}");
        }
    }

    /// <summary>Hashes a header no nonce solves for <paramref name="duration"/>: the raw hash rate, no node needed.</summary>
    private static async Task<int> BenchmarkAsync(int workers, KernelWidth? kernel, TimeSpan duration, TextWriter output, CancellationToken ct)
    {
        var engine = new MiningWorkers(workers, kernel);
        var template = MiningBenchmark.UnsolvableTemplate();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(duration);
        await engine.SearchAsync(template, limit.Token);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var rate = engine.Hashes / elapsed.TotalSeconds;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"hash rate: {rate:F0} H/s ({ProgressReporter.FormatRate(rate)}), {engine.Hashes} hashes in {elapsed.TotalSeconds:F2} s, {workers} workers, {engine.Width} kernel"));
        return ExitCodes.Success;
    }
}
