using System.Globalization;
using System.Text;
using ChainCore.Core.Api;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Node processes on loopback ports, as Bitcoin Core's functional framework runs bitcoind: each with
/// its own SQLite data folder, bootstrapped from every other, all on one settable clock
/// (<c>--mock-time</c>, then <c>POST /debug/mocktime</c>) that the test moves, so chain time never
/// runs ahead of the nodes' clocks however fast blocks are mined. A node can be stopped cleanly,
/// crashed (killed, no shutdown at all) and restarted on its own data, at its own port. Every
/// incarnation's output is kept: <see cref="ErrorLines"/> finds error-level lines in any of them.
/// </summary>
public sealed class ProcessNetwork : IAsyncDisposable
{
    private readonly string _directory;
    private readonly int[] _ports;
    private readonly AppProcess?[] _running;
    private readonly List<AppProcess> _all = [];
    private readonly HttpClient[] _http;
    private readonly int _coinbaseMaturity;
    private readonly StringBuilder _notes = new();

    private ProcessNetwork(string directory, int nodes, long clock, int coinbaseMaturity)
    {
        _directory = directory;
        _coinbaseMaturity = coinbaseMaturity;
        Clock = clock;
        _ports = [.. Enumerable.Range(0, nodes).Select(_ => AppProcess.FreePort())];
        _running = new AppProcess?[nodes];
        _http = [.. _ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}/"), Timeout = Timeouts.Scale(TimeSpan.FromSeconds(15)) })];
    }

    public int Count => _ports.Length;

    /// <summary>The nodes' clock, in Unix seconds.</summary>
    public long Clock { get; private set; }

    public NodeClient Client(int node) => new(_http[node]);

    public HttpClient Http(int node) => _http[node];

    public bool IsRunning(int node) => _running[node] is { HasExited: false };

    public static string NameOf(int node) => $"node-{node}";

    /// <summary>Where node <paramref name="node"/> keeps its SQLite database (regtest).</summary>
    public string DatabasePath(int node) => Path.Combine(_directory, NameOf(node), $"{NameOf(node)}-regtest.db");

    /// <summary>Starts <paramref name="nodes"/> regtest node processes and waits until each answers and has a peer.</summary>
    public static async Task<ProcessNetwork> StartAsync(int nodes, int coinbaseMaturity = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 2);
        var directory = Path.Combine(TestEnvironment.ScratchDirectory, "process-network-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var net = new ProcessNetwork(directory, nodes, MockTime.Now(), coinbaseMaturity);
        try
        {
            for (var i = 0; i < nodes; i++)
            {
                net.Launch(i);
            }

            for (var i = 0; i < nodes; i++)
            {
                await net.WaitUntilAnswersAsync(i);
            }

            await net.WaitUntilAsync(async () => (await net.StatusesAsync()).All(s => s is { ActivePeers: > 0 }), "every node to have a peer");
            return net;
        }
        catch
        {
            await net.DisposeAsync();
            throw;
        }
    }

    /// <summary>Moves every running node's clock to <paramref name="unixSeconds"/> (a node started later starts at it).</summary>
    public async Task SetClockAsync(long unixSeconds)
    {
        Note($"Clock set to {DateTimeOffset.FromUnixTimeSeconds(unixSeconds):u}");
        Clock = unixSeconds;
        foreach (var i in Enumerable.Range(0, Count).Where(IsRunning))
        {
            await MockTime.SetAsync(_http[i], unixSeconds);
        }
    }

    /// <summary>Mines <paramref name="blocks"/> blocks on node <paramref name="node"/> through <c>/mine_block</c>, the clock one second ahead before each.</summary>
    public async Task<IReadOnlyList<MineBlockResponse>> MineAsync(int node, string address, int blocks = 1)
    {
        Note($"Mining {blocks} block(s) on {NameOf(node)}");
        var mined = new List<MineBlockResponse>();
        for (var i = 0; i < blocks; i++)
        {
            await SetClockAsync(Clock + 1);
            mined.Add(await Client(node).MineBlockAsync(address));
        }

        return mined;
    }

    /// <summary>Kills node <paramref name="node"/>'s process: no shutdown of any kind, as a power cut or <c>kill -9</c>.</summary>
    public async Task CrashAsync(int node)
    {
        Note($"Crashing {NameOf(node)} (killed)");
        var process = _running[node] ?? throw new InvalidOperationException($"{NameOf(node)} is not running.");
        await process.KillAsync();
        _running[node] = null;
    }

    /// <summary>Asks node <paramref name="node"/> to stop as a service manager would; returns its exit code.</summary>
    public async Task<int> StopAsync(int node)
    {
        Note($"Stopping {NameOf(node)}");
        var process = _running[node] ?? throw new InvalidOperationException($"{NameOf(node)} is not running.");
        var exitCode = await process.StopAsync();
        _running[node] = null;
        return exitCode;
    }

    /// <summary>Starts node <paramref name="node"/> again on its own data and port, at the network's clock, and waits until it answers.</summary>
    public async Task RestartAsync(int node)
    {
        if (IsRunning(node))
        {
            throw new InvalidOperationException($"{NameOf(node)} is running.");
        }

        Note($"Restarting {NameOf(node)}");
        Launch(node);
        await WaitUntilAnswersAsync(node);
    }

