using System.Net;
using System.Net.Sockets;
using ChainCore.Node;
using Microsoft.Extensions.Configuration;

namespace ChainCore.Tests.Unit.Node;

/// <summary>
/// The node's flags and settings in process: what each flag sets, what is refused and how, and the
/// checks made before anything is created. (E2E/NodeCommandLineTests runs the executable itself.)
/// </summary>
[TestFixture, Category("Unit")]
public sealed class NodeSettingsTests
{
    private const string Password = "hunter2-secret";

    private static (NodeCommandLine.Outcome Outcome, string Out, string Error) Parse(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var outcome = new NodeCommandLine().Parse(args, output, error);
        return (outcome, output.ToString(), error.ToString());
    }

    [Test]
    public void Each_flag_sets_its_configuration_key()
    {
        var (outcome, _, error) = Parse(
            "--node-id", "n1", "--network", "DevNet", "--data-dir", "rel/dir", "--database", "Host=db;Username=u;Password=p;Database=c",
            "--host", "0.0.0.0", "--api-port", "5001", "--p2p-port", "6001", "--bootstrap-nodes", "http://a:1,http://b:2",
            "--public-url", "http://me:5001", "--coinbase-maturity", "3", "--min-relay-fee-per-kb", "0", "--max-mempool-transactions", "10",
            "--max-mempool-bytes", "20000", "--mempool-max-ancestors", "5", "--mempool-max-descendants", "7", "--incremental-relay-fee-per-kb", "250",
            "--max-orphan-blocks", "0", "--max-request-bytes", "4096", "--mock-time", "1700000000");

        error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBeNull();
        outcome.Settings.ShouldBe(new Dictionary<string, string?>
        {
            ["Node:NodeId"] = "n1",
            ["Node:Network"] = "devnet",
            ["Node:DataDir"] = Path.GetFullPath("rel/dir", Environment.CurrentDirectory),
            ["Node:Database"] = "Host=db;Username=u;Password=p;Database=c",
            ["Node:Host"] = "0.0.0.0",
            ["Node:ApiPort"] = "5001",
            ["Node:P2PPort"] = "6001",
            ["Node:BootstrapNodes"] = "http://a:1,http://b:2",
            ["Node:PublicUrl"] = "http://me:5001",
            ["Node:CoinbaseMaturity"] = "3",
            ["Node:MinRelayFeePerKb"] = "0",
            ["Node:MaxMempoolTransactions"] = "10",
            ["Node:MaxMempoolBytes"] = "20000",
            ["Node:MempoolMaxAncestors"] = "5",
            ["Node:MempoolMaxDescendants"] = "7",
            ["Node:IncrementalRelayFeePerKb"] = "250",
            ["Node:MaxOrphanBlocks"] = "0",
            ["Node:MaxRequestBytes"] = "4096",
            ["Node:MockTime"] = "1700000000",
        }, ignoreOrder: true);
    }

    [Test]
    public void Flags_not_given_leave_configuration_alone()
    {
        var (outcome, _, _) = Parse();

        outcome.ExitCode.ShouldBeNull();
        outcome.Settings.ShouldBeEmpty();
    }

    [TestCase("--api-port", "abc")]
    [TestCase("--api-port", "65536")]
    [TestCase("--network", "foo")]
    [TestCase("--coinbase-maturity", "0")]
    [TestCase("--max-request-bytes", "10")]
    [TestCase("--public-url", "not a url")]
    [TestCase("--mempool-max-ancestors", "0")]
    [TestCase("--mempool-max-descendants", "1001")]
    [TestCase("--incremental-relay-fee-per-kb", "-1")]
    [TestCase("--mock-time", "-1")]
    [TestCase("--mock-time", "4294967296")]
    public void A_bad_value_is_one_error_line_naming_the_flag_and_exit_code_2(string flag, string value)
    {
        var (outcome, output, error) = Parse(flag, value);

        outcome.ExitCode.ShouldBe(2);
        output.ShouldBeEmpty();
        error.TrimEnd().Split('\n').Length.ShouldBe(1);
        error.ShouldStartWith($"error: {flag} '{value}' ");
    }

    [Test]
    public void A_connection_string_is_never_echoed_in_an_error()
    {
        var (outcome, _, error) = Parse("--database", $"Host=x;Password={Password};Frobnicate=1");

        outcome.ExitCode.ShouldBe(2);
        error.ShouldContain("--database");
        error.ShouldNotContain(Password);
    }

    [Test]
    public void Help_and_version_print_and_exit_0()
    {
        var help = Parse("--help");
        var version = Parse("--version");

        help.Outcome.ExitCode.ShouldBe(0);
        help.Out.ShouldContain("--coinbase-maturity");
        help.Out.ShouldContain("Exit codes");
        version.Outcome.ExitCode.ShouldBe(0);
        version.Out.ShouldNotBeEmpty();
    }

