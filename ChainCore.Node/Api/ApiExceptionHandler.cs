using Microsoft.AspNetCore.Diagnostics;

namespace ChainCore.Node.Api;

/// <summary>
/// Input the API refuses surfaces as <see cref="BadRequestException"/> (our boundary code) or
/// <see cref="BadHttpRequestException"/> (the server's own limits) and becomes a 4xx problem. Any
/// other exception is a bug, not the client's fault: it is logged and answered with a 500
/// (<c>internal-error</c>) that shows no internals.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> log, IHostApplicationLifetime lifetime) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var request = $"{httpContext.Request.Method} {httpContext.Request.Path}";
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            log.LogDebug("The client of {Request} went away before the answer", request);
            return true;
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // A request caught by the shutdown (its engine or store already closing) is not a fault of the node's.
            // Its services may be gone already: a bare status, no problem body.
            log.LogInformation("Answered {Request} with 503: the node is stopping ({Reason})", request, exception.Message);
            if (!httpContext.Response.HasStarted)
            {
                httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }

            return true;
        }

        var problem = exception switch
        {
            BadRequestException e => ApiProblems.Create(e.Status, e.Code, e.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } e => ApiProblems.Create(e.StatusCode, ApiProblems.PayloadTooLarge, e.Message),
            BadHttpRequestException e => ApiProblems.Malformed(e.Message),
            _ => null,
        };
        if (problem is null)
        {
            log.LogError(exception, "Unexpected error answering {Request}", request);
            problem = ApiProblems.Create(StatusCodes.Status500InternalServerError, ApiProblems.InternalError, "An unexpected error occurred on the node; it has been logged.");
        }
        else
        {
            log.LogInformation("Refused {Request}: {Code} {Message}", request, problem.ProblemDetails.Extensions["code"], exception.Message);
        }

        await problem.ExecuteAsync(httpContext);
        return true;
    }
}
