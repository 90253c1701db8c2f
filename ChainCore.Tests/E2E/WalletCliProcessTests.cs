using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ChainCore.Core.Api;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.E2E;

/// <summary>
/// The wallet and the node as a person runs them: two processes talking over a real port, the node on
/// regtest's defaults (coinbase maturity 100, embedded SQLite), the wallet's default passphrase cost.
/// </summary>
[TestFixture, Category("E2E")]
public sealed class WalletCliProcessTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "chaincore-wallet-e2e", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Wallet_process_pays_from_mined_coins_through_a_node_process_and_reports_an_unreachable_node()
    {
        var port = FreePort();
        var nodeUrl = $"http://127.0.0.1:{port}";
        var alice = Path.Combine(_directory, "alice.json");
        var bob = Path.Combine(_directory, "bob.json");
        var secret = new Dictionary<string, string> { ["CHAINCORE_WALLET_PASSPHRASE"] = "correct horse" };
        await using (var node = NodeProcess.Start(port, Path.Combine(_directory, "node")))
        {
            using var http = new HttpClient { BaseAddress = new Uri(nodeUrl + "/") };
            var client = new NodeClient(http);
            await node.WaitUntilReadyAsync(client);

            (await RunWalletAsync(["create", "--passphrase", "--wallet", alice], secret)).ExitCode.ShouldBe(0);
            (await RunWalletAsync(["create", "--wallet", bob])).ExitCode.ShouldBe(0);
            var aliceAddress = (await RunWalletAsync(["address", "--wallet", alice])).Out.Trim();
            var bobAddress = (await RunWalletAsync(["address", "--wallet", bob])).Out.Trim();
            for (var i = 0; i < 101; i++)
            {
                await client.MineBlockAsync(aliceAddress);
            }

            var wrong = await RunWalletAsync(["send", "--wallet", alice, "--node", nodeUrl, "--to", bobAddress, "--amount", "7"],
                new Dictionary<string, string> { ["CHAINCORE_WALLET_PASSPHRASE"] = "guess" });
            wrong.ExitCode.ShouldBe(5, wrong.ToString());
            var sent = await RunWalletAsync(["send", "--wallet", alice, "--node", nodeUrl, "--to", bobAddress, "--amount", "7", "--fee", "0.1"], secret);
            sent.ExitCode.ShouldBe(0, sent.ToString());
            (await client.GetMempoolAsync()).Count.ShouldBe(1);
            await client.MineBlockAsync(aliceAddress);

            var balance = await RunWalletAsync(["balance", "--wallet", bob, "--node", nodeUrl]);
            balance.ExitCode.ShouldBe(0, balance.ToString());
            balance.Out.ShouldContain("Confirmed:  7.00000000 CHC");
            (await RunWalletAsync(["history", "--wallet", alice, "--node", nodeUrl])).Out.ShouldContain("-7.10000000 CHC");
        }

        var unreachable = await RunWalletAsync(["balance", "--wallet", bob, "--node", nodeUrl]);
        unreachable.ExitCode.ShouldBe(4, unreachable.ToString());
        unreachable.Error.ShouldContain($"Cannot reach the node at {nodeUrl}");
    }

    private static async Task<CliRun> RunWalletAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = Dotnet(ProjectOutput("ChainCore.Wallet"), args);
        start.RedirectStandardInput = true;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the wallet.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TestEnvironment.Scaled(TimeSpan.FromSeconds(60)));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The wallet did not finish: {string.Join(' ', args)}");
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    private static ProcessStartInfo Dotnet(string assembly, IEnumerable<string> args)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>An app's build output next to this test assembly's: same configuration, same framework.</summary>
    private static string ProjectOutput(string project)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ChainCore.sln")))
        {
            root = root.Parent;
        }

        var assembly = Path.Combine(root?.FullName ?? ".", project, "bin", configuration, framework, project + ".dll");
        File.Exists(assembly).ShouldBeTrue($"{assembly} is missing: build the solution first (dotnet build ChainCore.sln).");
        return assembly;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A node process on regtest's defaults; disposing it kills it and reports what it printed if it failed early.</summary>
    private sealed class NodeProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private NodeProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public static NodeProcess Start(int port, string dataDir)
        {
            var start = Dotnet(ProjectOutput("ChainCore.Node"),
                ["--network", "regtest", "--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", dataDir, "--node-id", "wallet-e2e"]);
            return new NodeProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the node."));
        }

        public async Task WaitUntilReadyAsync(NodeClient client)
        {
            var deadline = DateTime.UtcNow + TestEnvironment.Scaled(TimeSpan.FromSeconds(60));
            while (true)
            {
                if (_process.HasExited)
                {
                    Assert.Fail($"The node exited with {_process.ExitCode}:\n{Output}");
                }

                try
                {
                    await client.GetStatusAsync();
                    return;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
                catch (HttpRequestException e)
                {
                    Assert.Fail($"The node did not answer within the deadline: {e.Message}\n{Output}");
                }
            }
        }

        private string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