    /// <summary>Every running node's status; null for a node that does not answer.</summary>
    public async Task<StatusResponse?[]> StatusesAsync() =>
        await Task.WhenAll(Enumerable.Range(0, Count).Select(async i =>
        {
            if (!IsRunning(i))
            {
                return null;
            }

            try
            {
                return await Client(i).GetStatusAsync();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or NodeApiException)
            {
                return null;
            }
        }));

    /// <summary>Waits until every running node has the same tip and the same mempool.</summary>
    public Task WaitForSyncAsync(TimeSpan? timeout = null) =>
        WaitUntilAsync(
            async () =>
            {
                var statuses = (await StatusesAsync()).Where((_, i) => IsRunning(i)).ToList();
                if (statuses.Any(s => s is null) || statuses.Select(s => s!.TipHash).Distinct().Count() != 1)
                {
                    return false;
                }

                var mempools = await Task.WhenAll(Enumerable.Range(0, Count).Where(IsRunning).Select(async i => (await Client(i).GetMempoolAsync()).Transactions.Select(t => t.TxId).Order()));
                return mempools.All(m => m.SequenceEqual(mempools[0]));
            },
            "every running node to share one tip and one mempool",
            timeout);

    /// <summary>Waits for <paramref name="condition"/>, failing with every node's status and the last lines of its output.</summary>
    public Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Waits.WaitUntilAsync(condition, DescribeAsync, timeout ?? TimeSpan.FromSeconds(60), CancellationToken.None, what);

    /// <summary>Lines at error level (<c>fail</c>, <c>crit</c>) in the output of any incarnation of any node.</summary>
    public IReadOnlyList<string> ErrorLines()
    {
        lock (_all)
        {
            return [.. _all.SelectMany(p => p.Lines.Where(IsErrorLine).Select(l => $"{p.Name}: {l}"))];
        }
    }

    public void Note(string what)
    {
        lock (_notes)
        {
            _notes.AppendLine(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {what}");
        }
    }

    /// <summary>Every node's status, the test's notes, and the last lines of every incarnation's output.</summary>
    public async Task<string> DescribeAsync()
    {
        var statuses = await StatusesAsync();
        var text = new StringBuilder();
        for (var i = 0; i < Count; i++)
        {
            text.AppendLine(statuses[i] is { } s
                ? $"{NameOf(i)}: height {s.TipHeight}, tip {s.TipHash[..16]}, {s.ActivePeers} peer(s), mempool {s.MempoolSize}"
                : $"{NameOf(i)}: {(IsRunning(i) ? "not answering" : "not running")}");
        }

        lock (_notes)
        {
            text.AppendLine("Steps:").Append(_notes);
        }

        lock (_all)
        {
            foreach (var process in _all)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"--- {process.Name} (pid {process.Id}), last lines:");
                foreach (var line in process.Lines.TakeLast(15))
                {
                    text.AppendLine(line);
                }
            }
        }

        return text.ToString();
    }

    /// <summary>Keeps every incarnation's whole output and the description under the current test's failure folder; returns the folder.</summary>
    public async Task<string> KeepEvidenceAsync(string story)
    {
        var dir = Path.Combine(ReportPaths.Failures, ReportPaths.FolderNameFor(TestContext.CurrentContext.Test.FullName));
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "state.txt"), story + Environment.NewLine + await DescribeAsync());
        List<AppProcess> all;
        lock (_all)
        {
            all = [.. _all];
        }

        foreach (var process in all)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, process.Name.Replace('#', '.') + ".log"), process.Output);
        }

        TestContext.AddTestAttachment(Path.Combine(dir, "state.txt"), "Process network's final state and steps");
        return dir;
    }

    public async ValueTask DisposeAsync()
    {
        List<AppProcess> all;
        lock (_all)
        {
            all = [.. _all];
        }

        foreach (var process in all)
        {
            await process.DisposeAsync();
        }

        foreach (var http in _http)
        {
            http.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder; the run's clean-up removes what is left.
        }
    }

    private static bool IsErrorLine(string line) =>
        line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal);

    private void Launch(int node)
    {
        List<string> args =
        [
            "--node-id", NameOf(node),
            "--network", "regtest",
            "--api-port", _ports[node].ToString(CultureInfo.InvariantCulture),
            "--data-dir", Path.Combine(_directory, NameOf(node)),
            "--coinbase-maturity", _coinbaseMaturity.ToString(CultureInfo.InvariantCulture),
            .. MockTime.Flag(Clock),
        ];
        var others = Enumerable.Range(0, Count).Where(i => i != node).Select(i => $"http://127.0.0.1:{_ports[i]}").ToList();
        args.AddRange(["--bootstrap-nodes", string.Join(',', others)]);

        // Tip checks every second: a restarted peer is noticed within seconds, not the default ten.
        var environment = new Dictionary<string, string?> { ["P2p__TipCheckInterval"] = "00:00:01" };
        var incarnation = _all.Count(p => p.Name.StartsWith(NameOf(node) + "#", StringComparison.Ordinal)) + 1;
        var process = AppProcess.Start($"{NameOf(node)}#{incarnation}", "ChainCore.Node", args, environment: environment);
        lock (_all)
        {
            _all.Add(process);
        }

        _running[node] = process;
    }

    private Task WaitUntilAnswersAsync(int node) =>
        WaitUntilAsync(
            async () =>
            {
                if (_running[node] is { HasExited: true } exited)
                {
                    throw new InvalidOperationException($"{exited.Name} exited early:{Environment.NewLine}{exited.Output}");
                }

                return (await StatusesAsync())[node] is not null;
            },
            $"{NameOf(node)} to answer /status");
}
