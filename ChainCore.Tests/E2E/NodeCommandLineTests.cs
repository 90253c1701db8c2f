using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ChainCore.Core.Api;
using ChainCore.Tests.Harness;
using static ChainCore.Tests.Harness.Waits;

namespace ChainCore.Tests.E2E;

/// <summary>
/// The node's executable as a user runs it (<c>dotnet ChainCore.Node.dll …</c>): help, refused flags
/// and settings (one line, exit code 2, nothing created), an unreachable database, and a node that
/// listens where it is told, logs its start-up line and stops cleanly on SIGTERM or Ctrl-C. The
/// processes are the harness's <see cref="AppProcess"/>: killed with their tree if a test fails, and
/// stopped by a watchdog if the test host dies; HOME points into the test's own directory so the
/// default data directory (~/.chaincore) can be checked for.
/// </summary>
[TestFixture, Category("E2E")]
public sealed partial class NodeCommandLineTests
{
    private const string Password = "hunter2-secret";
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(TestEnvironment.ScratchDirectory, "chaincore-node-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_directory, "home"));
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private string Home => Path.Combine(_directory, "home");

    [Test]
    public async Task Help_lists_every_flag_and_exits_0_without_starting_or_creating_anything()
    {
        var run = await RunAsync(["--help"]);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Out.Split('\n')[0].Trim().ShouldBe("Description:", run.ToString());
        foreach (var flag in new[] { "--node-id", "--api-port", "--p2p-port", "--bootstrap-nodes", "--network", "--data-dir", "--database", "--host", "--coinbase-maturity", "--public-url" })
        {
            run.Out.ShouldContain(flag);
        }

        run.Out.ShouldNotContain("Now listening");
        Directory.EnumerateFileSystemEntries(Home).ShouldBeEmpty();
    }

    [TestCase("--netwrk devnet", "--netwrk")]
    [TestCase("--network foo", "--network")]
    [TestCase("--api-port abc", "--api-port")]
    [TestCase("--api-port 99999", "--api-port")]
    [TestCase("--api-port -1", "--api-port")]
    [TestCase("--p2p-port 0", "--p2p-port")]
    [TestCase("--coinbase-maturity -5", "--coinbase-maturity")]
    [TestCase("--coinbase-maturity 5 --network main", "--coinbase-maturity")]
    [TestCase("--host example.com", "--host")]
    [TestCase("--node-id ../escape", "--node-id")]
    [TestCase("--bootstrap-nodes ftp://peer", "--bootstrap-nodes")]
    [TestCase("--data-dir", "--data-dir")]
    [TestCase("stray-argument", "stray-argument")]
    [TestCase("--database nonsense;Password=" + Password, "--database")]
    [TestCase("--database Host=x;Password=" + Password + ";Colour=blue", "--database")]
    public async Task A_bad_flag_is_one_line_naming_it_and_exit_code_2_with_nothing_created(string args, string flag)
    {
        var run = await RunAsync(args.Split(' '));

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Out.ShouldBeEmpty(run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, run.ToString());
        lines[0].ShouldStartWith("error: ");
        lines[0].ShouldContain(flag);
        run.Error.ShouldNotContain(Password);
        Directory.EnumerateFileSystemEntries(Home).ShouldBeEmpty();
    }

    [TestCase("Node__Network", "foo", "Node:Network")]
    [TestCase("Node__ApiPort", "abc", "Node:ApiPort")]
    [TestCase("Node__ApiPort", "70000", "Node:ApiPort")]
    [TestCase("Node__Host", "nowhere", "Node:Host")]
    public async Task A_bad_setting_from_the_environment_is_one_line_naming_its_key(string variable, string value, string key)
    {
        var run = await RunAsync([], new Dictionary<string, string> { [variable] = value });

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Error.Trim().ShouldStartWith("error: ");
        run.Error.ShouldContain(key);
        run.Error.Trim().Split('\n').Length.ShouldBe(1, run.ToString());
        Directory.EnumerateFileSystemEntries(Home).ShouldBeEmpty();
    }

    [Test]
    public async Task An_unreachable_database_is_one_line_without_the_password_and_a_non_zero_exit()
    {
        var closedPort = AppProcess.FreePort();
        var run = await RunAsync(["--database", $"Host=127.0.0.1;Port={closedPort};Username=alice;Password={Password};Database=chain;Timeout=5"]);

        run.ExitCode.ShouldBe(1, run.ToString());
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, run.ToString());
        lines[0].ShouldStartWith($"error: cannot reach PostgreSQL alice@127.0.0.1:{closedPort}/chain");
        (run.Out + run.Error).ShouldNotContain(Password);
        Directory.EnumerateFileSystemEntries(Home).ShouldBeEmpty();
    }

