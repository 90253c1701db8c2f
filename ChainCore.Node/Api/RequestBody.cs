using System.Text;
using System.Text.Json;
using ChainCore.Core.Api;

namespace ChainCore.Node.Api;

/// <summary>
/// Reads request bodies with a hard size limit (enforced here because hosts differ: the test server
/// does not apply Kestrel's limit). Anything that is not the expected body throws
/// <see cref="BadRequestException"/> with a message naming what is wrong.
/// </summary>
public static class RequestBody
{
    public static async Task<string> ReadTextAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new BadRequestException("The request body is not valid UTF-8.");
        }
    }

    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, int maxBytes, CancellationToken ct)
        where T : class
    {
        var text = await ReadTextAsync(request, maxBytes, ct);
        return ParseJson<T>(text);
    }

    /// <summary>Deserializes a JSON object; an empty body, <c>null</c>, another JSON type or a field of the wrong type is refused.</summary>
    public static T ParseJson<T>(string text)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new BadRequestException("The request body is empty; it must be a JSON object.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, ApiJson.Options) ?? throw new BadRequestException("The request body is null; it must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"The request body is not valid JSON for this endpoint: {e.Message}", e);
        }
    }

    private static BadRequestException TooLarge(int limit) =>
        new($"The request body exceeds {limit} bytes.", StatusCodes.Status413PayloadTooLarge, ApiProblems.PayloadTooLarge);
}
