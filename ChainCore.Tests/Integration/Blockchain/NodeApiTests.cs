using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Tests.Harness;
using Microsoft.AspNetCore.Hosting;
using ChainCore.Node.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ChainCore.Tests.Integration.Blockchain;

[TestFixture, Category("Integration"), Category("Database")]
public sealed class NodeApiTests : NodeTestBase
{
    [Test]
    public async Task Status_reports_the_testing_plan_fields_for_a_fresh_node()
    {
        await using var node = await StartNodeAsync();

        using var response = await node.Http.GetAsync(new Uri("/status", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        root.GetProperty("node_id").GetString().ShouldBe(node.NodeId);
        root.GetProperty("network").GetString().ShouldBe("regtest");
        root.GetProperty("blockchain_length").GetInt32().ShouldBe(1);
        root.GetProperty("tip_height").GetInt32().ShouldBe(0);
        root.GetProperty("tip_hash").GetString().ShouldBe(ConsensusParams.Regtest.GenesisHash.ToString());
        root.GetProperty("active_peers").GetInt32().ShouldBe(0);
        root.GetProperty("mempool_size").GetInt32().ShouldBe(0);
        root.GetProperty("difficulty").GetDouble().ShouldBe(1.0);
    }

    [Test]
    public async Task Health_endpoints_report_live_and_ready_with_the_database()
    {
        await using var node = await StartNodeAsync();

        (await node.Http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await node.Http.GetStringAsync(new Uri("/health/ready", UriKind.Relative));

        ready.ShouldContain("\"database\":\"ok\"");
    }

    [Test]
    public async Task OpenApi_document_lists_the_endpoints()
    {
        await using var node = await StartNodeAsync();

        var document = await node.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        foreach (var path in new[] { "/status", "/blocks/latest", "/transactions", "/addresses/{address}/balance", "/mining/template", "/mine_block", "/mempool" })
        {
            document.ShouldContain($"\"{path}\"");
        }
    }

    [Test]
    public async Task OpenApi_document_has_a_summary_for_every_operation_and_request_schemas_for_every_body()
    {
        await using var node = await StartNodeAsync();

        using var json = JsonDocument.Parse(await node.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var root = json.RootElement;

        var operations = root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Name: $"{op.Name.ToUpperInvariant()} {path.Name}", Operation: op.Value)))
            .ToList();
        operations.Count.ShouldBeGreaterThanOrEqualTo(16);
        operations.Where(o => !o.Operation.TryGetProperty("summary", out var s) || string.IsNullOrWhiteSpace(s.GetString()))
            .Select(o => o.Name).ShouldBeEmpty("operations without a summary");
        operations.Where(o => !o.Operation.TryGetProperty("description", out var d) || string.IsNullOrWhiteSpace(d.GetString()))
            .Select(o => o.Name).ShouldBeEmpty("operations without a description");

        var mineBlock = RequestSchema(root, "/mine_block", "application/json");
        mineBlock.GetProperty("properties").TryGetProperty("miner_address", out _).ShouldBeTrue(mineBlock.ToString());
        mineBlock.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldContain("miner_address");
        RequestSchema(root, "/mining/submit", "application/json").GetProperty("properties").TryGetProperty("hex", out _).ShouldBeTrue();
        var transaction = RequestSchema(root, "/transactions", "application/json").GetProperty("properties");
        transaction.TryGetProperty("hex", out _).ShouldBeTrue();
        transaction.TryGetProperty("inputs", out _).ShouldBeTrue();
        transaction.TryGetProperty("outputs", out _).ShouldBeTrue();
        RequestSchema(root, "/transactions", "text/plain").GetProperty("type").GetString().ShouldBe("string");
    }

    [TestCase("regtest", HttpStatusCode.OK)]
    [TestCase("devnet", HttpStatusCode.OK)]
    [TestCase("main", HttpStatusCode.NotFound)]
    public async Task Browsable_api_reference_is_served_except_on_main(string network, HttpStatusCode expected)
    {
        await using var node = await StartNodeAsync(network: network);

        using var response = await node.Http.GetAsync(new Uri("/scalar/", UriKind.Relative));

        response.StatusCode.ShouldBe(expected);
        if (expected == HttpStatusCode.OK)
        {
            (await response.Content.ReadAsStringAsync()).ShouldContain("openapi/v1.json");
        }
    }

    /// <summary>The schema of an operation's request body for a content type, following a component reference.</summary>
    private static JsonElement RequestSchema(JsonElement document, string path, string contentType)
    {
        var schema = document.GetProperty("paths").GetProperty(path).GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty(contentType).GetProperty("schema");
        return schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;
    }

    [Test]
    public async Task Blocks_are_served_by_height_hash_range_and_latest()
    {
        await using var node = await StartNodeAsync();
        var miner = Wallets.NewWallet();
        var mined = await node.MineAsync(3, miner.Address.ToString());

        var byHeight = await node.Client.GetBlockAsync(2);
        var byHash = await node.Client.GetBlockAsync(Hash256.Parse(mined[1].Hash));
        var latest = await node.Client.GetLatestBlockAsync();
        var range = await node.Client.GetBlocksAsync(1, 2);

        byHeight.Hash.ShouldBe(mined[1].Hash);
        byHash.Height.ShouldBe(2);
        byHash.Confirmations.ShouldBe(2);
        latest.Hash.ShouldBe(mined[2].Hash);
        range.Blocks.Select(b => b.Height).ShouldBe([1, 2]);
        Block.ParseHex(byHeight.Hex!).Hash.ToString().ShouldBe(mined[1].Hash);
    }

    [Test]
    public async Task Transactions_and_history_are_served_for_confirmed_and_pooled_transactions()
    {
        await using var node = await StartNodeAsync();
        var alice = Wallets.NewWallet();
        var bob = Wallets.NewWallet();
        await node.MineAsync(2, alice.Address.ToString());
        var coin = (await Wallets.CoinsAsync(node, alice))[0];
        var payment = Wallets.Spend(alice, coin, bob.Address, Amount.ParseCoins("0.5"));
        (await node.Client.SubmitTransactionAsync(payment)).Accepted.ShouldBeTrue();

        var pooled = await node.Client.GetTransactionAsync(payment.TxId);
        var coinbase = await node.Client.GetTransactionAsync(coin.OutPoint.TxId);
        var bobHistory = await node.Client.GetHistoryAsync(bob.Address.ToString());

        pooled.InMempool.ShouldBeTrue();
        pooled.Outputs.Single().Value.ShouldBe(49.5m);
        pooled.Inputs.Single().Address.ShouldBe(alice.Address.ToString());
        coinbase.Coinbase.ShouldBeTrue();
        coinbase.BlockHeight.ShouldNotBeNull();
        bobHistory.Transactions.Single().Confirmed.ShouldBeFalse();
        bobHistory.Transactions.Single().Received.ShouldBe(49.5m);

        await node.MineAsync(1, alice.Address.ToString());
        var confirmed = await node.Client.GetHistoryAsync(bob.Address.ToString());
        confirmed.Transactions.Single().Confirmed.ShouldBeTrue();
        confirmed.Transactions.Single().BlockHeight.ShouldBe(3);
        (await node.Client.GetTransactionAsync(payment.TxId)).Confirmations.ShouldBe(1);
    }

    [Test]
    public async Task Raw_hex_submission_is_accepted_like_json()
    {
        await using var node = await StartNodeAsync();
        var alice = Wallets.NewWallet();
        await node.MineAsync(2, alice.Address.ToString());
        var coin = (await Wallets.CoinsAsync(node, alice))[0];
        var payment = Wallets.Spend(alice, coin, Wallets.NewWallet().Address, Amount.ParseCoins("0.5"));

        using var content = new StringContent(payment.ToHex(), System.Text.Encoding.UTF8, "text/plain");
        using var response = await node.Http.PostAsync(new Uri("/transactions", UriKind.Relative), content);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await node.Client.GetMempoolAsync()).Transactions.Single().TxId.ShouldBe(payment.TxId.ToString());
    }

