using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ChainCore.Tests.Harness;

/// <summary>
/// Where an in-process node's warnings and errors go on the console, one line each, as the node's
/// own console logger writes them. That logger keeps a queue and a thread of its own per host, which
/// a process of a thousand nodes cannot afford; this one writes on the caller's thread and has none.
/// </summary>
public sealed class ConsoleWarnings(string source) : ILoggerProvider
{
    private static readonly object Gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(source, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(string source, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Warning and not LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            var level = logLevel switch { LogLevel.Warning => "warn", LogLevel.Error => "fail", _ => "crit" };
            var text = formatter(state, exception) + (exception is null ? string.Empty : " " + exception.ToString().ReplaceLineEndings(" "));
            var line = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {level}: [{source}] {category}[{eventId.Id}] {text}");
            lock (Gate)
            {
                Console.Out.WriteLine(line);
            }
        }
    }
}
