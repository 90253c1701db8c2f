using System.Net;
using ChainCore.Node.Network;
using Microsoft.Extensions.Options;

namespace ChainCore.Tests.Unit.Network;

[TestFixture, Category("Unit"), Category("Network")]
public sealed class P2pRetryHandlerTests
{
    [Test]
    public async Task Transport_failures_and_5xx_are_retried_a_bounded_number_of_times_with_the_body_each_time()
    {
        var inner = new ScriptedHandler(_ => throw new HttpRequestException("refused"));
        using var client = Client(inner, retries: 2);

        await Should.ThrowAsync<HttpRequestException>(() => client.PostAsync("http://peer/p2p/blocks", new StringContent("abcd")));

        inner.Bodies.ShouldBe(["abcd", "abcd", "abcd"]);
    }

    [Test]
    public async Task A_4xx_answer_is_final_and_a_5xx_is_retried_until_it_succeeds()
    {
        var refused = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.BadRequest));
        using (var client = Client(refused, retries: 3))
        {
            (await client.GetAsync("http://peer/status")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        refused.Bodies.Count.ShouldBe(1);

        var flaky = new ScriptedHandler(attempt => new HttpResponseMessage(attempt < 2 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK));
        using (var client = Client(flaky, retries: 3))
        {
            (await client.GetAsync("http://peer/status")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        flaky.Bodies.Count.ShouldBe(3);
    }

    [Test]
    public async Task An_attempt_that_hangs_times_out_and_the_last_one_reports_a_timeout()
    {
        var hanging = new ScriptedHandler(_ => null);
        using var client = Client(hanging, retries: 1, timeout: TimeSpan.FromMilliseconds(50));

        var error = await Should.ThrowAsync<TimeoutException>(() => client.GetAsync("http://peer/status"));

        error.Message.ShouldContain("2 attempts");
        hanging.Bodies.Count.ShouldBe(2);
    }

    private static HttpClient Client(HttpMessageHandler inner, int retries, TimeSpan? timeout = null)
    {
        var options = Options.Create(new P2pOptions { Retries = retries, RetryDelay = TimeSpan.FromMilliseconds(1), RequestTimeout = timeout ?? TimeSpan.FromSeconds(5) });
        return new HttpClient(new P2pRetryHandler(options) { InnerHandler = inner });
    }

    /// <summary>Answers attempt n with the script's response; null hangs until cancelled.</summary>
    private sealed class ScriptedHandler(Func<int, HttpResponseMessage?> script) : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
            var response = script(Bodies.Count - 1);
            if (response is null)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return response!;
        }
    }
}