    [Test]
    public async Task A_zero_value_output_is_refused_by_mempool_policy_though_consensus_allows_it()
    {
        await using var node = await StartNodeAsync();
        var alice = Wallets.NewWallet();
        await node.MineAsync(2, alice.Address.ToString());
        var coin = (await Wallets.CoinsAsync(node, alice))[0];
        var fee = Amount.ParseCoins("0.001");
        var payment = Fixtures.TestData.Spend(alice.Key, [coin.OutPoint], [
            new TxOut(coin.Value - fee, [.. alice.Address.PublicKeyHash]),
            new TxOut(Amount.Zero, [.. Wallets.NewWallet().Address.PublicKeyHash]),
        ]);

        TransactionValidator.CheckTransaction(payment, node.Params).IsValid.ShouldBeTrue();
        var result = await node.Client.SubmitTransactionAsync(payment);

        result.Accepted.ShouldBeFalse();
        result.Code.ShouldBe(RejectCodes.OutputNotPositive);
        (await node.Client.GetMempoolAsync()).Count.ShouldBe(0);
    }

    [Test]
    public async Task Mine_block_is_refused_on_main()
    {
        await using var node = await StartNodeAsync(network: "main");

        var error = await Should.ThrowAsync<Core.Api.NodeApiException>(() => node.Client.MineBlockAsync(Wallets.NewWallet().Address.ToString()));

        error.Status.ShouldBe(HttpStatusCode.Forbidden);
        error.Code.ShouldBe("not-available");
    }
    [Test]
    public async Task An_unexpected_exception_is_a_logged_500_that_shows_no_internals()
    {
        // An ArgumentException deep inside used to be answered 400 "malformed", hiding a bug as the client's fault.
        var failure = new ArgumentException("secret internal detail");
        var log = new TestLog();
        var dataDir = Path.Combine(TestEnvironment.ScratchDirectory, TestContext.CurrentContext.Test.ID, "node-0");
        using var factory = new NodeFactory(new NodeSettings
        {
            NodeId = "node-0",
            DataDir = dataDir,
            Log = log,
            Services = services => services.AddSingleton(sp =>
                FailingStore.Wrap(sp.GetRequiredService<SqlChainStore>(), nameof(IChainStore.GetBlocksAsync), failure)),
        });
        using var http = factory.CreateClient();
        (await http.GetAsync(new Uri("/blocks/latest", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The exception logged with the request, as an error; no other error.
        using var response = await log.AssertLogAsync(
            () => http.GetAsync(new Uri("/blocks?start=0", UriKind.Relative)),
            expected: [new Regex(@" node-0 ERR \S+: [^\n]*GET /blocks[^\n]*\n\S*ArgumentException: secret internal detail")],
            unexpected: [new Regex(@" (ERR|CRT) (?![^\n]*GET /blocks)")]);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError, body);
        using var problem = JsonDocument.Parse(body);
        problem.RootElement.GetProperty("code").GetString().ShouldBe("internal-error");
        body.ShouldNotContain("secret internal detail");
    }

    [Test]
    public async Task A_block_received_again_is_logged_at_debug_level_and_an_invalid_block_as_a_warning()
    {
        // Under relay every block arrives from several peers: the copies must not fill the log.
        var log = new TestLog();
        var dataDir = Path.Combine(TestEnvironment.ScratchDirectory, TestContext.CurrentContext.Test.ID, "node-0");
        using var factory = new NodeFactory(new NodeSettings { NodeId = "node-0", DataDir = dataDir, Log = log });
        using var http = factory.CreateClient();
        var chain = factory.Services.GetRequiredService<ChainCore.Node.Chain.ChainEngine>();
        var p = chain.Params;
        var block = BlockFactory.Next(chain.Tip, Wallets.NewWallet().KeyHash, p);
        (await chain.ProcessBlockAsync(block)).BecameTip.ShouldBeTrue();

        (await log.AssertLogAsync(
            () => chain.ProcessBlockAsync(block),
            expected: [new Regex($@" DBG \S+: Refused block [^\n]*{block.Hash}")],
            unexpected: [new Regex($@" (INF|WRN|ERR) \S+: Refused block [^\n]*{block.Hash}")])).Status.ShouldBe(ChainCore.Node.Chain.BlockStatus.Duplicate);
        var greedy = BlockFactory.Next(chain.Tip, Wallets.NewWallet().KeyHash, p, fees: Amount.FromCoins(1));
        (await log.AssertLogAsync(
            () => chain.ProcessBlockAsync(greedy),
            expected: [new Regex($@" WRN \S+: Refused block [^\n]*{greedy.Hash}")],
            unexpected: [new Regex($@" (DBG|INF) \S+: Refused block [^\n]*{greedy.Hash}")])).Status.ShouldBe(ChainCore.Node.Chain.BlockStatus.Invalid);
    }

    /// <summary>The node's store, with one method failing with a given exception.</summary>
    public class FailingStore : System.Reflection.DispatchProxy
    {
        private IChainStore _inner = null!;
        private string _method = null!;
        private Exception _failure = null!;

        public static IChainStore Wrap(IChainStore inner, string method, Exception failure)
        {
            var proxy = Create<IChainStore, FailingStore>();
            var self = (FailingStore)(object)proxy;
            (self._inner, self._method, self._failure) = (inner, method, failure);
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == _method)
            {
                throw _failure;
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
    }
}
