using System.Text;
using System.Text.Json;
using ChainCore.Core.Api;

namespace ChainCore.Node.Api;

/// <summary>
/// Reads request bodies with a hard size limit (enforced here because hosts differ: the test server
/// does not apply Kestrel's limit) and turns JSON errors into a clean 400.
/// </summary>
public static class RequestBody
{
    public sealed class TooLargeException(int limit) : Exception($"The request body exceeds {limit} bytes.");

    public static async Task<string> ReadTextAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new TooLargeException(maxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new TooLargeException(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException("The request body is not valid UTF-8.");
        }
    }

    /// <summary>Deserializes JSON; a body that is not the expected JSON throws <see cref="FormatException"/>.</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, int maxBytes, CancellationToken ct)
        where T : class
    {
        var text = await ReadTextAsync(request, maxBytes, ct);
        return ParseJson<T>(text);
    }

    public static T ParseJson<T>(string text)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("The request body is empty.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, ApiJson.Options) ?? throw new FormatException("The request body is null.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"The request body is not valid JSON for this endpoint: {e.Message}");
        }
    }
}
