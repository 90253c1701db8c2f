using System.Text;
using System.Text.RegularExpressions;
using ChainCore.Core.Crypto;
using ChainCore.Miner;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace ChainCore.Tests.Unit.Mining;

/// <summary>The miner's progress where nobody watches a terminal (a log file, a service): the hash rate still shows, every 10 seconds.</summary>
[TestFixture, Category("Unit"), Category("Mining")]
public sealed partial class ProgressReporterTests
{
    [Test]
    public async Task Off_a_terminal_the_status_line_with_the_hash_rate_is_printed_every_10_seconds()
    {
        var clock = new ObservedClock();
        var options = Options.Create(new MinerOptions { Address = PrivateKey.Generate().PublicKey.ToAddress().ToString(), Workers = 1, AutoStart = false });
        var http = Substitute.For<IHttpClientFactory>();
        using var client = new HttpClient { BaseAddress = new Uri("http://node.test/") };
        http.CreateClient(MiningService.NodeClientName).Returns(client);
        using var miner = new MiningService(options, http, clock, NullLogger<MiningService>.Instance);
        var output = new LockedWriter();
        using var reporter = new ProgressReporter(miner, new MinerConsole(output, IsTerminal: false), options, clock);

        await reporter.StartAsync(CancellationToken.None);
        try
        {
            await clock.TimerCreated.Task.WaitAsync(Timeouts.Scale(TimeSpan.FromSeconds(10)));
            clock.Advance(ProgressReporter.LogStatusPeriod);
            await Waits.WaitUntilAsync(() => StatusLines(output.Text).Count == 1, () => output.Text, TimeSpan.FromSeconds(10));
            clock.Advance(ProgressReporter.LogStatusPeriod);
            await Waits.WaitUntilAsync(() => StatusLines(output.Text).Count == 2, () => output.Text, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await reporter.StopAsync(CancellationToken.None);
        }

        ProgressReporter.LogStatusPeriod.ShouldBe(TimeSpan.FromSeconds(10));
        StatusLines(output.Text).Select(m => m.Groups["time"].Value).ShouldBe(["00:00:10", "00:00:20"], output.Text);
        output.Text.ShouldNotContain("\rstopped", Case.Sensitive, "no in-place refresh off a terminal");
    }

    private static List<Match> StatusLines(string text) => [.. StatusLine().Matches(text).Cast<Match>()];

    [GeneratedRegex(@"^(?<time>\d\d:\d\d:\d\d) stopped: \d+ H/s on 1 workers, 0 blocks found, height -, 0 hashes\r?$", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    /// <summary>A fake clock that says when the reporter has created its timer, so the test advances time only after that.</summary>
    private sealed class ObservedClock : FakeTimeProvider
    {
        public TaskCompletionSource TimerCreated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            TimerCreated.TrySetResult();
            return timer;
        }
    }

    /// <summary>A console the reporter writes from its own thread while the test reads it.</summary>
    private sealed class LockedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _lock = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_lock)
            {
                _text.Append(value);
            }
        }
    }
}
