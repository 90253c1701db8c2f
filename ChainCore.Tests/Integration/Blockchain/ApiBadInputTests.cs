using System.Net;
using System.Text;
using System.Text.Json;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>Every endpoint answers bad input with a 4xx problem carrying a stable code, and nothing changes.</summary>
[TestFixture, Category("Integration"), Category("Database")]
public sealed class ApiBadInputTests : NodeTestBase
{
    private const string ValidAddress = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
    private static readonly string ZeroHash = new('0', 64);

    public sealed record BadRequest(string Method, string Path, string? Body, string ContentType, HttpStatusCode Status, string Code)
    {
        public override string ToString() => $"{Method} {Path} {Truncate(Body)} → {(int)Status} {Code}";

        private static string Truncate(string? body) => body is null ? string.Empty : body.Length > 40 ? body[..40] + "…" : body;
    }

    private static IEnumerable<BadRequest> Cases()
    {
        const string json = "application/json";
        const string text = "text/plain";
        yield return new("GET", "/blocks/abc", null, json, HttpStatusCode.BadRequest, "malformed");
        yield return new("GET", "/blocks/-1", null, json, HttpStatusCode.BadRequest, "malformed");
        yield return new("GET", "/blocks/99999999999", null, json, HttpStatusCode.BadRequest, "malformed");
        yield return new("GET", "/blocks/1000", null, json, HttpStatusCode.NotFound, "not-found");
        yield return new("GET", "/blocks/hash/xyz", null, json, HttpStatusCode.BadRequest, "malformed");
        yield return new("GET", $"/blocks/hash/{ZeroHash}", null, json, HttpStatusCode.NotFound, "not-found");
        yield return new("GET", "/blocks?start=-5", null, json, HttpStatusCode.BadRequest, "malformed");
        yield return new("GET", "/blocks?limit=0", null, json, HttpStatusCode.BadRequest, "malformed");
        yield return new("GET", "/blocks?limit=100000", null, json, HttpStatusCode.BadRequest, "malformed");
        yield return new("GET", "/transactions/nothex", null, json, HttpStatusCode.BadRequest, "malformed");
        yield return new("GET", $"/transactions/{ZeroHash}", null, json, HttpStatusCode.NotFound, "not-found");
        yield return new("POST", "/transactions", "{not json", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/transactions", "", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/transactions", "[1,2,3]", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/transactions", """{"hex": 42}""", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/transactions", """{"hex": "zz"}""", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/transactions", """{"hex": "0100"}""", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/transactions", "deadbeef", text, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/transactions", """{"inputs": [], "outputs": [{"address": "nope", "amount": 1}]}""", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/transactions", $$"""{"inputs": [], "outputs": [{"address": "{{ValidAddress}}", "amount": 1.123456789}]}""", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/transactions", $$"""{"inputs": [], "outputs": [{"address": "{{ValidAddress}}", "amount": 1}]}""", json, HttpStatusCode.BadRequest, "no-inputs");
        yield return new("POST", "/transactions", $$"""{"inputs": [{"txid": "{{ZeroHash}}", "index": 0, "signature": "00", "public_key": "00"}], "outputs": []}""", json, HttpStatusCode.BadRequest, "no-outputs");
        yield return new("POST", "/transactions", new string('a', 3_000_000), text, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        yield return new("GET", "/addresses/notanaddress/balance", null, json, HttpStatusCode.BadRequest, "invalid-address");
        yield return new("GET", "/addresses/3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy/balance", null, json, HttpStatusCode.BadRequest, "invalid-address");
        yield return new("GET", "/addresses/1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb/utxos", null, json, HttpStatusCode.BadRequest, "invalid-address");
        yield return new("GET", "/addresses/%20/transactions", null, json, HttpStatusCode.BadRequest, "invalid-address");
        yield return new("GET", "/mining/template", null, json, HttpStatusCode.BadRequest, "invalid-address");
        yield return new("GET", "/mining/template?address=2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", null, json, HttpStatusCode.BadRequest, "invalid-address");
        yield return new("POST", "/mining/submit", "{}", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/mining/submit", """{"hex": "00"}""", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/mining/submit", "{\"hex\": \"" + new string('0', 160) + "00\"}", json, HttpStatusCode.BadRequest, "bad-pow");
        yield return new("POST", "/mine_block", "{}", json, HttpStatusCode.BadRequest, "invalid-address");
        yield return new("POST", "/mine_block", """{"miner_address": 5}""", json, HttpStatusCode.BadRequest, "malformed");
        yield return new("POST", "/mine_block", """{"miner_address": "1BoatSLRHtKNngkdXEeobR76b53LETtpyX"}""", json, HttpStatusCode.BadRequest, "invalid-address");
        yield return new("GET", "/no/such/endpoint", null, json, HttpStatusCode.NotFound, "not-found");
        var coinbase = ChainCore.Core.Consensus.Coinbase.Create(1, new byte[20], ChainCore.Core.Primitives.Amount.FromCoins(1)).ToHex();
        yield return new("POST", "/transactions", coinbase, text, HttpStatusCode.BadRequest, "unexpected-coinbase");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Bad_input_gets_a_problem_with_a_stable_code_and_changes_nothing(BadRequest bad)
    {
        await using var node = await StartNodeAsync();
        await node.MineAsync(1, ValidAddress);
        var before = await node.StatusAsync();

        using var request = new HttpRequestMessage(new HttpMethod(bad.Method), bad.Path);
        if (bad.Body is not null)
        {
            request.Content = new StringContent(bad.Body, Encoding.UTF8, bad.ContentType);
        }

        using var response = await node.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(bad.Status, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
        using var problem = JsonDocument.Parse(body);
        problem.RootElement.GetProperty("code").GetString().ShouldBe(bad.Code, body);
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe((int)bad.Status);
        var after = await node.StatusAsync();
        after.ShouldBe(before);
    }
}
