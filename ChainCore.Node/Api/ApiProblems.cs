using ChainCore.Core.Consensus;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChainCore.Node.Api;

/// <summary>RFC 7807 problem details with the stable <c>code</c> clients rely on.</summary>
public static class ApiProblems
{
    public const string NotFound = "not-found";
    public const string NotAvailable = "not-available";
    public const string PayloadTooLarge = "payload-too-large";

    public static ProblemHttpResult Create(int status, string code, string detail) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: TitleFor(code),
            type: $"urn:chaincore:problem:{code}",
            extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ProblemHttpResult Malformed(string detail) => Create(StatusCodes.Status400BadRequest, RejectCodes.Malformed, detail);

    public static ProblemHttpResult InvalidAddress(string address) =>
        Create(StatusCodes.Status400BadRequest, RejectCodes.InvalidAddress, $"'{address}' is not a valid ChainCore address (Base58Check, version 0x00, starting with 1).");

    public static ProblemHttpResult Missing(string what) => Create(StatusCodes.Status404NotFound, NotFound, $"{what} was not found.");

    /// <summary>A consensus or policy refusal: 409 for conflicts with the current state, 400 for invalid data.</summary>
    public static ProblemHttpResult Rejected(ValidationResult result)
    {
        var status = result.Code switch
        {
            RejectCodes.DoubleSpend or RejectCodes.AlreadyKnown or RejectCodes.DuplicateBlock or RejectCodes.MempoolFull => StatusCodes.Status409Conflict,
            RejectCodes.MissingInputs or RejectCodes.ImmatureCoinbase or RejectCodes.BadPrevBlock => StatusCodes.Status422UnprocessableEntity,
            _ => StatusCodes.Status400BadRequest,
        };
        return Create(status, result.Code ?? RejectCodes.Malformed, result.Message);
    }

    private static string TitleFor(string code) => code switch
    {
        RejectCodes.Malformed => "Malformed request",
        RejectCodes.InvalidAddress => "Invalid address",
        NotFound => "Not found",
        NotAvailable => "Not available on this network",
        PayloadTooLarge => "Request body too large",
        _ => "Refused",
    };
}
