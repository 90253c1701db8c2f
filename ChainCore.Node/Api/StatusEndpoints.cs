using System.Globalization;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Network;
using ChainCore.Node.Storage;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Api;

public static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatusEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", GetStatus)
            .WithTags("Status")
            .WithSummary("The node's status")
            .WithDescription("Node id, network, chain length (genesis included), tip height and hash, active peers, mempool size and difficulty.");
        app.MapGet("/health/live", () => TypedResults.Ok(new HealthResponse("live")))
            .WithTags("Status")
            .WithSummary("Liveness")
            .WithDescription("200 while the process serves requests.");
        app.MapGet("/health/ready", GetReadiness)
            .WithTags("Status")
            .WithSummary("Readiness")
            .WithDescription("200 when the database answers and the chain is loaded; 503 with the failing checks otherwise.");
        return app;
    }

    internal static StatusResponse GetStatus(ChainEngine chain, IMempoolView mempool, IOptions<NodeOptions> options, ConnectionManager peers)
    {
        var tip = chain.Tip;
        return new StatusResponse(
            options.Value.NodeId,
            chain.Params.Name,
            tip.Height + 1,
            tip.Height,
            tip.Hash.ToString(),
            peers.Count,
            mempool.Count,
            Target.GetDifficulty(tip.Header.Bits, chain.Params),
            tip.Header.Bits.ToString("x8", CultureInfo.InvariantCulture),
            chain.Params.GenesisHash.ToString());
    }

    private static async Task<IResult> GetReadiness(ChainEngine chain, IChainStore store, CancellationToken ct)
    {
        var database = await store.PingAsync(ct);
        var checks = new Dictionary<string, string>
        {
            ["database"] = database ? "ok" : "unreachable",
            ["chain"] = chain.IsInitialized ? "ok" : "starting",
        };
        var ready = database && chain.IsInitialized;
        return ready
            ? TypedResults.Ok(new HealthResponse("ready", checks))
            : TypedResults.Json(new HealthResponse("not-ready", checks), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
