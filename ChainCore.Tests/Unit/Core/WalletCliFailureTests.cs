using System.Net;
using System.Text;
using ChainCore.Tests.Harness;
using ChainCore.Wallet;

namespace ChainCore.Tests.Unit.Core;

/// <summary>
/// How the wallet meets a node that fails it (unreachable, silent, not a ChainCore node, broken),
/// a cancelled run and a file it cannot write: one line, its exit code, never a stack trace.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class WalletCliFailureTests
{
    private string _directory = null!;

    [SetUp]
    public async Task CreateWallet()
    {
        _directory = Path.Combine(Path.GetTempPath(), "chaincore-wallet-unit", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        using var node = new ScriptedNode(_ => throw new InvalidOperationException("no request is expected"));
        (await new WalletCli(node, _directory).RunAsync("alice", "create")).ExitCode.ShouldBe(0);
    }

    [TearDown]
    public void DeleteWallet() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task A_node_that_cannot_be_reached_is_exit_code_4()
    {
        var run = await RunAgainst(_ => throw new HttpRequestException("Connection refused"), "balance");

        ShouldFail(run, 4, "Cannot reach the node");
    }

    [Test]
    public async Task A_node_that_does_not_answer_in_time_is_exit_code_4()
    {
        var run = await RunAgainst(_ => throw new TaskCanceledException("timed out"), "balance");

        ShouldFail(run, 4, "did not answer within");
    }

    [Test]
    public async Task A_server_that_is_not_a_ChainCore_node_is_exit_code_4()
    {
        var run = await RunAgainst(_ => Json("<html>hello</html>"), "history");

        ShouldFail(run, 4, "did not answer as a ChainCore node");
    }

    [Test]
    public async Task An_unexpected_failure_is_one_line_and_exit_code_1()
    {
        var run = await RunAgainst(_ => throw new InvalidOperationException("broken handler"), "balance");

        ShouldFail(run, 1, "unexpected InvalidOperationException: broken handler");
    }

    [Test]
    public async Task A_cancelled_run_is_one_line_and_exit_code_1()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var node = new ScriptedNode(_ => Json("{}"));

        var run = await new WalletCli(node, _directory).RunAsync(new TestWalletConsole(), "alice", ["balance"], cancelled.Token);

        ShouldFail(run, 1, "cancelled");
    }

    [Test]
    public async Task History_without_transactions_says_so()
    {
        var address = (await RunAgainst(_ => Json("{}"), "address")).Out.Trim();

        var run = await RunAgainst(_ => Json($$"""{"address": "{{address}}", "transactions": []}"""), "history");

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Out.Trim().ShouldBe($"No transactions for {address}.");
    }

    [Test]
    public async Task A_wallet_file_that_cannot_be_written_is_exit_code_2()
    {
        using var node = new ScriptedNode(_ => Json("{}"));
        // Its folder would be the file of another wallet: no folder can be made there.
        var missing = Path.Combine(new WalletCli(node, _directory).PathOf("alice"), "bob.json");

        var run = await new WalletCli(node, _directory).RunWithArgumentsAsync(new TestWalletConsole(), ["create", "--wallet", missing]);

        ShouldFail(run, 2, "Cannot write");
        File.Exists(missing).ShouldBeFalse();
    }

    [Test]
    public async Task The_process_entry_point_prints_help_and_exits_0()
    {
        (await Program.Main(["--help"])).ShouldBe(0);
    }

    [Test]
    public void A_passphrase_prompt_echoes_nothing_and_honours_backspace()
    {
        var keys = new Queue<ConsoleKeyInfo>(
        [
            Key('s'), Key('x'), new ConsoleKeyInfo('\b', ConsoleKey.Backspace, false, false, false), Key('3'),
            new ConsoleKeyInfo('\t', ConsoleKey.Tab, false, false, false), Key('c'),
            new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false),
        ]);
        var shown = new StringWriter();

        var secret = SystemWalletConsole.ReadSecret("Passphrase: ", keys.Dequeue, shown);

        secret.ShouldBe("s3c");
        shown.ToString().ShouldBe("Passphrase: " + Environment.NewLine, "the prompt and a line end, never the secret");
        keys.ShouldBeEmpty();
    }

    [Test]
    public void Backspace_on_an_empty_passphrase_changes_nothing()
    {
        var keys = new Queue<ConsoleKeyInfo>([new ConsoleKeyInfo('\b', ConsoleKey.Backspace, false, false, false), Key('a'), new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false)]);

        SystemWalletConsole.ReadSecret(string.Empty, keys.Dequeue, new StringWriter()).ShouldBe("a");
    }

    private static ConsoleKeyInfo Key(char c) => new(c, ConsoleKey.A, false, false, false);

    private async Task<CliRun> RunAgainst(Func<HttpRequestMessage, HttpResponseMessage> answer, params string[] args)
    {
        using var node = new ScriptedNode(answer);
        return await new WalletCli(node, _directory).RunAsync("alice", args);
    }

    private static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static void ShouldFail(CliRun run, int exitCode, string message)
    {
        run.ExitCode.ShouldBe(exitCode, run.ToString());
        run.Error.ShouldStartWith("error: ", customMessage: run.ToString());
        run.Error.ShouldContain(message, Case.Sensitive, run.ToString());
        run.Error.Trim().ShouldNotContain('\n', "one line, no stack trace");
    }

    private sealed class ScriptedNode(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(answer(request));
        }
    }
}
