using System.Text.Json;
using ChainCore.Core.Consensus;
using Microsoft.AspNetCore.Diagnostics;

namespace ChainCore.Node.Api;

/// <summary>Bad input that surfaces as an exception (undecodable hex, bad JSON, oversize bodies) becomes a 4xx problem, never a 500.</summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            RequestBody.TooLargeException e => ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, ApiProblems.PayloadTooLarge, e.Message),
            FormatException or JsonException or ArgumentException or OverflowException => ApiProblems.Malformed(exception.Message),
            BadHttpRequestException e => ApiProblems.Create(e.StatusCode, RejectCodes.Malformed, e.Message),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        log.LogDebug(exception, "Refused a malformed request to {Path}", httpContext.Request.Path);
        await problem.ExecuteAsync(httpContext);
        return true;
    }
}
