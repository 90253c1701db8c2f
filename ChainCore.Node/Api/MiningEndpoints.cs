using System.Globalization;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Api;

public static class MiningEndpoints
{
    public static IEndpointRouteBuilder MapMiningEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/mining/template", GetTemplate)
            .WithTags("Mining")
            .WithSummary("A block template to mine")
            .WithDescription("A block on the tip, nonce 0, whose coinbase pays 'address' the subsidy and the fees of the mempool transactions it holds (highest fee rate first); solve the header and send it to /mining/submit. With 'longpoll' (the tip hash the miner works on) the answer waits, as getblocktemplate's long poll, until the tip is another one, or the mempool changed and 10 seconds passed, or 60 seconds passed.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapPost("/mining/submit", Submit)
            .WithTags("Mining")
            .WithSummary("Submit a solved block")
            .WithDescription("The block is checked and stored; it becomes the tip if its chain has the most work (a reorg if needed). A refusal is a problem with the consensus code (bad-pow, bad-prev-block…); a block on a tip that moved is 409.")
            .AddOpenApiOperationTransformer(ApiDocument.JsonBody<SubmitBlockRequest>)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        app.MapGet("/mining/stats", GetStats)
            .WithTags("Mining")
            .WithSummary("Blocks found per miner address")
            .WithDescription("From the node's mining_stats: blocks submitted through /mining/submit and accepted, per address the coinbase pays (count, rewards, last height), and the latest 20.");
        app.MapPost("/mine_block", MineBlock)
            .WithTags("Mining")
            .WithSummary("Mine one block on the node (regtest and devnet)")
            .WithDescription("The node builds a template paying 'miner_address', solves it itself and adds it to its chain. Refused with 403 not-available on main.")
            .AddOpenApiOperationTransformer(ApiDocument.JsonBody<MineBlockRequest>)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    // A long poll answers for a mempool change only once it has waited this long (Bitcoin's
    // getblocktemplate does the same), and in any case after the longest wait: clients ask again.
    private static readonly TimeSpan MempoolChangeDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A block template paying <paramref name="address"/>. With <paramref name="longpoll"/> (the tip hash
    /// the miner works on) the answer waits until the tip is another one, or the mempool changed and
    /// ten seconds passed, or a minute passed — as getblocktemplate's long poll.
    /// </summary>
    private static async Task<Results<Ok<MiningTemplateResponse>, ProblemHttpResult>> GetTemplate(string? address, string? longpoll, ChainEngine chain, IMempoolView mempool, TimeProvider clock, CancellationToken ct)
    {
        if (address is null || !Address.TryParse(address, out var payout))
        {
            return ApiProblems.InvalidAddress(address ?? string.Empty);
        }

        if (longpoll is not null)
        {
            if (!Hash256.TryParse(longpoll, out var knownTip))
            {
                return ApiProblems.Malformed("'longpoll' is the tip hash the miner works on: 64 hex digits.");
            }

            await WaitForNewWorkAsync(chain, knownTip, clock, ct);
        }

        var template = chain.CreateTemplate(payout.PublicKeyHash);
        var block = template.Block;
        var target = Target.FromCompact(block.Header.Bits);
        return TypedResults.Ok(new MiningTemplateResponse(
            template.Height,
            block.Header.PreviousHash.ToString(),
            block.Header.Version,
            block.Header.Time,
            template.MinTime,
            block.Header.Bits.ToString("x8", CultureInfo.InvariantCulture),
            target.ToString("x64", CultureInfo.InvariantCulture)[^64..],
            block.Transactions[0].TotalOutput().ToCoins(),
            payout.ToString(),
            [.. block.Transactions.Skip(1).Select(tx => new TemplateTransaction(tx.TxId.ToString(), tx.ToHex(), mempool.Get(tx.TxId)?.Fee.ToCoins() ?? 0m))],
            block.ToHex()));
    }

    /// <summary>Returns when the tip is not <paramref name="knownTip"/>, or the mempool changed and the delay passed, or the longest wait passed.</summary>
    private static async Task WaitForNewWorkAsync(ChainEngine chain, Hash256 knownTip, TimeProvider clock, CancellationToken ct)
    {
        using var events = chain.Events.Subscribe(capacity: 16);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tipMoved = chain.WaitForTipChangeAsync(knownTip, waiting.Token);
        var mempoolChanged = WaitForMempoolChangeAsync(events, clock, waiting.Token);
        var longest = Task.Delay(LongestWait, clock, waiting.Token);
        await Task.WhenAny(tipMoved, mempoolChanged, longest);
        await waiting.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }

    private static async Task WaitForMempoolChangeAsync(ChainEvents.Subscription events, TimeProvider clock, CancellationToken ct)
    {
        var earliest = Task.Delay(MempoolChangeDelay, clock, ct);
        while (await events.Reader.WaitToReadAsync(ct))
        {
            if (events.Reader.TryRead(out var change) && change is TransactionAccepted or TransactionRemoved)
            {
                await earliest;
                return;
            }
        }
    }

    private static async Task<Results<Ok<SubmitBlockResponse>, ProblemHttpResult>> Submit(HttpRequest request, ChainEngine chain, IMiningStatsStore stats, TimeProvider clock, IOptions<NodeOptions> options, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync<SubmitBlockRequest>(request, options.Value.MaxRequestBytes, ct);
        var block = RequestParser.ParseBlockHex(body.Hex, "hex");
        var result = await chain.ProcessBlockAsync(block, requested: false, ct);
        if (result.Status != BlockStatus.Accepted)
        {
            return ApiProblems.Rejected(result.Validation);
        }

        await RecordAsync(stats, block, result.Height ?? -1, clock, ct);
        return TypedResults.Ok(new SubmitBlockResponse(result.Hash.ToString(), result.Height ?? -1, true, result.BecameTip));
    }

    /// <summary>Blocks found per miner address (the coinbase's first output), and the latest ones.</summary>
    private static async Task<Ok<MiningStatsResponse>> GetStats(IMiningStatsStore stats, CancellationToken ct)
    {
        var miners = await stats.GetMinerTotalsAsync(ct);
        var recent = await stats.GetMiningStatsAsync(20, ct);
        return TypedResults.Ok(new MiningStatsResponse(
            miners.Sum(m => m.Blocks),
            [.. miners.Select(m => new MinerStatsResponse(m.MinerAddress, m.Blocks, m.Rewards.ToCoins(), m.LastHeight))],
            [.. recent.Select(r => new MinedBlockResponse(r.BlockHash.ToString(), r.Height, r.MinerAddress, r.Reward.ToCoins(), r.MinedAt))]));
    }

    private static Task RecordAsync(IMiningStatsStore stats, Block block, int height, TimeProvider clock, CancellationToken ct)
    {
        var coinbase = block.Transactions[0];
        var miner = Address.FromPublicKeyHash(coinbase.Outputs[0].PublicKeyHash.AsSpan()).ToString();
        return stats.RecordMinedBlockAsync(new MiningStat(block.Hash, height, miner, coinbase.TotalOutput(), clock.GetUtcNow()), CancellationToken.None);
    }

    /// <summary>Regtest and devnet only: the node mines one block on its tip itself.</summary>
    private static async Task<Results<Ok<MineBlockResponse>, ProblemHttpResult>> MineBlock(HttpRequest request, ChainEngine chain, IMiningStatsStore stats, TimeProvider clock, IOptions<NodeOptions> options, CancellationToken ct)
    {
        if (chain.Params.Name is not ("regtest" or "devnet"))
        {
            return ApiProblems.Create(StatusCodes.Status403Forbidden, ApiProblems.NotAvailable, "/mine_block is only available on regtest and devnet.");
        }

        var body = await RequestBody.ReadJsonAsync<MineBlockRequest>(request, options.Value.MaxRequestBytes, ct);
        var payout = RequestParser.ParseAddress(body.MinerAddress, "miner_address");

        while (true)
        {
            var template = chain.CreateTemplate(payout.PublicKeyHash);
            var solved = BlockSolver.Solve(template.Block, chain.Params, ct);
            var result = await chain.ProcessBlockAsync(solved, ct);
            if (result.Status == BlockStatus.Accepted && result.BecameTip)
            {
                await RecordAsync(stats, solved, result.Height ?? -1, clock, ct);
                return TypedResults.Ok(new MineBlockResponse(solved.Hash.ToString(), result.Height ?? -1, solved.Transactions.Length, solved.Header.Nonce));
            }

            if (result.Status == BlockStatus.Invalid)
            {
                return ApiProblems.Rejected(result.Validation);
            }

            // Another block arrived while solving: mine again on the new tip.
        }
    }
}
