using System.Net;
using System.Net.Http.Json;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>The settable clock's endpoint: it sets a node's own clock on regtest, is absent on main, and leaves a test host's clock to the test.</summary>
[TestFixture, Category("Integration")]
public sealed class MockTimeEndpointTests : NodeTestBase
{
    [Test]
    public async Task Main_has_no_mock_time_endpoint()
    {
        var node = await StartNodeAsync(StoreKind.Sqlite, network: "main", coinbaseMaturity: 100);

        using var response = await node.Http.PostAsJsonAsync("debug/mocktime", new { time = 1_700_000_000 });

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_node_on_the_test_clock_refuses_to_have_it_set_through_the_api()
    {
        var node = await StartNodeAsync(StoreKind.Sqlite, clock: new FakeTimeProvider());

        using var response = await node.Http.PostAsJsonAsync("debug/mocktime", new { time = 1_700_000_000 });

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).ShouldContain("not-available");
    }

    [TestCase("{\"time\": -1}")]
    [TestCase("{\"time\": 4294967296}")]
    [TestCase("{}")]
    public async Task A_time_that_is_not_unix_seconds_is_malformed(string body)
    {
        var node = await StartNodeAsync(StoreKind.Sqlite, settings: new Dictionary<string, string?> { ["Node:MockTime"] = "1700000000" });

        using var response = await node.Http.PostAsync("debug/mocktime", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("malformed");
    }
}
