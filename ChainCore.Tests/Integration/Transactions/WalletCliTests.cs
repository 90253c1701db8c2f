using ChainCore.Core.Wallet;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Transactions;

/// <summary>
/// ChainCore.Wallet's commands run in the test process against a node at regtest's real coinbase
/// maturity (100): what a person types, what they read, the exit code their scripts see.
/// </summary>
[TestFixture, Category("Integration"), Category("Database")]
public sealed class WalletCliTests : NodeTestBase
{
    private const int Maturity = 100;
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "chaincore-wallet-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Two_wallets_mine_send_and_see_their_balances_and_history()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var cli = new WalletCli(node, _directory);
        var encrypted = new TestWalletConsole { CanPrompt = true }.Answer("correct horse", "correct horse");
        (await cli.RunAsync(encrypted, "alice", "create", "--passphrase")).ExitCode.ShouldBe(0);
        (await cli.RunAsync("bob", "create")).ExitCode.ShouldBe(0);
        WalletFile.Load(cli.PathOf("alice")).IsEncrypted.ShouldBeTrue();
        var alice = (await cli.RunAsync("alice", "address")).Out.Trim();
        var bob = (await cli.RunAsync("bob", "address")).Out.Trim();

        await node.MineAsync(Maturity + 1, alice);

        var before = await cli.RunAsync("alice", "balance");
        before.ExitCode.ShouldBe(0, before.ToString());
        before.Out.ShouldContain("Confirmed:  100.00000000 CHC");
        before.Out.ShouldContain("Immature:   4950.00000000 CHC  (mined; the next 50.00000000 becomes spendable at height 102)");
        var unlock = new TestWalletConsole { CanPrompt = true }.Answer("correct horse");
        var sent = await cli.RunAsync(unlock, "alice", "send", "--to", bob, "--amount", "7", "--fee", "0.1");
        sent.ExitCode.ShouldBe(0, sent.ToString());
        unlock.Prompts.ShouldBe(["Passphrase: "]);
        var txId = sent.Out.Split("Transaction: ")[1].Trim();
        (await node.Client.GetMempoolAsync()).Transactions.Single().TxId.ShouldBe(txId);
        (await cli.RunAsync("bob", "balance")).Out.ShouldContain("Pending:    +7.00000000 CHC");
        (await cli.RunAsync("bob", "history")).Out.ShouldContain($"{"pending",-8}  {"+7.00000000 CHC",20}  {txId}");

        await node.MineAsync(1, Wallets.NewWallet().Address.ToString());

