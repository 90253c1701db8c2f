using System.Globalization;
using ChainCore.Core.Mining;
using Microsoft.Extensions.Options;

namespace ChainCore.Miner;

/// <summary>Where the miner writes what a person follows, and whether that is a terminal.</summary>
public sealed record MinerConsole(TextWriter Out, bool IsTerminal);

/// <summary>
/// Shows progress: on a terminal a status line (hash rate, blocks found, height) rewritten in place
/// every second, with events printed above it; otherwise (a log file, a pipe, a service) one
/// timestamped line per event and the status line every 10 seconds, so the hash rate shows there too.
/// </summary>
public sealed class ProgressReporter(MiningService miner, MinerConsole console, IOptions<MinerOptions> options, TimeProvider clock) : BackgroundService
{
    /// <summary>How often the status line is printed when the output is not a terminal.</summary>
    public static readonly TimeSpan LogStatusPeriod = TimeSpan.FromSeconds(10);

    private readonly Lock _write = new();
    private int _statusLength;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Progress)
        {
            return;
        }

        miner.Client.Changed += OnChanged;
        try
        {
            var period = console.IsTerminal ? TimeSpan.FromSeconds(1) : LogStatusPeriod;
            using var timer = new PeriodicTimer(period, clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                ShowStatus();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
        finally
        {
            miner.Client.Changed -= OnChanged;
            lock (_write)
            {
                if (console.IsTerminal && _statusLength > 0)
                {
                    console.Out.WriteLine();
                }
            }
        }
    }

    public static string FormatRate(double hashesPerSecond) => hashesPerSecond switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{hashesPerSecond / 1e9:F2} GH/s"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{hashesPerSecond / 1e6:F2} MH/s"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{hashesPerSecond / 1e3:F1} kH/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{hashesPerSecond:F0} H/s"),
    };

    private string StatusLine()
    {
        var status = miner.Status();
        var state = status.Mining ? "mining" : "stopped";
        var height = status.Height is { } h ? h.ToString(CultureInfo.InvariantCulture) : "-";
        return $"{state}: {FormatRate(miner.HashRate)} on {status.Workers} workers, {status.BlocksFound} blocks found, height {height}, {status.Hashes:N0} hashes";
    }

    private void ShowStatus()
    {
        var line = StatusLine();
        lock (_write)
        {
            if (console.IsTerminal)
            {
                console.Out.Write("\r" + line.PadRight(_statusLength));
                _statusLength = line.Length;
            }
            else
            {
                console.Out.WriteLine($"{Timestamp()} {line}");
            }

            console.Out.Flush();
        }
    }

    private void OnChanged(MiningEvent e)
    {
        var text = e switch
        {
            // The rate once measured (a second after the start): "0 H/s" before that would be wrong.
            BlockAccepted a => $"block found at height {a.Height}: {a.Hash}{(miner.HashRate > 0 ? $" ({FormatRate(miner.HashRate)})" : string.Empty)}",
            BlockRefused r => $"block at height {r.Height} refused: {r.Code} {r.Message}",
            NewTemplate t => $"working on height {t.Height} ({t.Transactions} transactions; {t.Reason})",
            NodeUnreachable u => $"node unreachable: {u.Message}",
            _ => e.ToString(),
        };
        lock (_write)
        {
            if (console.IsTerminal)
            {
                // Print the event above the status line, then redraw the status line.
                console.Out.Write("\r" + new string(' ', _statusLength) + "\r");
                console.Out.WriteLine($"{Timestamp()} {text}");
                var line = StatusLine();
                console.Out.Write(line);
                _statusLength = line.Length;
            }
            else
            {
                console.Out.WriteLine($"{Timestamp()} {text}");
            }

            console.Out.Flush();
        }
    }

    private string Timestamp() => clock.GetUtcNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
