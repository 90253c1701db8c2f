using ChainCore.Core.Consensus;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChainCore.Node.Api;

/// <summary>RFC 7807 problem details with the stable <c>code</c> clients rely on.</summary>
public static class ApiProblems
{
    public const string NotFound = "not-found";
    public const string NotAvailable = "not-available";
    public const string PayloadTooLarge = "payload-too-large";
    public const string InternalError = "internal-error";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string UnsupportedMediaType = "unsupported-media-type";

    public static ProblemHttpResult Create(int status, string code, string detail) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: TitleFor(code),
            type: $"urn:chaincore:problem:{code}",
            extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>Problems the framework writes itself (no route, wrong method) get a code and a detail too.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        var request = context.HttpContext.Request;
        problem.Extensions.TryAdd("code", problem.Status switch
        {
            StatusCodes.Status404NotFound => NotFound,
            StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
            >= 500 => InternalError,
            _ => RejectCodes.Malformed,
        });
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => $"No endpoint answers {request.Method} {request.Path}.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not accept {request.Method}.",
            _ => problem.Title,
        };
    }

    public static ProblemHttpResult Malformed(string detail) => Create(StatusCodes.Status400BadRequest, RejectCodes.Malformed, detail);

    public static ProblemHttpResult InvalidAddress(string address) =>
        Create(StatusCodes.Status400BadRequest, RejectCodes.InvalidAddress, $"'{address}' is not a valid ChainCore address (Base58Check, version 0x00, starting with 1).");

    public static ProblemHttpResult Missing(string what) => Create(StatusCodes.Status404NotFound, NotFound, $"{what} was not found.");

    /// <summary>A refusal; its HTTP status follows from its category alone.</summary>
    public static ProblemHttpResult Rejected(ValidationResult result) =>
        Create(StatusFor(result.Category), result.Code ?? RejectCodes.Malformed, result.Message);

    /// <summary>
    /// 400 for data that breaks consensus; 409 for what conflicts with the node's state (a double
    /// spend, something already known, work on a tip that moved); 422 for what is well formed but
    /// cannot be taken now (unknown inputs or parent, immature coins, local policy).
    /// </summary>
    public static int StatusFor(ValidationCategory category) => category switch
    {
        ValidationCategory.Conflict or ValidationCategory.Duplicate or ValidationCategory.Stale => StatusCodes.Status409Conflict,
        ValidationCategory.MissingInputs or ValidationCategory.Premature or ValidationCategory.Policy => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string TitleFor(string code) => code switch
    {
        RejectCodes.Malformed => "Malformed request",
        RejectCodes.InvalidAddress => "Invalid address",
        NotFound => "Not found",
        NotAvailable => "Not available on this network",
        PayloadTooLarge => "Request body too large",
        InternalError => "Internal error",
        _ => "Refused",
    };
}
