using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Node.Api;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Integration.Blockchain;

/// <summary>
/// Every endpoint answers bad input with a 4xx problem carrying a stable code, and nothing changes;
/// no input, however broken, gives a 500. One node serves the whole fixture: each case checks that
/// the node's status is what it was before.
/// </summary>
[TestFixture, Category("Integration")]
public sealed class ApiBadInputTests
{
    private const string ValidAddress = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
    private const string Json = "application/json";
    private const string Text = "text/plain";
    private static readonly string ZeroHash = new('0', 64);
    private static readonly TestWallet Miner = new(TestData.AliceKey);

    private string _dataDir = null!;
    private TestNode _node = null!;

    public sealed record BadRequest(string Method, string Path, string? Body, string ContentType, HttpStatusCode Status, string Code)
    {
        public override string ToString() => $"{Method} {Path} {Truncate(Body)} → {(int)Status} {Code}";

        private static string Truncate(string? body) => body is null ? string.Empty : body.Length > 60 ? body[..60] + "…" : body;
    }

    [OneTimeSetUp]
    public async Task StartNodeAsync()
    {
        _dataDir = Path.Combine(TestEnvironment.ScratchDirectory, $"api-bad-input-{Guid.NewGuid():N}");
        _node = await TestNode.StartAsync(new NodeSettings { NodeId = "node-0", DataDir = _dataDir });
        await _node.MineAsync(2, Miner.Address.ToString());
    }

