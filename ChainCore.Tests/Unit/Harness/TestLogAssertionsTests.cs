using System.Text.RegularExpressions;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Unit.Harness;

/// <summary><see cref="TestLog.AssertLogAsync(Func{Task}, IEnumerable{LogPattern}, IEnumerable{LogPattern}?, TimeSpan?, CancellationToken)"/>: only the action's lines count, expected ones are waited for, a failure shows why.</summary>
[TestFixture, Category("Unit")]
public sealed class TestLogAssertionsTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    private static void Write(TestLog log, string message, LogLevel level = LogLevel.Information) => log.Write("node-0", level, "ChainCore.Node.Chain.ChainEngine", message);

    [Test]
    public async Task Lines_written_by_the_action_satisfy_text_and_regular_expressions()
    {
        var log = new TestLog();

        var result = await log.AssertLogAsync(
            () =>
            {
                Write(log, "Refused block 00ab: bad-pow (invalid)", LogLevel.Warning);
                Write(log, "Connected block 7 at height 7");
                return Task.FromResult(42);
            },
            expected: ["bad-pow", new Regex(@" WRN ChainEngine: Refused block [0-9a-f]+"), new Regex("height 7$")],
            unexpected: ["ERR", new Regex("height 8")]);

        result.ShouldBe(42);
    }

    [Test]
    public async Task Lines_written_before_the_action_do_not_count_either_way()
    {
        var log = new TestLog();
        Write(log, "Refused block 00ab: bad-pow (invalid)");

        await log.AssertLogAsync(() => Task.CompletedTask, expected: [], unexpected: ["bad-pow"]);
        var failure = await Should.ThrowAsync<AssertionException>(() => log.AssertLogAsync(() => Task.CompletedTask, expected: ["bad-pow"], timeout: Short));

        failure.Message.ShouldContain("Expected, not written within");
        failure.Message.ShouldContain("\"bad-pow\"");
        failure.Message.ShouldContain("Lines written during the action (0)");
    }

    [Test]
    public async Task An_expected_line_written_after_the_action_returns_is_waited_for()
    {
        var log = new TestLog();
        var later = Task.CompletedTask;

        await log.AssertLogAsync(
            () =>
            {
                later = Task.Run(async () =>
                {
                    await Task.Delay(100);
                    Write(log, "Tip moved to height 3");
                });
                return Task.CompletedTask;
            },
            expected: ["Tip moved to height 3"]);

        await later;
    }

    [Test]
    public async Task An_unexpected_line_fails_at_once_and_is_shown_with_its_pattern()
    {
        var log = new TestLog();

        var failure = await Should.ThrowAsync<AssertionException>(() => log.AssertLogAsync(
            () =>
            {
                Write(log, "Connected block 5");
                Write(log, "Store write failed", LogLevel.Error);
                return Task.CompletedTask;
            },
            expected: ["Connected block 5"],
            unexpected: [new Regex(" ERR ")],
            timeout: TimeSpan.FromMinutes(5)));

        failure.Message.ShouldContain("Not expected, written:");
        failure.Message.ShouldMatch(@"/ ERR / in: \S+ node-0 ERR ChainEngine: Store write failed");
        failure.Message.ShouldNotContain("Expected, not written");
    }

    [Test]
    public async Task A_missing_line_fails_after_the_timeout_listing_what_was_missing_and_the_lines_seen()
    {
        var log = new TestLog();

        var failure = await Should.ThrowAsync<AssertionException>(() => log.AssertLogAsync(
            () =>
            {
                Write(log, "Connected block 5");
                return Task.CompletedTask;
            },
            expected: ["Connected block 5", new Regex("Connected block 6")],
            timeout: Short));

        failure.Message.ShouldContain("/Connected block 6/");
        failure.Message.ShouldNotContain("\"Connected block 5\"");
        failure.Message.ShouldContain("Lines written during the action (1)");
        failure.Message.ShouldContain("node-0 INF ChainEngine: Connected block 5");
    }

    [Test]
    public void Lines_since_a_mark_survive_the_oldest_lines_being_dropped()
    {
        var log = new TestLog(capacity: 2);
        Write(log, "one");
        var mark = log.Written;

        Write(log, "two");
        Write(log, "three");

        log.Written.ShouldBe(3);
        log.LinesSince(mark).Select(l => l[(l.LastIndexOf(':') + 2)..]).ShouldBe(["two", "three"]);
    }
}
