using System.Diagnostics;
using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Mining;

/// <summary>What a run of the miner did: hashes, time, hash rate (hashes per second) and blocks the node accepted.</summary>
public sealed record MiningRunResult(long Hashes, TimeSpan Elapsed, double HashRate, int Blocks);

/// <summary>Something a person watching the miner wants to know about.</summary>
public abstract record MiningEvent(DateTimeOffset At);

public sealed record NewTemplate(DateTimeOffset At, int Height, Hash256 PreviousHash, int Transactions, string Reason) : MiningEvent(At);

public sealed record BlockAccepted(DateTimeOffset At, int Height, Hash256 Hash) : MiningEvent(At);

public sealed record BlockRefused(DateTimeOffset At, int Height, Hash256 Hash, string Code, string Message) : MiningEvent(At);

public sealed record NodeUnreachable(DateTimeOffset At, string Message) : MiningEvent(At);

/// <summary>
/// The mining engine, usable without any host: asks the node for templates, searches them on
/// <see cref="MiningWorkers"/>, submits what it solves, and drops stale work as soon as the node's
/// long poll says the tip moved (or, after a while, that the mempool changed).
/// </summary>
public sealed class MiningClient
{
    private readonly NodeClient _node;
    private readonly TimeProvider _clock;
    private int _blocks;
    private long _staleTemplates;
    private MiningTemplate? _current;

    public MiningClient(NodeClient node, Address payout, int workers, KernelWidth? width = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(payout);
        _node = node;
        Payout = payout;
        _clock = clock ?? TimeProvider.System;
        Engine = new MiningWorkers(workers, width);
    }

    public Address Payout { get; }

    public MiningWorkers Engine { get; }

    public int Workers => Engine.Workers;

    /// <summary>Hashes computed so far, over every call.</summary>
    public long Hashes => Engine.Hashes;

    /// <summary>Blocks this client submitted and the node accepted.</summary>
    public int BlocksFound => Volatile.Read(ref _blocks);

    /// <summary>Templates dropped unfinished because the node's tip or mempool changed.</summary>
    public long StaleTemplates => Interlocked.Read(ref _staleTemplates);

    /// <summary>The template being searched now, if any.</summary>
    public MiningTemplate? CurrentTemplate => Volatile.Read(ref _current);

    /// <summary>How long a long poll may wait for a change before it is asked again; the node answers sooner.</summary>
    public TimeSpan LongPollTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long submitting a solved block may take.</summary>
    public TimeSpan SubmitTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Raised on the mining loop's thread; keep handlers short.</summary>
    public event Action<MiningEvent>? Changed;

    public async Task<MiningTemplate> GetMiningTemplateAsync(CancellationToken ct = default) =>
        MiningTemplate.FromResponse(await _node.GetMiningTemplateAsync(Payout.ToString(), ct).ConfigureAwait(false));

    /// <summary>Searches <paramref name="template"/> on every worker: the solved block, or null when <paramref name="timeout"/> passes first.</summary>
    public async Task<Block?> MineBlockAsync(MiningTemplate template, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var solved = await Engine.SearchAsync(template, limit.Token).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return solved;
    }

    /// <summary>Submits a solved block; a refusal is a result with the node's code.</summary>
    public async Task<SubmitResult> SubmitBlockAsync(Block block, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        var result = await _node.SubmitBlockAsync(block, ct).ConfigureAwait(false);
        var height = Volatile.Read(ref _current)?.Height ?? -1;
        if (result.Accepted)
        {
            Interlocked.Increment(ref _blocks);
            Raise(new BlockAccepted(_clock.GetUtcNow(), height, block.Hash));
        }
        else
        {
            Raise(new BlockRefused(_clock.GetUtcNow(), height, block.Hash, result.Code ?? "refused", result.Message ?? string.Empty));
        }

        return result;
    }

    /// <summary>Mines for <paramref name="duration"/>: templates, search, submissions, stale work dropped.</summary>
    public async Task<MiningRunResult> MineForDurationAsync(TimeSpan duration, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(duration);
        var result = await MineAsync(limit.Token).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();

        // The run's time counts from before the timer was armed, so it covers the whole duration.
        var elapsed = Stopwatch.GetElapsedTime(started);
        return result with { Elapsed = elapsed, HashRate = result.Hashes / elapsed.TotalSeconds };
    }

    /// <summary>Mines until <paramref name="ct"/> is cancelled, then returns what it did (no exception for the cancellation).</summary>
    public async Task<MiningRunResult> MineAsync(CancellationToken ct)
    {
        var hashesBefore = Hashes;
        var blocksBefore = BlocksFound;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var template = await GetMiningTemplateAsync(ct).ConfigureAwait(false);
            Announce(template, "started");
            while (!ct.IsCancellationRequested)
            {
                using var work = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var poll = WaitForNewWorkAsync(template, work.Token);
                var search = Engine.SearchAsync(template, work.Token);
                await Task.WhenAny(poll, search).ConfigureAwait(false);
                await work.CancelAsync().ConfigureAwait(false);
                var solved = await search.ConfigureAwait(false);
                var changed = await AwaitQuietly(poll).ConfigureAwait(false);
                if (solved is not null)
                {
                    // A solved block is worth sending even when the run ends or the tip moves meanwhile.
                    using (var submitLimit = new CancellationTokenSource(SubmitTimeout))
                    {
                        await SubmitBlockAsync(solved, submitLimit.Token).ConfigureAwait(false);
                    }

                    template = await GetMiningTemplateAsync(ct).ConfigureAwait(false);
                    Announce(template, "after a block");
                }
                else if (changed is not null)
                {
                    Interlocked.Increment(ref _staleTemplates);
                    var reason = changed.PreviousHash == template.PreviousHash ? "mempool changed" : "new tip";
                    template = changed;
                    Announce(template, reason);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The run is over.
        }
        finally
        {
            Volatile.Write(ref _current, null);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var hashes = Hashes - hashesBefore;
        return new MiningRunResult(hashes, elapsed, elapsed > TimeSpan.Zero ? hashes / elapsed.TotalSeconds : 0, BlocksFound - blocksBefore);
    }

    private void Announce(MiningTemplate template, string reason)
    {
        Volatile.Write(ref _current, template);
        Raise(new NewTemplate(_clock.GetUtcNow(), template.Height, template.PreviousHash, template.Block.Transactions.Length, reason));
    }

    /// <summary>
    /// The node's long poll: completes with a new template when the tip moves or the mempool changes,
    /// and keeps asking while the node answers with the same work. Node errors are retried calmly.
    /// </summary>
    private async Task<MiningTemplate> WaitForNewWorkAsync(MiningTemplate current, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
                limit.CancelAfter(LongPollTimeout);
                var response = await _node.GetMiningTemplateAsync(Payout.ToString(), current.PreviousHash.ToString(), limit.Token).ConfigureAwait(false);
                var next = MiningTemplate.FromResponse(response);
                if (!next.SameWorkAs(current))
                {
                    return next;
                }

                delay = TimeSpan.FromMilliseconds(250);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or NodeApiException or OperationCanceledException)
            {
                Raise(new NodeUnreachable(_clock.GetUtcNow(), e.Message));
                await Task.Delay(delay, _clock, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private static async Task<MiningTemplate?> AwaitQuietly(Task<MiningTemplate> poll)
    {
        try
        {
            return await poll.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or NodeApiException)
        {
            return null;
        }
    }

    private void Raise(MiningEvent e) => Changed?.Invoke(e);
}