    [OneTimeTearDown]
    public async Task StopNodeAsync()
    {
        await _node.DisposeAsync();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private static string Input(string txid = "\"" + "0000000000000000000000000000000000000000000000000000000000000000" + "\"", string index = "0", string signature = "\"3006020101020101\"", string publicKey = "\"02" + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" + "\"") =>
        $$"""{"txid": {{txid}}, "index": {{index}}, "signature": {{signature}}, "public_key": {{publicKey}}}""";

    private static string Output(string address = "\"" + ValidAddress + "\"", string amount = "1") => $$"""{"address": {{address}}, "amount": {{amount}}}""";

    private static string Tx(string inputs, string outputs) => $$"""{"inputs": [{{inputs}}], "outputs": [{{outputs}}]}""";

    private static IEnumerable<BadRequest> Cases()
    {
        const HttpStatusCode bad = HttpStatusCode.BadRequest;
        const string malformed = RejectCodes.Malformed;

        // Blocks.
        yield return new("GET", "/blocks/abc", null, Json, bad, malformed);
        yield return new("GET", "/blocks/-1", null, Json, bad, malformed);
        yield return new("GET", "/blocks/+1", null, Json, bad, malformed);
        yield return new("GET", "/blocks/1.5", null, Json, bad, malformed);
        yield return new("GET", "/blocks/99999999999", null, Json, bad, malformed);
        yield return new("GET", "/blocks/2147483647", null, Json, HttpStatusCode.NotFound, ApiProblems.NotFound);
        yield return new("GET", "/blocks/1000", null, Json, HttpStatusCode.NotFound, ApiProblems.NotFound);
        yield return new("GET", "/blocks/hash/xyz", null, Json, bad, malformed);
        yield return new("GET", "/blocks/hash/" + new string('0', 63), null, Json, bad, malformed);
        yield return new("GET", "/blocks/hash/" + new string('0', 65), null, Json, bad, malformed);
        yield return new("GET", "/blocks/hash/" + new string('g', 64), null, Json, bad, malformed);
        yield return new("GET", $"/blocks/hash/{ZeroHash}", null, Json, HttpStatusCode.NotFound, ApiProblems.NotFound);
        yield return new("GET", "/blocks?start=-5", null, Json, bad, malformed);
        yield return new("GET", "/blocks?start=abc", null, Json, bad, malformed);
        yield return new("GET", "/blocks?start=99999999999", null, Json, bad, malformed);
        yield return new("GET", "/blocks?limit=0", null, Json, bad, malformed);
        yield return new("GET", "/blocks?limit=-1", null, Json, bad, malformed);
        yield return new("GET", "/blocks?limit=100000", null, Json, bad, malformed);
        yield return new("GET", "/blocks?limit=1e3", null, Json, bad, malformed);

        // Transactions by id.
        yield return new("GET", "/transactions/nothex", null, Json, bad, malformed);
        yield return new("GET", "/transactions/" + new string('0', 66), null, Json, bad, malformed);
        yield return new("GET", $"/transactions/{ZeroHash}", null, Json, HttpStatusCode.NotFound, ApiProblems.NotFound);

        // Transaction bodies: not JSON, or not the expected JSON.
        yield return new("POST", "/transactions", "{not json", Json, bad, malformed);
        yield return new("POST", "/transactions", "", Json, bad, malformed);
        yield return new("POST", "/transactions", "   ", Json, bad, malformed);
        yield return new("POST", "/transactions", "null", Json, bad, malformed);
        yield return new("POST", "/transactions", "42", Json, bad, malformed);
        yield return new("POST", "/transactions", "\"0100\"", Json, bad, malformed);
        yield return new("POST", "/transactions", "[1,2,3]", Json, bad, malformed);
        yield return new("POST", "/transactions", "{}", Json, bad, malformed);
        yield return new("POST", "/transactions", new string('[', 2_000) + new string(']', 2_000), Json, bad, malformed);
        yield return new("POST", "/transactions", """{"hex": 42}""", Json, bad, malformed);
        yield return new("POST", "/transactions", """{"hex": null}""", Json, bad, malformed);
        yield return new("POST", "/transactions", """{"hex": ""}""", Json, bad, malformed);
        yield return new("POST", "/transactions", """{"hex": "zz"}""", Json, bad, malformed);
        yield return new("POST", "/transactions", """{"hex": "abc"}""", Json, bad, malformed);
        yield return new("POST", "/transactions", """{"hex": "0100"}""", Json, bad, malformed);
        yield return new("POST", "/transactions", """{"hex": ["01"]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"hex": "0100", "inputs": [], "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", "deadbeef", Text, bad, malformed);
        yield return new("POST", "/transactions", "", Text, bad, malformed);
        yield return new("POST", "/transactions", "not hex at all", Text, bad, malformed);
        yield return new("POST", "/transactions", "{\"hex\": \"00\"}", Text, bad, malformed);

        // Nulls inside arrays, and null, missing or mistyped fields.
        yield return new("POST", "/transactions", """{"inputs": [null], "outputs": [null]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"inputs": [null], "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"inputs": [{{Input()}}], "outputs": [null]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"inputs": [{{Input()}}, null], "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"inputs": [{{Input()}}], "outputs": [{{Output()}}, null]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", """{"inputs": null, "outputs": null}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"inputs": [{{Input()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"inputs": {}, "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"inputs": [1], "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"inputs": [[]], "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"inputs": ["{{ZeroHash}}"], "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", Tx("{}", Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(txid: "null"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(txid: "42"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(txid: "\"abc\""), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(txid: "\"" + new string('z', 64) + "\""), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx("""{"index": 0, "signature": "00", "public_key": "00"}""", Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(index: "null"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(index: "-1"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(index: "4294967296"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(index: "1.5"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(index: "\"0\""), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(index: "1e400"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(signature: "null"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(signature: "\"zz\""), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(signature: "\"abc\""), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(signature: "7"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(publicKey: "null"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(publicKey: "\"0g\""), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(publicKey: "\"\""), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(publicKey: "{}"), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(), "{}"), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(), """{"amount": 1}"""), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(), $$"""{"address": "{{ValidAddress}}"}"""), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(), Output(address: "null")), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(), Output(address: "1")), Json, bad, malformed);
        yield return new("POST", "/transactions", Tx(Input(), Output(address: "\"nope\"")), Json, bad, RejectCodes.InvalidAddress);
        yield return new("POST", "/transactions", Tx(Input(), Output(address: "\"\"")), Json, bad, RejectCodes.InvalidAddress);
        yield return new("POST", "/transactions", Tx(Input(), Output(address: "\"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy\"")), Json, bad, RejectCodes.InvalidAddress);

        // Amounts: wrong type, negative, too precise, too large, not a number at all.
        foreach (var amount in new[] { "null", "\"1\"", "true", "[]", "-1", "-0.00000001", "1.123456789", "0.000000001", "21000000.00000001", "21000001", "1e400", "79228162514264337593543950335", "79228162514264337593543950336", "1e28", "NaN" })
        {
            yield return new("POST", "/transactions", Tx(Input(), Output(amount: amount)), Json, bad, malformed);
        }

        // Version and lock time out of their types' ranges.
        yield return new("POST", "/transactions", $$"""{"version": 2147483648, "inputs": [{{Input()}}], "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"version": "1", "inputs": [{{Input()}}], "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"lock_time": -1, "inputs": [{{Input()}}], "outputs": [{{Output()}}]}""", Json, bad, malformed);
        yield return new("POST", "/transactions", $$"""{"lock_time": 4294967296, "inputs": [{{Input()}}], "outputs": [{{Output()}}]}""", Json, bad, malformed);

        // Well formed, refused by consensus.
        yield return new("POST", "/transactions", $$"""{"inputs": [], "outputs": [{{Output()}}]}""", Json, bad, RejectCodes.NoInputs);
        yield return new("POST", "/transactions", $$"""{"inputs": [{{Input()}}], "outputs": []}""", Json, bad, RejectCodes.NoOutputs);
        yield return new("POST", "/transactions", Tx(Input(), Output(amount: "21000000") + ", " + Output(amount: "1")), Json, bad, RejectCodes.OutputsOverflow);
        yield return new("POST", "/transactions", Tx(Input() + ", " + Input(), Output()), Json, bad, RejectCodes.DuplicateInputs);
        yield return new("POST", "/transactions", Tx(Input(publicKey: "\"04" + new string('1', 128) + "\""), Output()), Json, bad, RejectCodes.UncompressedPublicKey);
        yield return new("POST", "/transactions", Tx(Input(publicKey: "\"02\""), Output()), Json, bad, malformed);
        yield return new("POST", "/transactions", UncompressedKeySpend().ToHex(), Text, bad, RejectCodes.UncompressedPublicKey);
        yield return new("POST", "/transactions", NegativeOutput().ToHex(), Text, bad, RejectCodes.OutputNegative);
        var coinbase = Coinbase.Create(1, new byte[20], Amount.FromCoins(1)).ToHex();
        yield return new("POST", "/transactions", coinbase, Text, bad, RejectCodes.UnexpectedCoinbase);
        yield return new("POST", "/transactions", new string('a', 3_000_000), Text, HttpStatusCode.RequestEntityTooLarge, ApiProblems.PayloadTooLarge);
        yield return new("POST", "/transactions", "{\"hex\": \"" + new string('a', 3_000_000) + "\"}", Json, HttpStatusCode.RequestEntityTooLarge, ApiProblems.PayloadTooLarge);

        // Addresses.
        yield return new("GET", "/addresses/notanaddress/balance", null, Json, bad, RejectCodes.InvalidAddress);
        yield return new("GET", "/addresses/3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy/balance", null, Json, bad, RejectCodes.InvalidAddress);
        yield return new("GET", "/addresses/1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb/utxos", null, Json, bad, RejectCodes.InvalidAddress);
        yield return new("GET", "/addresses/%20/transactions", null, Json, bad, RejectCodes.InvalidAddress);
        yield return new("GET", "/addresses/" + new string('1', 2_000) + "/balance", null, Json, bad, RejectCodes.InvalidAddress);
        yield return new("GET", "/addresses/0OIl/utxos", null, Json, bad, RejectCodes.InvalidAddress);

        // Mining.
        yield return new("GET", "/mining/template", null, Json, bad, RejectCodes.InvalidAddress);
        yield return new("GET", "/mining/template?address=", null, Json, bad, RejectCodes.InvalidAddress);
        yield return new("GET", "/mining/template?address=2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", null, Json, bad, RejectCodes.InvalidAddress);
        yield return new("POST", "/mining/submit", "{}", Json, bad, malformed);
        yield return new("POST", "/mining/submit", "", Json, bad, malformed);
        yield return new("POST", "/mining/submit", "null", Json, bad, malformed);
        yield return new("POST", "/mining/submit", "[]", Json, bad, malformed);
        yield return new("POST", "/mining/submit", """{"hex": null}""", Json, bad, malformed);
        yield return new("POST", "/mining/submit", """{"hex": 5}""", Json, bad, malformed);
        yield return new("POST", "/mining/submit", """{"hex": "zz"}""", Json, bad, malformed);
        yield return new("POST", "/mining/submit", """{"hex": "00"}""", Json, bad, malformed);
        yield return new("POST", "/mining/submit", "deadbeef", Text, bad, malformed);
        yield return new("POST", "/mining/submit", "{\"hex\": \"" + new string('0', 160) + "00\"}", Json, bad, RejectCodes.BadPow);
        yield return new("POST", "/mining/submit", "{\"hex\": \"" + new string('0', 160) + "\"}", Json, bad, malformed);
        yield return new("POST", "/mining/submit", "{\"hex\": \"" + new string('a', 3_000_000) + "\"}", Json, HttpStatusCode.RequestEntityTooLarge, ApiProblems.PayloadTooLarge);
        yield return new("POST", "/mine_block", "{}", Json, bad, malformed);
        yield return new("POST", "/mine_block", "", Json, bad, malformed);
        yield return new("POST", "/mine_block", "null", Json, bad, malformed);
        yield return new("POST", "/mine_block", "[]", Json, bad, malformed);
        yield return new("POST", "/mine_block", """{"miner_address": null}""", Json, bad, malformed);
        yield return new("POST", "/mine_block", """{"miner_address": 5}""", Json, bad, malformed);
        yield return new("POST", "/mine_block", """{"miner_address": [null]}""", Json, bad, malformed);
        yield return new("POST", "/mine_block", """{"miner_address": ""}""", Json, bad, RejectCodes.InvalidAddress);
        yield return new("POST", "/mine_block", """{"miner_address": "1BoatSLRHtKNngkdXEeobR76b53LETtpyX"}""", Json, bad, RejectCodes.InvalidAddress);
        yield return new("POST", "/mine_block", "{\"miner_address\": \"" + new string('1', 3_000_000) + "\"}", Json, HttpStatusCode.RequestEntityTooLarge, ApiProblems.PayloadTooLarge);

        // Dashboard.
        yield return new("GET", "/dashboard/overview?blocks=abc", null, Json, bad, malformed);
        yield return new("GET", "/dashboard/overview?blocks=501", null, Json, bad, malformed);
        yield return new("GET", "/dashboard/search", null, Json, bad, malformed);
        yield return new("GET", "/dashboard/search?q=" + new string('1', 200), null, Json, bad, malformed);

        // Routing.
        yield return new("GET", "/no/such/endpoint", null, Json, HttpStatusCode.NotFound, ApiProblems.NotFound);
        yield return new("DELETE", "/status", null, Json, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        yield return new("PUT", "/transactions", "{}", Json, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        yield return new("GET", "/mine_block", null, Json, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    /// <summary>A correctly signed spend whose input carries the 65-byte form of the signer's key.</summary>
    private static Transaction UncompressedKeySpend()
    {
        var unsigned = new Transaction([new TxIn(new OutPoint(Hash256.Compute("coin"u8), 0), [], [.. Miner.Key.PublicKey.ToUncompressedBytes()])], [TestData.Pay(Miner.Key, Amount.FromCoins(1))]);
        return Core.Wallet.TransactionBuilder.Sign(unsigned, Miner.Key);
    }

    private static Transaction NegativeOutput() => TestData.Spend(Miner.Key, [new OutPoint(Hash256.Compute("coin"u8), 0)], [TestData.Pay(Miner.Key, new Amount(-1))]);

    [TestCaseSource(nameof(Cases))]
    public async Task Bad_input_gets_a_problem_with_a_stable_code_and_changes_nothing(BadRequest bad)
    {
        var before = await _node.StatusAsync();
        using var request = new HttpRequestMessage(new HttpMethod(bad.Method), bad.Path);
        if (bad.Body is not null)
        {
            request.Content = new StringContent(bad.Body, Encoding.UTF8, bad.ContentType);
        }

        using var response = await _node.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(bad.Status, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
        using var problem = JsonDocument.Parse(body);
        problem.RootElement.GetProperty("code").GetString().ShouldBe(bad.Code, body);
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe((int)bad.Status);
        problem.RootElement.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
        (await _node.StatusAsync()).ShouldBe(before);
    }

    [Test]
    public async Task Every_status_a_bad_input_gets_is_in_the_openapi_document_with_the_problem_schema()
    {
        using var document = JsonDocument.Parse(await _node.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var paths = document.RootElement.GetProperty("paths");
        var templates = paths.EnumerateObject().Select(p => p.Name).ToList();
        var undocumented = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var bad in Cases())
        {
            var path = bad.Path.Split('?')[0];
            var template = templates.Where(t => Matches(t, path)).OrderByDescending(t => !t.Contains('{', StringComparison.Ordinal)).ThenBy(t => t.Count(c => c == '{')).FirstOrDefault();
            var status = ((int)bad.Status).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (template is null || !paths.GetProperty(template).TryGetProperty(bad.Method.ToLowerInvariant(), out var operation))
            {
                // No such operation (an unknown path or method): nothing to document.
                continue;
            }

            if (!operation.GetProperty("responses").TryGetProperty(status, out var response)
                || !response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
            {
                undocumented.Add($"{bad.Method} {template}: {status}");
            }
        }

        undocumented.ShouldBeEmpty();
    }

    private static bool Matches(string template, string path)
    {
        var t = template.Trim('/').Split('/');
        var p = path.Trim('/').Split('/');
        return t.Length == p.Length && t.Zip(p).All(x => x.First.StartsWith('{') || string.Equals(x.First, x.Second, StringComparison.Ordinal));
    }

    [TestCase("/blocks?start=2147483647&limit=500")]
    [TestCase("/blocks?start=0&limit=500")]
    [TestCase("/blocks/0")]
    [TestCase("/addresses/1111111111111111111114oLvT2/transactions")]
    public async Task Extreme_but_valid_values_are_answered(string path)
    {
        using var response = await _node.Http.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_body_that_is_not_utf8_is_malformed()
    {
        using var content = new ByteArrayContent([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(Json);

        using var response = await _node.Http.PostAsync(new Uri("/transactions", UriKind.Relative), content);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("\"code\":\"malformed\"");
    }

    [Test]
    public async Task Malformed_field_refusals_name_the_field()
    {
        var cases = new Dictionary<string, string>
        {
            ["""{"inputs": [null], "outputs": [null]}"""] = "inputs[0]",
            [Tx(Input(), Output() + ", " + Output(amount: "-2"))] = "outputs[1].amount",
            [Tx(Input() + ", " + Input(signature: "\"xyz\""), Output())] = "inputs[1].signature",
            [Tx(Input(index: "-1"), Output())] = "$.inputs[0].index",
        };
        foreach (var (body, field) in cases)
        {
            using var content = new StringContent(body, Encoding.UTF8, Json);
            using var response = await _node.Http.PostAsync(new Uri("/transactions", UriKind.Relative), content);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

            problem.RootElement.GetProperty("detail").GetString()!.ShouldContain(field, Case.Sensitive, body);
        }
    }

    /// <summary>
    /// Seeded mutations of valid bodies for every POST endpoint — a JSON value swapped for a hostile
    /// one, or characters dropped, inserted or swapped — are answered below 500, with a problem
    /// document whenever they are refused.
    /// </summary>
    [Test]
    public async Task Random_mutations_of_valid_bodies_never_give_a_500()
    {
        var random = TestSeed.NewRandom(20261126);
        var coin = (await Wallets.CoinsAsync(_node, Miner))[0];
        var payment = Wallets.Spend(Miner, coin, Miner.Address, new Amount(10_000));
        var fields = new SubmitTransactionRequest(
            null,
            1,
            [.. payment.Inputs.Select(i => new SubmitInput(i.PreviousOutput.TxId.ToString(), i.PreviousOutput.Index, Convert.ToHexStringLower(i.Signature.AsSpan()), Convert.ToHexStringLower(i.PublicKey.AsSpan())))],
            [new SubmitOutput(Miner.Address.ToString(), payment.Outputs[0].Value.ToCoins())],
            0);
        var template = await _node.Client.GetMiningTemplateAsync(Miner.Address.ToString());
        (string Path, string Body, string ContentType)[] seeds =
        [
            ("/transactions", JsonSerializer.Serialize(fields, ApiJson.Options), Json),
            ("/transactions", JsonSerializer.Serialize(new SubmitTransactionRequest(payment.ToHex()), ApiJson.Options), Json),
            ("/transactions", payment.ToHex(), Text),
            ("/mining/submit", JsonSerializer.Serialize(new SubmitBlockRequest(template.BlockHex), ApiJson.Options), Json),
            ("/mine_block", JsonSerializer.Serialize(new MineBlockRequest(Miner.Address.ToString()), ApiJson.Options), Json),
        ];

        var failures = new List<string>();
        for (var i = 0; i < 600; i++)
        {
            var (path, seed, contentType) = seeds[i % seeds.Length];
            var body = contentType == Json && random.Next(3) > 0 ? MutateJson(seed, random) : MutateText(seed, random);
            using var content = new StringContent(body, Encoding.UTF8, contentType);
            using var response = await _node.Http.PostAsync(new Uri(path, UriKind.Relative), content);
            var answer = await response.Content.ReadAsStringAsync();
            var problem = (int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            if ((int)response.StatusCode >= 500 || ((int)response.StatusCode >= 400 && !problem))
            {
                failures.Add($"{path} {body} → {(int)response.StatusCode} {answer}");
            }
        }

        failures.ShouldBeEmpty();
    }

    private static readonly string[] HostileValues =
    [
        "null", "0", "-1", "1.5", "1e400", "-1e400", "4294967296", "9223372036854775808", "79228162514264337593543950336",
        "0.000000001", "21000000.00000001", "true", "\"\"", "\"zz\"", "\"00\"", "[]", "[null]", "{}", "{\"a\": null}",
        "\"" + new string('f', 200) + "\"", "\"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\"", "[[[[[[[[]]]]]]]]",
    ];

    private static string MutateJson(string json, Random random)
    {
        var root = JsonNode.Parse(json)!;
        var nodes = new List<(JsonNode? Parent, string? Key, int Index)>();
        Collect(root, nodes);
        var (parent, key, index) = nodes[random.Next(nodes.Count)];
        var value = JsonNode.Parse(HostileValues[random.Next(HostileValues.Length)]);
        switch (parent)
        {
            case JsonObject o when random.Next(4) == 0:
                o.Remove(key!);
                break;
            case JsonObject o:
                o[key!] = value;
                break;
            case JsonArray a when random.Next(4) == 0:
                a.Add(value);
                break;
            case JsonArray a:
                a[index] = value;
                break;
            default:
                return HostileValues[random.Next(HostileValues.Length)];
        }

        return root.ToJsonString();
    }

    private static void Collect(JsonNode node, List<(JsonNode? Parent, string? Key, int Index)> nodes)
    {
        if (node.Parent is null)
        {
            nodes.Add((null, null, -1));
        }

        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    nodes.Add((o, name, -1));
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    nodes.Add((a, null, i));
                    if (a[i] is { } child)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
        }
    }

    private static string MutateText(string text, Random random)
    {
        var chars = text.ToCharArray().ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && chars.Count > 0; e++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, "{}[]\",:0aZ-.\\ \u00e9\u0000"[random.Next(16)]);
                    break;
                case 2:
                    chars[at] = (char)random.Next(32, 127);
                    break;
                default:
                    chars.RemoveRange(at, chars.Count - at);
                    break;
            }
        }

        return new string([.. chars]);
    }
}