        var bobBalance = await cli.RunAsync("bob", "balance");
        bobBalance.Out.ShouldContain("Confirmed:  7.00000000 CHC");
        bobBalance.Out.ShouldContain("Total:      7.00000000 CHC");
        var aliceBalance = await cli.RunAsync("alice", "balance");
        aliceBalance.Out.ShouldContain("Confirmed:  142.90000000 CHC", customMessage: "150 mature after block 102, less 7 and the 0.1 fee");
        aliceBalance.Out.ShouldContain("Immature:   4900.00000000 CHC");
        (await cli.RunAsync("bob", "history")).Out.ShouldContain($"{Maturity + 2,-8}  {"+7.00000000 CHC",20}  {txId}");
        (await cli.RunAsync("alice", "history")).Out.ShouldContain($"{Maturity + 2,-8}  {"-7.10000000 CHC",20}  {txId}");
    }

    /// <summary>Each mistake a person can make: one line saying what is wrong, its exit code, and nothing sent.</summary>
    [Test]
    public async Task Bad_input_is_refused_with_its_message_and_exit_code_and_nothing_is_sent()
    {
        await using var node = await StartNodeAsync(coinbaseMaturity: Maturity);
        var cli = new WalletCli(node, _directory);
        (await cli.RunAsync(new TestWalletConsole { Environment = { [WalletCli.PassphraseVariable] = "s3cret" } }, "alice", "create", "--passphrase")).ExitCode.ShouldBe(0);
        var alice = (await cli.RunAsync("alice", "address")).Out.Trim();
        var bob = Wallets.NewWallet().Address.ToString();
        await node.MineAsync(Maturity, alice);
        var tip = (await node.StatusAsync()).TipHash;
        var walletBefore = await File.ReadAllTextAsync(cli.PathOf("alice"));

        var cases = new (string Name, string[] Args, TestWalletConsole Console, int Exit, string Message)[]
        {
            ("bad address", ["send", "--to", "1BoatSLRHtKNngkdXEeobR76b53LETtpyX", "--amount", "1"], Unlocked(), 2, "is not a valid address"),
            ("P2SH address", ["send", "--to", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "--amount", "1"], Unlocked(), 2, "is not a valid address"),
            ("more than 8 decimals", ["send", "--to", bob, "--amount", "1.000000001"], Unlocked(), 2, "more than 8 decimal places"),
            ("not a number", ["send", "--to", bob, "--amount", "seven"], Unlocked(), 2, "not a plain decimal number"),
            ("zero", ["send", "--to", bob, "--amount", "0"], Unlocked(), 2, "must be more than 0"),
            ("negative", ["send", "--to", bob, "--amount=-1"], Unlocked(), 2, "--amount"),
            ("over max money", ["send", "--to", bob, "--amount", "21000001"], Unlocked(), 2, "exceeds the maximum"),
            ("bad fee", ["send", "--to", bob, "--amount", "1", "--fee", "0.1.2"], Unlocked(), 2, "--fee"),
            ("missing amount", ["send", "--to", bob], Unlocked(), 2, "--amount"),
            ("unknown flag", ["send", "--to", bob, "--amount", "1", "--yes"], Unlocked(), 2, "--yes"),
            ("insufficient funds", ["send", "--to", bob, "--amount", "50"], Unlocked(), 3, "insufficient-funds"),
            ("wrong passphrase", ["send", "--to", bob, "--amount", "1"], new TestWalletConsole { Environment = { [WalletCli.PassphraseVariable] = "guess" } }, 5, "Wrong passphrase"),
            ("wrong passphrase typed", ["send", "--to", bob, "--amount", "1"], new TestWalletConsole { CanPrompt = true }.Answer("guess"), 5, "Wrong passphrase"),
            ("no passphrase, no terminal", ["send", "--to", bob, "--amount", "1"], new TestWalletConsole(), 5, WalletCli.PassphraseVariable),
            ("bad node URL", ["send", "--to", bob, "--amount", "1", "--node", "ftp://127.0.0.1"], Unlocked(), 2, "--node"),
            ("create over an existing wallet", ["create"], new TestWalletConsole(), 2, "already exists"),
        };

        foreach (var (name, args, console, exit, message) in cases)
        {
            var run = await cli.RunAsync(console, "alice", args);

            run.ExitCode.ShouldBe(exit, $"{name}: {run}");
            run.Error.ShouldContain(message, Case.Sensitive, $"{name}: {run}");
            run.Error.Trim().ShouldNotContain('\n', $"{name}: one line, no stack trace: {run}");
            run.Out.ShouldBeEmpty($"{name}: {run}");
        }

        (await node.Client.GetMempoolAsync()).Count.ShouldBe(0);
        (await node.StatusAsync()).TipHash.ShouldBe(tip);
        (await File.ReadAllTextAsync(cli.PathOf("alice"))).ShouldBe(walletBefore);
    }

    [Test]
    public async Task An_unreachable_node_is_exit_code_4_and_a_missing_wallet_file_exit_code_2()
    {
        var offline = new WalletCli(node: null, _directory);
        (await offline.RunAsync("alice", "create")).ExitCode.ShouldBe(0);

        var unreachable = await offline.RunAsync("alice", "balance", "--node", "http://127.0.0.1:1");
        var missing = await offline.RunAsync("nobody", "address");

        unreachable.ExitCode.ShouldBe(4, unreachable.ToString());
        unreachable.Error.ShouldContain("Cannot reach the node at http://127.0.0.1:1");
        missing.ExitCode.ShouldBe(2, missing.ToString());
        missing.Error.ShouldContain("No wallet file");
        File.Exists(offline.PathOf("nobody")).ShouldBeFalse();
    }

    private static TestWalletConsole Unlocked() => new() { Environment = { [WalletCli.PassphraseVariable] = "s3cret" } };
}
