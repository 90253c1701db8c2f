using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Mining;
using Microsoft.Extensions.Options;

namespace ChainCore.Miner;

/// <summary>What GET /status shows: hash rate (hashes per second over the last seconds), totals, the node and the work.</summary>
public sealed record MinerStatusResponse(
    bool Mining,
    double HashRate,
    long Hashes,
    int BlocksFound,
    int Workers,
    string Kernel,
    string Node,
    string Address,
    int? Height,
    string? PreviousHash,
    long StaleTemplates,
    long ExtraNonceRolls);

/// <summary>
/// The background mining service: runs the <see cref="MiningClient"/> while mining is on (at start-up,
/// or after POST /start) and measures the hash rate once a second.
/// </summary>
public sealed class MiningService : BackgroundService
{
    public const string NodeClientName = "node";

    // Hash rate over a sliding window of this many one-second samples.
    private const int RateWindow = 5;

    private readonly MinerOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<MiningService> _log;
    private readonly Lock _sync = new();
    private readonly Queue<(long Ticks, long Hashes)> _samples = new();
    private CancellationTokenSource? _run;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private double _hashRate;

    public MiningService(IOptions<MinerOptions> options, IHttpClientFactory http, TimeProvider clock, ILogger<MiningService> log)
    {
        _options = options.Value;
        _clock = clock;
        _log = log;
        Payout = MinerSetup.ResolvePayout(_options);
        var node = new NodeClient(http.CreateClient(NodeClientName));
        Client = new MiningClient(node, Payout, _options.EffectiveWorkers, _options.Kernel, clock);
        Mining = _options.AutoStart;
    }

    public MiningClient Client { get; }

    public Address Payout { get; }

    /// <summary>True while mining is switched on (it may be waiting for the node).</summary>
    public bool Mining { get; private set; }

    public double HashRate
    {
        get
        {
            lock (_sync)
            {
                return _hashRate;
            }
        }
    }

    public MinerStatusResponse Status()
    {
        var template = Client.CurrentTemplate;
        return new MinerStatusResponse(
            Mining,
            Math.Round(HashRate),
            Client.Hashes,
            Client.BlocksFound,
            Client.Workers,
            Client.Engine.Width.ToString(),
            _options.Node,
            Payout.ToString(),
            template?.Height,
            template?.PreviousHash.ToString(),
            Client.StaleTemplates,
            Client.Engine.ExtraNonceRolls);
    }

    /// <summary>Switches mining on; true if it was off.</summary>
    public bool Start()
    {
        lock (_sync)
        {
            if (Mining)
            {
                return false;
            }

            Mining = true;
            _wake.TrySetResult();
            return true;
        }
    }

    /// <summary>Switches mining off; the workers stop within one chunk. True if it was on.</summary>
    public bool Stop()
    {
        lock (_sync)
        {
            if (!Mining)
            {
                return false;
            }

            Mining = false;
            _run?.Cancel();
            return true;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var meter = MeasureAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Task wake;
                CancellationTokenSource? run = null;
                lock (_sync)
                {
                    if (Mining)
                    {
                        run = _run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    }

                    wake = _wake.Task;
                }

                if (run is null)
                {
                    await wake.WaitAsync(stoppingToken);
                    lock (_sync)
                    {
                        _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }

                    continue;
                }

                using (run)
                {
                    await RunUntilStoppedAsync(run.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        await meter;
    }

    private async Task RunUntilStoppedAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Client.MineAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or NodeApiException or TaskCanceledException or FormatException)
            {
                // The node went away or answered nonsense: say so once, wait a little, try again.
                _log.LogWarning("Node {Node}: {Message}", _options.Node, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), _clock, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task MeasureAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private void Sample()
    {
        var now = _clock.GetTimestamp();
        lock (_sync)
        {
            _samples.Enqueue((now, Client.Hashes));
            while (_samples.Count > RateWindow + 1)
            {
                _samples.Dequeue();
            }

            var (firstTicks, firstHashes) = _samples.Peek();
            var seconds = _clock.GetElapsedTime(firstTicks, now).TotalSeconds;
            _hashRate = seconds > 0 ? (Client.Hashes - firstHashes) / seconds : 0;
        }
    }
}