    [Test, Platform("Linux")]
    public async Task Node_listens_only_on_the_chosen_host_and_port_logs_its_start_and_stops_on_SIGTERM()
    {
        // 127.0.0.2 is loopback too on Linux: answering there and not on 127.0.0.1 shows the node binds what --host says, not 0.0.0.0.
        var port = AppProcess.FreePort();
        await using var node = StartNode(["--host", "127.0.0.2", "--api-port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", "relative/data", "--node-id", "cli-e2e"]);
        var url = $"http://127.0.0.2:{port}";
        using var http = new HttpClient { BaseAddress = new Uri(url + "/") };

        var status = await WaitUntilAnswersAsync(node, new NodeClient(http));

        status.Network.ShouldBe("regtest");
        status.NodeId.ShouldBe("cli-e2e");
        await Should.ThrowAsync<SocketException>(() => ConnectAsync("127.0.0.1", port));
        var startup = node.Lines.Single(l => l.Contains(" started: ", StringComparison.Ordinal));
        TimestampedLine().IsMatch(startup).ShouldBeTrue(startup);
        startup.ShouldContain("network regtest");
        startup.ShouldContain($"listening on {url}");
        startup.ShouldContain("tip 0 ");
        var database = Path.Combine(_directory, "relative", "data", "cli-e2e-regtest.db");
        startup.ShouldContain(database);
        File.Exists(database).ShouldBeTrue("a relative --data-dir means the caller's directory");
        Directory.Exists(Path.Combine(Home, ".chaincore")).ShouldBeFalse();

        var exitCode = await node.StopAsync(TimeSpan.FromSeconds(30));

        exitCode.ShouldBe(0, node.Output);
        node.Lines.ShouldAllBe(l => TimestampedLine().IsMatch(l), node.Output);
    }

    [Test, Platform("Linux")]
    public async Task Api_port_0_picks_a_free_port_on_127_0_0_1_by_default_and_Ctrl_C_stops_the_node()
    {
        await using var node = StartNode(["--api-port", "0", "--network", "devnet", "--coinbase-maturity", "3"]);

        var startup = await WaitForLineAsync(node, l => l.Contains(" started: ", StringComparison.Ordinal));
        var url = ListeningUrl().Match(startup);
        url.Success.ShouldBeTrue(startup);
        url.Groups["host"].Value.ShouldBe("127.0.0.1");
        startup.ShouldContain("network devnet");
        startup.ShouldContain(Path.Combine(Home, ".chaincore", "node-0-devnet.db"));
        using var http = new HttpClient { BaseAddress = new Uri(url.Value + "/") };
        (await new NodeClient(http).GetStatusAsync()).Network.ShouldBe("devnet");

        (await node.StopAsync(TimeSpan.FromSeconds(30), interrupt: true)).ShouldBe(0, node.Output);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex TimestampedLine();

    [GeneratedRegex(@"http://(?<host>[0-9.]+):(?<port>[1-9][0-9]*)")]
    private static partial Regex ListeningUrl();

    /// <summary>HOME inside the test's directory (the default data directory is looked for there), no host environment name.</summary>
    private Dictionary<string, string?> NodeEnvironment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["USERPROFILE"] = Home,
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["DOTNET_ENVIRONMENT"] = null,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    private async Task<CliRun> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exitCode, output, error) = await AppProcess.RunAsync("ChainCore.Node", args, _directory, NodeEnvironment(environment));
        return new CliRun(exitCode, output, error);
    }

    private AppProcess StartNode(IEnumerable<string> args) => AppProcess.Start("node", "ChainCore.Node", args, _directory, NodeEnvironment());

    private static async Task<StatusResponse> WaitUntilAnswersAsync(AppProcess node, NodeClient client)
    {
        StatusResponse? status = null;
        await WaitUntilAsync(
            async () =>
            {
                if (node.HasExited)
                {
                    Assert.Fail($"The node exited:{Environment.NewLine}{node.Output}");
                }

                try
                {
                    status = await client.GetStatusAsync();
                    return true;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            () => Task.FromResult($"the node does not answer:{Environment.NewLine}{node.Output}"),
            TimeSpan.FromSeconds(60));
        return status!;
    }

    private static async Task<string> WaitForLineAsync(AppProcess node, Func<string, bool> match)
    {
        await WaitUntilAsync(
            () => node.Lines.Any(match) || (node.HasExited ? throw new AssertionException($"The node exited:{Environment.NewLine}{node.Output}") : false),
            () => $"the node did not print the line:{Environment.NewLine}{node.Output}",
            TimeSpan.FromSeconds(60));
        return node.Lines.First(match);
    }

    private static async Task ConnectAsync(string host, int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Parse(host), port);
    }
}
