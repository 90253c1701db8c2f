using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using ChainCore.Tests.Harness.Timeline;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Harness;

/// <summary>
/// One test's log, in memory: every node (and later miner) of the test writes into it at Debug
/// level, each line timestamped and prefixed with its source (<c>node-0</c>…), so their stories
/// read as one, as Bitcoin Core's <c>combine_logs.py</c> shows them. Kept when the test fails
/// (see <see cref="FailureEvidence"/>); bounded so a long test cannot fill the memory. What a test
/// expects in it while something happens: <see cref="AssertLogAsync(Func{Task}, IEnumerable{LogPattern}, IEnumerable{LogPattern}?, TimeSpan?, CancellationToken)"/>.
/// </summary>
public sealed partial class TestLog
{
    public const int DefaultCapacity = 50_000;

    private readonly ConcurrentQueue<(long Number, string Text)> _lines = new();
    private readonly int _capacity;
    private long _dropped;
    private readonly Lock _numbering = new();
    private long _written;

    public TestLog(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    public int Count => _lines.Count;

    /// <summary>Lines dropped because the log was full (the oldest go first).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public IReadOnlyList<string> Lines => [.. _lines.Select(l => l.Text)];

    /// <summary>The lines the log still holds with their numbers (as <see cref="Written"/> counts them).</summary>
    public IReadOnlyList<(long Number, string Text)> NumberedLines => [.. _lines];

    /// <summary>The failure timeline fed by this log, if any: it sees every entry, with the fields it was written with.</summary>
    public TimelineRecorder? Timeline { get; set; }

    /// <summary>How many lines were ever written: a mark for <see cref="LinesSince"/>.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>The lines written after <paramref name="mark"/> (a value of <see cref="Written"/>) that the log still holds.</summary>
    public IReadOnlyList<string> LinesSince(long mark) => [.. _lines.Where(l => l.Number > mark).Select(l => l.Text)];

    /// <summary>A logger provider writing into this log with <paramref name="source"/> on every line.</summary>
    public ILoggerProvider ProviderFor(string source) => new Provider(this, source);

    public void Write(string source, LogLevel level, string category, string message, Exception? exception = null) =>
        Write(source, level, category, message, exception, fields: null);

    private void Write(string source, LogLevel level, string category, string message, Exception? exception, IReadOnlyList<KeyValuePair<string, object?>>? fields)
    {
        var now = DateTime.UtcNow;
        var line = new StringBuilder()
            .Append(now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append(' ')
            .Append(source).Append(' ')
            .Append(Abbreviation(level)).Append(' ')
            .Append(ShortCategory(category)).Append(": ")
            .Append(message);
        if (exception is not null)
        {
            line.AppendLine().Append(exception);
        }

        // Numbered as they are queued, so the numbers follow the queue's order.
        long number;
        lock (_numbering)
        {
            number = ++_written;
            _lines.Enqueue((number, line.ToString()));
        }

        Timeline?.Observe(new TestLogEntry(number, now, source, level, category, message, fields));

        while (_lines.Count > _capacity && _lines.TryDequeue(out _))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        if (Dropped > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"({Dropped} earlier lines dropped)").AppendLine();
        }

        foreach (var (_, line) in _lines)
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }

    private static string Abbreviation(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRC",
        LogLevel.Debug => "DBG",
        LogLevel.Information => "INF",
        LogLevel.Warning => "WRN",
        LogLevel.Error => "ERR",
        LogLevel.Critical => "CRT",
        _ => "---",
    };

    private static string ShortCategory(string category)
    {
        var dot = category.LastIndexOf('.');
        return dot < 0 ? category : category[(dot + 1)..];
    }

    private sealed class Provider(TestLog log, string source) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(log, source, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(TestLog log, string source, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            log.Write(source, logLevel, category, formatter(state, exception), exception, state as IReadOnlyList<KeyValuePair<string, object?>>);
        }
    }
}
