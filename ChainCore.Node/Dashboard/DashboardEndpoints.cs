using System.Globalization;
using System.Text;
using System.Text.Json;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Node.Api;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Network;
using ChainCore.Node.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Dashboard;

/// <summary>
/// The live dashboard: the page at <c>/</c> and its files under <c>/dashboard/assets/</c> (served by
/// the node itself, no outside service), an overview and a search the page reads, and
/// <c>/dashboard/events</c>, a Server-Sent Events stream of the chain's changes so the page never polls.
/// Mapped on regtest and devnet, and on main only when <see cref="NodeOptions.Dashboard"/> says so.
/// </summary>
public static class DashboardEndpoints
{
    public const string AssetsPath = "/dashboard/assets/";
    public const int DefaultRecentBlocks = 60;
    public const int MaxRecentBlocks = 500;
    public const int MaxQueryLength = 128;

    // The page runs only its own script and style, talks only to its node, and cannot be framed.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>().Bind(configuration.GetSection(DashboardOptions.Section));
        services.AddSingleton(sp => new DashboardStreams(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.MaxStreams));
        return services;
    }

    public static WebApplication MapDashboardEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<NodeOptions>>().Value.DashboardEnabled)
        {
            return app;
        }

        app.MapGet("/", (HttpContext context) => ServeAsset(context, DashboardAssets.IndexName)).ExcludeFromDescription();
        foreach (var name in DashboardAssets.All.Keys.Where(n => n != DashboardAssets.IndexName))
        {
            app.MapGet(AssetsPath + name, (HttpContext context) => ServeAsset(context, name)).ExcludeFromDescription();
        }

        var group = app.MapGroup("/dashboard").WithTags("Dashboard");
        group.MapGet("/overview", GetOverview)
            .WithSummary("The node at a glance")
            .WithDescription($"Network, tip, difficulty, the network's hash rate estimated from the last 'blocks' blocks (1 to {MaxRecentBlocks}, default {DefaultRecentBlocks}; their work over the time they took), active peers, the mempool's count, bytes and minimum fee rate, and those blocks' times, intervals and difficulty, latest last. 'blocks' not an integer in range is 400 malformed.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/search", Search)
            .WithSummary("Find a block, transaction or address")
            .WithDescription($"'q' is a block height, a block hash, a transaction id or an address; the answer lists what it names (a 64-digit hex string may be a block or a transaction), empty when nothing. 'q' missing, empty or longer than {MaxQueryLength} characters is 400 malformed.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/events", StreamEventsAsync)
            .WithSummary("The chain's changes as they happen (Server-Sent Events)")
            .WithDescription("text/event-stream: 'tip' when the best chain's tip moves (height, hash, previous hash, time, mempool), 'mempool' after transactions entered or left (counts and the mempool's figures), 'resync' when this stream fell behind and lost events (read the state again), and a comment line as heartbeat. The first event is 'tip' with the current tip. A node serves a bounded number of streams at once; beyond it, 503 busy with Retry-After.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>Answers a file with its security headers; a matching If-None-Match gets 304.</summary>
    private static IResult ServeAsset(HttpContext context, string name)
    {
        var asset = DashboardAssets.All[name];
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        return context.Request.Headers.IfNoneMatch.Contains(asset.ETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    internal static MempoolSummary Mempool(ChainEngine chain, IMempoolView pool) => new(pool.Count, pool.Bytes, chain.MempoolMinimumFeePerKb);

    private static Results<Ok<DashboardOverview>, ProblemHttpResult> GetOverview(string? blocks, ChainEngine chain, IMempoolView pool, IOptions<NodeOptions> options, ConnectionManager peers)
    {
        var count = DefaultRecentBlocks;
        if (blocks is not null && (!int.TryParse(blocks, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxRecentBlocks))
        {
            return ApiProblems.Malformed($"blocks '{blocks}' must be an integer from 1 to {MaxRecentBlocks}.");
        }

        var tip = chain.Tip;
        var consensus = chain.Params;
        var first = tip.GetAncestor(Math.Max(0, tip.Height - count + 1))!;
        var recent = new List<RecentBlock>(tip.Height - first.Height + 1);
        for (var entry = tip; entry is not null && entry.Height >= first.Height; entry = entry.Parent)
        {
            long? interval = entry.Parent is { } parent ? (long)entry.Header.Time - parent.Header.Time : null;
            recent.Add(new RecentBlock(entry.Height, entry.Hash.ToString(), entry.Header.Time, interval, Target.GetDifficulty(entry.Header.Bits, consensus)));
        }

        recent.Reverse();
        return TypedResults.Ok(new DashboardOverview(
            options.Value.NodeId,
            consensus.Name,
            tip.Height,
            tip.Hash.ToString(),
            tip.Header.Time,
            Target.GetDifficulty(tip.Header.Bits, consensus),
            tip.Header.Bits.ToString("x8", CultureInfo.InvariantCulture),
            EstimateHashRate(tip, count),
            count,
            peers.Count,
            Mempool(chain, pool),
            recent));
    }

    /// <summary>
    /// Hashes per second the network spent on the last <paramref name="blocks"/> blocks: the work they
    /// added over the time between their first's parent and the last (Bitcoin's getnetworkhashps). 0 when no time passed.
    /// </summary>
    internal static double EstimateHashRate(BlockIndexEntry tip, int blocks)
    {
        var start = tip.GetAncestor(Math.Max(0, tip.Height - blocks))!;
        var seconds = (long)tip.Header.Time - start.Header.Time;
        return seconds <= 0 || start == tip ? 0 : (double)(tip.ChainWork - start.ChainWork) / seconds;
    }

    private static async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> Search(string? q, ChainEngine chain, IMempoolView pool, IChainStore store, CancellationToken ct)
    {
        var query = q?.Trim() ?? string.Empty;
        if (query.Length == 0 || query.Length > MaxQueryLength)
        {
            return ApiProblems.Malformed($"'q' must be a block height, block hash, transaction id or address (1 to {MaxQueryLength} characters).");
        }

        var results = new List<SearchResult>();
        var tip = chain.Tip;
        // A height is a short number; 64 digits are a hash or a txid.
        if (query.Length <= 10 && int.TryParse(query, NumberStyles.None, CultureInfo.InvariantCulture, out var height) && height <= tip.Height)
        {
            var entry = tip.GetAncestor(height)!;
            results.Add(new SearchResult("block", entry.Hash.ToString(), height));
        }

        if (Hash256.TryParse(query, out var hash))
        {
            if (chain.GetEntry(hash) is { } entry)
            {
                results.Add(new SearchResult("block", hash.ToString(), entry.Height));
            }

            if (pool.Get(hash) is not null || await store.GetTransactionAsync(hash, ct) is not null)
            {
                results.Add(new SearchResult("transaction", hash.ToString()));
            }
        }

        if (Address.TryParse(query, out var address))
        {
            results.Add(new SearchResult("address", address.ToString()));
        }

        return TypedResults.Ok(new SearchResponse(query, results));
    }

    /// <summary>
    /// Streams the chain's changes from a subscription of its own until the client leaves; the slot
    /// and the subscription are given back however the stream ends.
    /// </summary>
    private static async Task StreamEventsAsync(HttpContext context, ChainEngine chain, IMempoolView pool, DashboardStreams streams, IOptions<DashboardOptions> options, IOptions<JsonOptions> json, TimeProvider clock, IHostApplicationLifetime lifetime)
    {
        if (!streams.TryEnter())
        {
            context.Response.Headers.RetryAfter = "10";
            await ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, DashboardCodes.Busy, $"This node serves {streams.MaxStreams} event streams at once, all taken; try again later.")
                .ExecuteAsync(context);
            return;
        }

        // A stream ends when its client leaves or the node stops: an open page must not hold up a shutdown.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = ending.Token;
        try
        {
            using var subscription = chain.Events.Subscribe(capacity: 256);
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            var writer = new EventWriter(response, json.Value.SerializerOptions);

            await writer.WriteAsync("retry: 3000\n\n", ct);
            await writer.EventAsync("tip", TipOf(chain, pool, chain.Tip), ct);
            await PumpAsync(chain, pool, subscription, writer, options.Value.HeartbeatInterval, clock, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client left or the node stops: nothing more to say.
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            streams.Leave();
        }
    }

    private static async Task PumpAsync(ChainEngine chain, IMempoolView pool, ChainEvents.Subscription subscription, EventWriter writer, TimeSpan heartbeat, TimeProvider clock, CancellationToken ct)
    {
        var dropped = 0L;
        while (true)
        {
            using var beat = new CancellationTokenSource(heartbeat, clock);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct, beat.Token);
            try
            {
                if (!await subscription.Reader.WaitToReadAsync(waiting.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await writer.WriteAsync(": heartbeat\n\n", ct);
                continue;
            }

            // A burst of changes (a block confirming many transactions) becomes one mempool event.
            int accepted = 0, removed = 0;
            while (subscription.Reader.TryRead(out var change))
            {
                switch (change)
                {
                    case TipMoved moved:
                        await writer.EventAsync("tip", TipOf(chain, pool, moved.Tip), ct);
                        break;
                    case TransactionAccepted:
                        accepted++;
                        break;
                    case TransactionRemoved:
                        removed++;
                        break;
                }
            }

            if (accepted + removed > 0)
            {
                await writer.EventAsync("mempool", new MempoolEvent(accepted, removed, Mempool(chain, pool)), ct);
            }

            if (subscription.Dropped != dropped)
            {
                dropped = subscription.Dropped;
                await writer.EventAsync("resync", new { dropped }, ct);
            }
        }
    }

    private static TipEvent TipOf(ChainEngine chain, IMempoolView pool, BlockIndexEntry tip) =>
        new(tip.Height, tip.Hash.ToString(), tip.Header.PreviousHash.ToString(), tip.Header.Time, Mempool(chain, pool));

    /// <summary>Writes Server-Sent Events, each flushed at once.</summary>
    private sealed class EventWriter(HttpResponse response, JsonSerializerOptions json)
    {
        public Task EventAsync<T>(string name, T data, CancellationToken ct) =>
            WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, json)}\n\n", ct);

        public async Task WriteAsync(string text, CancellationToken ct)
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            await response.Body.FlushAsync(ct);
        }
    }
}

/// <summary>The dashboard's problem codes.</summary>
public static class DashboardCodes
{
    /// <summary>Every event stream slot is taken.</summary>
    public const string Busy = "busy";
}
