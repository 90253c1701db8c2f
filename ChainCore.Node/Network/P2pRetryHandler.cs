using System.Net;
using Microsoft.Extensions.Options;

namespace ChainCore.Node.Network;

/// <summary>
/// The named P2P client's outer handler: each attempt gets <see cref="P2pOptions.RequestTimeout"/>,
/// and a call that fails in transport, times out or gets a 5xx is tried again up to
/// <see cref="P2pOptions.Retries"/> times after a short pause. Every P2P request is idempotent (a
/// block or transaction sent twice is a duplicate), so every one may be retried. Timeouts and pauses
/// are wall-clock on purpose: they bound real sockets, not chain time.
/// </summary>
public sealed class P2pRetryHandler(IOptions<P2pOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.Value;
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var contentType = request.Content?.Headers.ContentType;
        var delay = o.RetryDelay;
        for (var attempt = 0; ; attempt++)
        {
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(o.RequestTimeout);
            var last = attempt >= o.Retries;
            try
            {
                var response = await base.SendAsync(Copy(request, body, contentType), attemptTimeout.Token);
                if ((int)response.StatusCode < 500 || response.StatusCode == HttpStatusCode.NotImplemented || last)
                {
                    return response;
                }

                response.Dispose();
            }
            catch (HttpRequestException) when (!last)
            {
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attemptTimeout.IsCancellationRequested)
            {
                if (last)
                {
                    throw new TimeoutException($"{request.Method} {request.RequestUri} timed out after {o.RequestTimeout.TotalSeconds:0.###} s ({attempt + 1} attempts).");
                }
            }

            await Task.Delay(delay, cancellationToken);
            delay *= 2;
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage original, byte[]? body, System.Net.Http.Headers.MediaTypeHeaderValue? contentType)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri) { Version = original.Version };
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            copy.Content.Headers.ContentType = contentType;
        }

        return copy;
    }
}
