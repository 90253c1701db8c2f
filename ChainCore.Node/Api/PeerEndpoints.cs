using ChainCore.Node.Network;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Api;

/// <summary><c>GET /peers</c> (peers connected now) and <c>POST /peers</c> (the handshake).</summary>
public static class PeerEndpoints
{
    public static IEndpointRouteBuilder MapPeerEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/peers").WithTags("Peers");
        group.MapGet("/", GetPeers)
            .WithSummary("Connected peers")
            .WithDescription("The peers this node is connected to now, with their URL, network, tip and score.");
        group.MapPost("/", Handshake)
            .WithSummary("Handshake with a peer")
            .WithDescription("Another node introduces itself (node id, URL, network, genesis hash); a node of another network or genesis is refused. On success both sides are connected and the answer is this node's own hello.")
            .Accepts<PeerHello>("application/json")
            .Produces<PeerHello>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static Ok<PeersResponse> GetPeers(PeerManager peers)
    {
        var list = peers.Peers.Select(p => p.ToInfo()).ToList();
        return TypedResults.Ok(new PeersResponse(list.Count, list));
    }

    /// <summary>Another node introduces itself; on success both sides are connected and this node answers with its own hello.</summary>
    private static async Task<Results<Ok<PeerHello>, ProblemHttpResult>> Handshake(HttpRequest request, PeerManager peers, IOptions<NodeOptions> options, CancellationToken ct)
    {
        var hello = await RequestBody.ReadJsonAsync<PeerHello>(request, Math.Min(options.Value.MaxRequestBytes, 16 * 1024), ct);
        var refusal = await peers.AcceptAsync(hello, ct);
        return refusal is null
            ? TypedResults.Ok(peers.Hello())
            : ApiProblems.Create(refusal.Status, refusal.Code, refusal.Detail);
    }
}
