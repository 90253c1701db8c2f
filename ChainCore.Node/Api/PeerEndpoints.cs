using ChainCore.Node.Network;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChainCore.Node.Api;

/// <summary>
/// <c>GET /peers</c> (sessions open now), <c>POST /peers</c> (the handshake), <c>POST /peers/confirm</c>
/// (the call back that proves a handshake's address) and <c>GET /peers/banned</c>.
/// </summary>
public static class PeerEndpoints
{
    public static IEndpointRouteBuilder MapPeerEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/peers").WithTags("Peers");
        group.MapGet("/", GetPeers)
            .WithSummary("Connected peers")
            .WithDescription("The sessions this node has now: each peer's name (as it gave it), the address it proved, direction, remote address, tip, score, latency and when it last gave a new block.");
        group.MapPost("/", Handshake)
            .WithSummary("Handshake with a peer")
            .WithDescription("Another node introduces itself: a name, the address it listens on (scheme://host:port only), network, genesis hash and a nonce. This node calls that address back (POST /peers/confirm) and the node there must confirm the nonce; only then is a session opened. The answer is this node's own facts and the session token to send (header ChainCore-Session) with every /p2p call.")
            .Accepts<PeerHello>("application/json")
            .Produces<PeerWelcome>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/confirm", Confirm)
            .WithSummary("Confirm a handshake this node sent")
            .WithDescription("The node this node sent a handshake to calls back with the handshake's nonce; the answer is the session token that node is to send with its /p2p calls to this one. A nonce this node did not send is 404.")
            .Accepts<PeerConfirmRequest>("application/json")
            .Produces<PeerConfirmation>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapGet("/banned", GetBanned)
            .WithSummary("Banned addresses")
            .WithDescription("Remote addresses and peer addresses this node refuses, until when and why (kept across restarts).");
        return app;
    }

    private static Ok<PeersResponse> GetPeers(ConnectionManager connections)
    {
        var list = connections.Peers.Select(p => p.ToInfo()).ToList();
        return TypedResults.Ok(new PeersResponse(list.Count, list));
    }

    private static Ok<BannedResponse> GetBanned(ConnectionManager connections)
    {
        var list = connections.Bans.List().Select(b => new BanInfo(b.Target, b.Until, b.Reason)).ToList();
        return TypedResults.Ok(new BannedResponse(list.Count, list));
    }

    private static async Task<Results<Ok<PeerWelcome>, ProblemHttpResult>> Handshake(HttpContext context, ConnectionManager connections, CancellationToken ct)
    {
        var text = await RequestBody.ReadTextAsync(context.Request, PeerWire.MaxSmallMessageBytes, ct);
        PeerHello hello;
        try
        {
            hello = PeerWire.ParseHello(System.Text.Encoding.UTF8.GetBytes(text));
        }
        catch (PeerProtocolException e)
        {
            throw new BadRequestException(e.Message);
        }

        var (welcome, refusal) = await connections.AcceptAsync(hello, context.Connection.RemoteIpAddress, ct);
        return welcome is not null
            ? TypedResults.Ok(welcome)
            : ApiProblems.Create(refusal!.Status, refusal.Code, refusal.Detail);
    }

    private static async Task<Results<Ok<PeerConfirmation>, ProblemHttpResult>> Confirm(HttpRequest request, ConnectionManager connections, CancellationToken ct)
    {
        var confirm = await RequestBody.ReadJsonAsync<PeerConfirmRequest>(request, PeerWire.MaxSmallMessageBytes, ct);
        return connections.Confirm(confirm) is { } confirmation
            ? TypedResults.Ok(confirmation)
            : ApiProblems.Create(StatusCodes.Status404NotFound, PeerCodes.UnknownNonce, "This node sent no handshake with that nonce (or it is too old).");
    }
}
