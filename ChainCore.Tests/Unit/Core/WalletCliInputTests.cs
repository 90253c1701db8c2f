using System.Net;
using ChainCore.Core.Crypto;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Unit.Core;

/// <summary>
/// Mistakes the wallet catches before it talks to a node: one line naming what is wrong, its exit
/// code, and not a single request to the node (so nothing can have been sent).
/// </summary>
[TestFixture, Category("Unit")]
public sealed class WalletCliInputTests
{
    private const string Passphrase = "s3cret";
    private static readonly string Bob = PrivateKey.FromHex("000000000000000000000000000000000000000000000000000000000000be11").PublicKey.ToAddress().ToString();
    private string _directory = null!;
    private NodeRequestCounter _node = null!;

    [SetUp]
    public async Task CreateWallet()
    {
        _directory = Path.Combine(Path.GetTempPath(), "chaincore-wallet-unit", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _node = new NodeRequestCounter();
        var created = await Cli().RunAsync(WithPassphrase(Passphrase), "alice", "create", "--passphrase");
        created.ExitCode.ShouldBe(0, created.ToString());
    }

    [TearDown]
    public void DeleteWallet()
    {
        _node.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [TestCase("1BoatSLRHtKNngkdXEeobR76b53LETtpyX", "7", "is not a valid address", TestName = "Address with a bad checksum")]
    [TestCase("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "7", "is not a valid address", TestName = "P2SH address")]
    [TestCase("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "7", "is not a valid address", TestName = "Testnet address")]
    [TestCase("", "7", "is not a valid address", TestName = "Empty address")]
    [TestCase(null, "1.000000001", "more than 8 decimal places", TestName = "Amount with 9 decimals")]
    [TestCase(null, "seven", "not a plain decimal number", TestName = "Amount in words")]
    [TestCase(null, "1e3", "not a plain decimal number", TestName = "Amount with an exponent")]
    [TestCase(null, "1,5", "not a plain decimal number", TestName = "Amount with a comma")]
    [TestCase(null, "-1", "not a plain decimal number", TestName = "Negative amount")]
    [TestCase(null, "0", "must be more than 0", TestName = "Zero amount")]
    [TestCase(null, "21000001", "exceeds the maximum", TestName = "Amount over the maximum money")]
    public async Task Bad_payment_is_refused_with_exit_code_2_before_any_request(string? to, string amount, string message)
    {
        var run = await Cli().RunAsync(WithPassphrase(Passphrase), "alice", "send", "--to", to ?? Bob, "--amount", amount);

        ShouldBeRefused(run, 2, message);
    }

    [TestCase("0.1.2", TestName = "Fee with two dots")]
    [TestCase("0.000000001", TestName = "Fee with 9 decimals")]
    [TestCase("x", TestName = "Fee in words")]
    public async Task Bad_fee_is_refused_with_exit_code_2_before_any_request(string fee)
    {
        var run = await Cli().RunAsync(WithPassphrase(Passphrase), "alice", "send", "--to", Bob, "--amount", "1", "--fee", fee);

        ShouldBeRefused(run, 2, "--fee");
    }

    [TestCase(new[] { "send", "--to", "BOB" }, "--amount", TestName = "Missing amount")]
    [TestCase(new[] { "send", "--amount", "1" }, "--to", TestName = "Missing recipient")]
    [TestCase(new[] { "send", "--to", "BOB", "--amount", "1", "--yes" }, "--yes", TestName = "Unknown flag")]
    [TestCase(new[] { "pay", "--to", "BOB" }, "pay", TestName = "Unknown command")]
    [TestCase(new string[0], "Required command", TestName = "No command")]
    [TestCase(new[] { "balance", "--node", "ftp://127.0.0.1" }, "--node", TestName = "Node URL that is not http")]
    [TestCase(new[] { "balance", "--node", "127.0.0.1:5000" }, "--node", TestName = "Node URL without a scheme")]
    public async Task Bad_usage_is_refused_with_exit_code_2_before_any_request(string[] args, string message)
    {
        var run = await Cli().RunAsync(WithPassphrase(Passphrase), "alice", [.. args.Select(a => a == "BOB" ? Bob : a)]);

        ShouldBeRefused(run, 2, message);
    }

    [Test]
    public async Task Wrong_passphrase_from_the_environment_is_exit_code_5_before_any_request()
    {
        var run = await Cli().RunAsync(WithPassphrase("guess"), "alice", "send", "--to", Bob, "--amount", "1");

        ShouldBeRefused(run, 5, "Wrong passphrase");
    }

    [Test]
    public async Task Wrong_passphrase_typed_at_the_prompt_is_exit_code_5_before_any_request()
    {
        var console = new TestWalletConsole { CanPrompt = true }.Answer("guess");

        var run = await Cli().RunAsync(console, "alice", "send", "--to", Bob, "--amount", "1");

        ShouldBeRefused(run, 5, "Wrong passphrase");
        console.Prompts.ShouldBe(["Passphrase: "]);
    }

    [Test]
    public async Task Encrypted_wallet_without_a_terminal_or_the_variable_is_exit_code_5_naming_the_variable()
    {
        var run = await Cli().RunAsync(new TestWalletConsole(), "alice", "send", "--to", Bob, "--amount", "1");

        ShouldBeRefused(run, 5, WalletCli.PassphraseVariable);
    }

    [Test]
    public async Task Create_refuses_to_overwrite_a_wallet_and_leaves_it_as_it_was()
    {
        var before = await File.ReadAllTextAsync(Cli().PathOf("alice"));

        var run = await Cli().RunAsync(new TestWalletConsole(), "alice", "create");

        ShouldBeRefused(run, 2, "already exists");
        (await File.ReadAllTextAsync(Cli().PathOf("alice"))).ShouldBe(before);
    }

    [Test]
    public async Task Create_with_passphrase_but_no_terminal_or_variable_writes_nothing()
    {
        var run = await Cli().RunAsync(new TestWalletConsole(), "bob", "create", "--passphrase");

        ShouldBeRefused(run, 2, WalletCli.PassphraseVariable);
        File.Exists(Cli().PathOf("bob")).ShouldBeFalse();
    }

    [Test]
    public async Task Address_needs_no_passphrase_and_no_node()
    {
        var run = await Cli().RunAsync(new TestWalletConsole(), "alice", "address");

        run.ExitCode.ShouldBe(0, run.ToString());
        Address.TryParse(run.Out.Trim(), out _).ShouldBeTrue(run.Out);
        _node.Requests.ShouldBe(0);
    }

    [Test]
    public async Task Create_asks_twice_and_writes_nothing_when_the_passphrases_differ()
    {
        var cli = new WalletCli(_node.Handler, _directory);

        var run = await cli.RunAsync(new TestWalletConsole { CanPrompt = true }.Answer("one", "two"), "carol", "create", "--passphrase");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Error.ShouldContain("do not match");
        File.Exists(cli.PathOf("carol")).ShouldBeFalse();
        Directory.EnumerateFiles(_directory).ShouldBe([cli.PathOf("alice")], "no temporary file is left behind");
    }

    [Test]
    public async Task Created_wallet_file_is_readable_by_its_owner_only()
    {
        var cli = new WalletCli(_node.Handler, _directory);

        (await cli.RunAsync("carol", "create")).ExitCode.ShouldBe(0);

        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(cli.PathOf("carol")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Test]
    public async Task Help_lists_the_commands_and_the_exit_codes()
    {
        var run = await new WalletCli(_node.Handler, _directory).RunAsync("alice", "--help");

        run.ExitCode.ShouldBe(0);
        foreach (var text in new[] { "create", "address", "balance", "send", "history", "--node", "--wallet", WalletCli.PassphraseVariable, "3  refused by the node", "5  wrong or missing passphrase" })
        {
            run.Out.ShouldContain(text);
        }
    }

    private WalletCli Cli() => new(_node.Handler, _directory);

    private void ShouldBeRefused(CliRun run, int exitCode, string message)
    {
        run.ExitCode.ShouldBe(exitCode, run.ToString());
        run.Error.ShouldStartWith("error: ", customMessage: run.ToString());
        run.Error.ShouldContain(message, Case.Sensitive, run.ToString());
        run.Error.Trim().ShouldNotContain('\n', "one line, no stack trace");
        run.Out.ShouldBeEmpty();
        _node.Requests.ShouldBe(0, "nothing may reach the node");
    }

    private static TestWalletConsole WithPassphrase(string passphrase) => new() { Environment = { [WalletCli.PassphraseVariable] = passphrase } };

    /// <summary>Stands in for a node: counts requests and answers none of them.</summary>
    private sealed class NodeRequestCounter : HttpMessageHandler
    {
        private int _requests;

        public int Requests => _requests;

        public HttpMessageHandler Handler => this;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }
    }
}
