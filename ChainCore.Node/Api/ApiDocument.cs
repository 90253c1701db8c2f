using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace ChainCore.Node.Api;

/// <summary>The OpenAPI document (always at /openapi/v1.json) and its browsable reference (/scalar, on regtest and devnet only).</summary>
public static class ApiDocument
{
    public const string ReferencePath = "/scalar";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "ChainCore node API",
                Version = "v1",
                Description = "A ChainCore node: chain, transactions, addresses, mempool and mining. JSON names are snake_case; amounts are decimal coins with at most 8 places; every refusal is an RFC 7807 problem with a stable 'code'.",
            };
            return Task.CompletedTask;
        }));

    /// <summary>Maps the document, and the reference on networks where experimenting is the point (never on main).</summary>
    public static WebApplication MapApiDocument(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        var network = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value.Network;
        if (!string.Equals(network, Core.Consensus.ConsensusParams.Main.Name, StringComparison.OrdinalIgnoreCase))
        {
            // A node's own page calls no outside service: no telemetry, no AI agent, no hosted developer tools.
            app.MapScalarApiReference(ReferencePath, o => o
                .WithTitle("ChainCore node API")
                .DisableTelemetry()
                .DisableAgent()
                .HideDeveloperTools());
        }

        return app;
    }

    /// <summary>
    /// Documents a JSON request body the handler reads itself. (Accepts metadata would do it too, but
    /// it also makes routing refuse other content types with 415, which these endpoints never did.)
    /// </summary>
    public static async Task JsonBody<T>(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }

    /// <summary>POST /transactions takes the raw hex as text/plain: a string, not the JSON object.</summary>
    public static Task RawHexBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.RequestBody?.Content is { } content)
        {
            content["text/plain"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Pattern = "^[0-9a-fA-F]+$",
                    Description = "The signed transaction's serialization in hex.",
                },
            };
        }

        return Task.CompletedTask;
    }
}