    [Test]
    public void Every_flag_help_offers_is_in_the_readmes_table()
    {
        var flags = System.Text.RegularExpressions.Regex.Matches(Parse("--help").Out, @"(?<![\w-])--[a-z0-9][a-z0-9-]+")
            .Select(m => m.Value)
            .Where(f => f is not "--help" and not "--version")
            .Distinct()
            .ToList();
        var readme = File.ReadAllText(Path.Combine(ChainCore.Tests.Harness.ReportPaths.RepositoryRoot, "README.md"));

        flags.ShouldContain("--mempool-max-ancestors");
        flags.Where(f => !readme.Contains($"`{f} ", StringComparison.Ordinal) && !readme.Contains($"`{f}`", StringComparison.Ordinal)).ShouldBeEmpty("each of the node's flags has a row in the README");
    }

    [Test]
    public void Default_settings_are_valid_and_listen_on_127_0_0_1_port_5000()
    {
        var options = new NodeOptions();

        options.Validate().ShouldBeEmpty();
        options.ListenUrl.ShouldBe("http://127.0.0.1:5000");
        new NodeOptions { Host = "::1", ApiPort = 0 }.ListenUrl.ShouldBe("http://[::1]:0");
        options.DataLocation.ShouldStartWith("SQLite ");
    }

    [Test]
    public void Each_bad_setting_is_named_by_its_key()
    {
        var options = new NodeOptions
        {
            NodeId = "../x",
            Network = "foo",
            Host = "example.com",
            ApiPort = 70_000,
            P2PPort = 0,
            BootstrapNodes = "ftp://peer",
            PublicUrl = "nope",
            CoinbaseMaturity = 0,
            MinRelayFeePerKb = -1,
            MaxMempoolTransactions = 0,
            MaxMempoolBytes = 0,
            MempoolMaxAncestors = 0,
            MempoolMaxDescendants = NodeOptions.MaxPackageCount + 1,
            IncrementalRelayFeePerKb = -1,
            MaxOrphanBlocks = -1,
            MaxRequestBytes = 1,
            Database = "nonsense",
        };

        var errors = options.Validate();

        foreach (var key in new[] { "NodeId", "Network", "Host", "ApiPort", "P2PPort", "BootstrapNodes", "PublicUrl", "CoinbaseMaturity", "MinRelayFeePerKb", "MaxMempoolTransactions", "MaxMempoolBytes", "MempoolMaxAncestors", "MempoolMaxDescendants", "IncrementalRelayFeePerKb", "MaxOrphanBlocks", "MaxRequestBytes", "Database" })
        {
            errors.ShouldContain(e => e.StartsWith($"Node:{key} ", StringComparison.Ordinal), key);
        }
    }

    [Test]
    public void The_mempool_options_set_the_pools_limits_and_leave_the_rest_at_their_defaults()
    {
        var limits = new NodeOptions { MempoolMaxAncestors = 5, MempoolMaxDescendants = 7, IncrementalRelayFeePerKb = 250 }.MempoolLimits;

        limits.ShouldBe(ChainCore.Node.Mempool.MempoolLimits.Default with { MaxAncestors = 5, MaxDescendants = 7, IncrementalRelayFeePerKb = 250 });
        new NodeOptions().MempoolLimits.ShouldBe(ChainCore.Node.Mempool.MempoolLimits.Default);
    }

    [Test]
    public void A_coinbase_maturity_override_is_refused_on_main_only()
    {
        new NodeOptions { Network = "main", CoinbaseMaturity = 5 }.Validate().ShouldHaveSingleItem().ShouldStartWith("Node:CoinbaseMaturity ");
        new NodeOptions { Network = "devnet", CoinbaseMaturity = 5 }.Validate().ShouldBeEmpty();
        new NodeOptions { Network = "regtest", CoinbaseMaturity = 5 }.ResolveConsensus().CoinbaseMaturity.ShouldBe(5);
        Parse("--network", "main", "--coinbase-maturity", "5").Outcome.ExitCode.ShouldBe(2);
    }

    [Test]
    public void A_mock_time_is_refused_on_main_only()
    {
        new NodeOptions { Network = "main", MockTime = 1_700_000_000 }.Validate().ShouldHaveSingleItem().ShouldStartWith("Node:MockTime ");
        new NodeOptions { Network = "devnet", MockTime = 1_700_000_000 }.Validate().ShouldBeEmpty();
        var (outcome, _, error) = Parse("--network", "main", "--mock-time", "1700000000");
        outcome.ExitCode.ShouldBe(2);
        error.TrimEnd().ShouldBe($"error: --mock-time {NodeOptions.MockTimeOnMainRule} (see --help)");
    }

