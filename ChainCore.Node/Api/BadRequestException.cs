using ChainCore.Core.Consensus;

namespace ChainCore.Node.Api;

/// <summary>
/// Thrown only by the API's own boundary code (<see cref="RequestBody"/>, <see cref="RequestParser"/>)
/// for input it refuses; <see cref="ApiExceptionHandler"/> turns it into a 4xx problem. Any other
/// exception reaching the handler is a bug and becomes a logged 500.
/// </summary>
public sealed class BadRequestException : Exception
{
    public BadRequestException()
        : this("The request is malformed.")
    {
    }

    public BadRequestException(string message)
        : this(message, StatusCodes.Status400BadRequest, RejectCodes.Malformed)
    {
    }

    public BadRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCodes.Status400BadRequest;
        Code = RejectCodes.Malformed;
    }

    public BadRequestException(string message, int status, string code)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    public int Status { get; }

    public string Code { get; }
}
