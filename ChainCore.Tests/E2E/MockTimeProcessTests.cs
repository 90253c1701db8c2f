using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.E2E;

/// <summary>
/// A node process's settable clock (<c>--mock-time</c>, <c>POST /debug/mocktime</c>), as Bitcoin
/// Core's setmocktime: block times follow it, a block too far ahead of it is refused with
/// <c>time-too-new</c> and logged below error level (the refusal is right), and main refuses it.
/// </summary>
[TestFixture, Category("E2E")]
public sealed class MockTimeProcessTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(TestEnvironment.ScratchDirectory, "mocktime-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Blocks_follow_the_set_clock_and_a_chain_ahead_of_it_is_refused_time_too_new_without_an_error()
    {
        var port = AppProcess.FreePort();
        var start = MockTime.Now();
        await using var node = AppProcess.Start("node", "ChainCore.Node",
            ["--network", "regtest", "--api-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", _directory, "--node-id", "mocktime-e2e", .. MockTime.Flag(start)]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        var client = new NodeClient(http);
        await Waits.WaitUntilAsync(() => AnswersAsync(client), () => Task.FromResult(node.ToString()), TimeSpan.FromSeconds(60));
        var payee = Wallets.NewWallet().Address.ToString();

        // Three hours ahead, then back: the tip's median time is now more than two hours past the node's clock.
        var ahead = await MockTime.MineAsync(http, payee, blocks: 11, start: start + (3 * 3600));
        ((long)(await client.GetLatestBlockAsync()).Time).ShouldBe(ahead, "a block's time is the node's clock");
        await MockTime.SetAsync(http, start);
        var refused = await Should.ThrowAsync<NodeApiException>(() => client.MineBlockAsync(payee));
        refused.Code.ShouldBe(RejectCodes.TimeTooNew);

        // The clock catches up: mining goes on.
        await MockTime.SetAsync(http, ahead + 1);
        (await client.MineBlockAsync(payee)).Height.ShouldBe(12);
        await MockTime.SetAsync(http, 0);

        (await node.StopAsync()).ShouldBe(0, node.ToString());
        node.Lines.ShouldContain(l => l.Contains(RejectCodes.TimeTooNew, StringComparison.Ordinal), node.ToString());
        node.Lines.Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)).ShouldBeEmpty("a right refusal is no error");
    }

    [Test]
    public async Task Main_refuses_the_flag_in_one_line_with_exit_code_2()
    {
        var (exitCode, output, error) = await AppProcess.RunAsync("ChainCore.Node", ["--network", "main", "--data-dir", _directory, .. MockTime.Flag(MockTime.Now())]);

        exitCode.ShouldBe(2, output + error);
        error.Trim().ShouldBe($"error: --mock-time {ChainCore.Node.NodeOptions.MockTimeOnMainRule} (see --help)");
    }

    private static async Task<bool> AnswersAsync(NodeClient client)
    {
        try
        {
            await client.GetStatusAsync();
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