    [Test]
    public void A_mock_time_stands_still_until_set_again_and_0_returns_to_the_wall_clock()
    {
        var wall = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var clock = new NodeClock(wall, mockTime: 1_700_000_000);

        clock.GetUtcNow().ToUnixTimeSeconds().ShouldBe(1_700_000_000);
        wall.Advance(TimeSpan.FromMinutes(5));
        clock.GetUtcNow().ToUnixTimeSeconds().ShouldBe(1_700_000_000, "a set time stands still");
        clock.GetTimestamp().ShouldBe(wall.GetTimestamp(), "timers and elapsed times keep the wall clock's pace");

        clock.SetMockTime(1_700_010_000);
        clock.GetUtcNow().ToUnixTimeSeconds().ShouldBe(1_700_010_000);
        clock.SetMockTime(0);
        clock.GetUtcNow().ShouldBe(wall.GetUtcNow());
    }

    [Test]
    public void A_database_is_described_without_its_password()
    {
        NodeValues.TryDescribeDatabase($"Host=db.example;Port=6543;Username=alice;Password={Password};Database=chain", out var description, out _).ShouldBeTrue();

        description.ShouldBe("PostgreSQL alice@db.example:6543/chain");
        new NodeOptions { Database = $"Host=db;Password={Password}" }.DataLocation.ShouldNotContain(Password);
        NodeValues.TryDescribeDatabase("Password=x", out _, out var error).ShouldBeFalse();
        error.ShouldContain("Host");
    }

    [Test]
    public async Task Checks_before_start_refuse_bad_settings_and_an_unreachable_database_and_pass_good_ones()
    {
        static IConfiguration Config(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

        var unbindable = await NodeHosting.CheckBeforeStartAsync(Config(("Node:ApiPort", "abc")), CancellationToken.None);
        var invalid = await NodeHosting.CheckBeforeStartAsync(Config(("Node:Network", "foo")), CancellationToken.None);
        var port = ClosedPort();
        var unreachable = await NodeHosting.CheckBeforeStartAsync(Config(("Node:Database", $"Host=127.0.0.1;Port={port};Username=u;Password={Password};Database=d;Timeout=5")), CancellationToken.None);
        var fine = await NodeHosting.CheckBeforeStartAsync(Config(("Node:Network", "devnet")), CancellationToken.None);

        unbindable!.Value.ExitCode.ShouldBe(2);
        unbindable.Value.Message.ShouldContain("Node:ApiPort");
        invalid!.Value.ExitCode.ShouldBe(2);
        invalid.Value.Message.ShouldStartWith("error: Node:Network ");
        unreachable!.Value.ExitCode.ShouldBe(1);
        unreachable.Value.Message.ShouldStartWith($"error: cannot reach PostgreSQL u@127.0.0.1:{port}/d: ");
        unreachable.Value.Message.ShouldNotContain(Password);
        fine.ShouldBeNull();
    }

    [Test]
    public async Task The_entry_point_refuses_before_starting_anything()
    {
        // Its output is the test's own (in the test's results), not the run's console, where a
        // refusal the test expects would read as a failure.
        async Task<(int ExitCode, string Out, string Error)> Run(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exitCode = await Program.RunCommandLineAsync(args, output, error);
            await TestContext.Out.WriteLineAsync($"node {string.Join(' ', args)}: exit {exitCode}{Environment.NewLine}{output}{error}");
            return (exitCode, output.ToString(), error.ToString());
        }

        var badNetwork = await Run("--network", "foo");
        badNetwork.ExitCode.ShouldBe(2);
        badNetwork.Error.ShouldStartWith("error: --network 'foo'");
        var help = await Run("--help");
        help.ExitCode.ShouldBe(0);
        help.Out.ShouldContain("--data-dir");
        var unreachable = await Run("--database", $"Host=127.0.0.1;Port={ClosedPort()};Username=u;Password={Password};Timeout=5");
        unreachable.ExitCode.ShouldBe(1);
        unreachable.Error.ShouldStartWith("error: cannot reach PostgreSQL u@127.0.0.1:");
        unreachable.Error.ShouldNotContain(Password);
    }

    [Test]
    public void An_exception_and_its_causes_fit_on_one_line()
    {
        var e = new InvalidOperationException("outer\nline", new SocketException((int)SocketError.ConnectionRefused));

        NodeHosting.OneLine(e).ShouldBe($"outer line: {new SocketException((int)SocketError.ConnectionRefused).Message}");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
