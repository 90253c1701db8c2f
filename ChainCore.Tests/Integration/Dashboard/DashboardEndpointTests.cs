using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Core.Wallet;
using ChainCore.Node.Dashboard;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Integration.Dashboard;

/// <summary>
/// The dashboard's server side: the event stream follows the chain and gives its slot back when the
/// client leaves, a bounded number of streams is served at once, the page and its files come from the
/// node itself under a content security policy, and main serves none of it unless told to.
/// </summary>
[TestFixture, Category("Integration")]
public sealed partial class DashboardEndpointTests : NodeTestBase
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(ConsensusParams.Regtest.Genesis.Header.Time).AddDays(1);

    [Test]
    public async Task The_event_stream_starts_with_the_tip_and_tells_each_new_block_and_transaction()
    {
        var node = await StartNodeAsync(StoreKind.Sqlite);
        var miner = Wallets.NewWallet();
        await node.MineAsync(2, miner.Address.ToString());
        using var stream = await EventStream.OpenAsync(node.Http);

        var first = await stream.NextEventAsync();
        first.Name.ShouldBe("tip");
        first.Data.GetProperty("height").GetInt32().ShouldBe(2);
        first.Data.GetProperty("hash").GetString().ShouldBe(node.TipHash.ToString());

        var mined = (await node.MineAsync(1, miner.Address.ToString()))[0];
        var tip = await stream.NextEventAsync();
        tip.Name.ShouldBe("tip");
        tip.Data.GetProperty("height").GetInt32().ShouldBe(mined.Height);
        tip.Data.GetProperty("hash").GetString().ShouldBe(mined.Hash);

        var sent = await new WalletClient(node.Client, miner.Key).SendTransactionAsync(Wallets.NewWallet().Address, Amount.FromCoins(1), Amount.FromCoins(0.001m));
        sent.Accepted.ShouldBeTrue(sent.Message);
        var mempool = await stream.NextEventAsync();
        mempool.Name.ShouldBe("mempool");
        mempool.Data.GetProperty("accepted").GetInt32().ShouldBe(1);
        mempool.Data.GetProperty("mempool").GetProperty("count").GetInt32().ShouldBe(1);
        mempool.Data.GetProperty("mempool").GetProperty("bytes").GetInt32().ShouldBe((await node.Client.GetMempoolAsync()).Bytes);
    }

    [Test]
    public async Task Streams_beyond_the_cap_are_refused_busy_and_a_client_that_leaves_frees_its_slot()
    {
        var node = await StartNodeAsync(StoreKind.Sqlite, settings: new Dictionary<string, string?> { ["Dashboard:MaxStreams"] = "2" });
        var streams = node.Services.GetRequiredService<DashboardStreams>();
        var first = await EventStream.OpenAsync(node.Http);
        using var second = await EventStream.OpenAsync(node.Http);
        await WaitUntilNodesAsync(() => streams.Open == 2);

        using (var refused = await node.Http.GetAsync(new Uri("/dashboard/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            refused.Headers.RetryAfter.ShouldNotBeNull();
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            problem.RootElement.GetProperty("code").GetString().ShouldBe(DashboardCodes.Busy);
        }

        first.Dispose();
        await WaitUntilNodesAsync(() => streams.Open == 1);
        using var third = await EventStream.OpenAsync(node.Http);
        (await third.NextEventAsync()).Name.ShouldBe("tip");
    }

    [Test]
    public async Task A_stopping_node_ends_its_open_streams_instead_of_waiting_for_them()
    {
        var node = await StartNodeAsync(StoreKind.Sqlite);
        using var stream = await EventStream.OpenAsync(node.Http);
        (await stream.NextEventAsync()).Name.ShouldBe("tip");

        node.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().StopApplication();

        (await stream.NextCommentOrEndAsync()).ShouldBeNull("the stream ended");
        await WaitUntilNodesAsync(() => node.Services.GetRequiredService<DashboardStreams>().Open == 0);
    }

    [Test]
    public async Task An_idle_stream_gets_heartbeat_comments()
    {
        var node = await StartNodeAsync(StoreKind.Sqlite, settings: new Dictionary<string, string?> { ["Dashboard:HeartbeatInterval"] = "00:00:00.050" });
        using var stream = await EventStream.OpenAsync(node.Http);

        (await stream.NextEventAsync()).Name.ShouldBe("tip");
        (await stream.NextCommentAsync()).ShouldBe("heartbeat");
    }

    [Test]
    public async Task The_overview_gives_intervals_difficulty_and_the_hash_rate_the_recent_work_implies()
    {
        var clock = new FakeTimeProvider(Start);
        var node = await StartNodeAsync(StoreKind.Sqlite, clock: clock);
        var miner = Wallets.NewWallet().Address.ToString();
        for (var i = 0; i < 6; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            await node.MineAsync(1, miner);
        }

        var overview = await node.Client.GetAsync<DashboardOverview>("dashboard/overview?blocks=4");

        overview.TipHeight.ShouldBe(6);
        overview.Network.ShouldBe("regtest");
        overview.Recent.Select(b => b.Height).ShouldBe([3, 4, 5, 6]);
        overview.Recent.Select(b => b.IntervalSeconds).ShouldBe([5L, 5L, 5L, 5L]);
        overview.Recent.ShouldAllBe(b => b.Difficulty == overview.Difficulty);
        var workPerBlock = (double)Target.GetBlockWork(ConsensusParams.Regtest.Genesis.Header.Bits);
        overview.HashRate.ShouldBe(workPerBlock * 4 / 20, tolerance: 1e-12);
        overview.Mempool.ShouldBe(new MempoolSummary(0, 0, overview.Mempool.MinFeePerKb));
    }

    [TestCase("abc")]
    [TestCase("0")]
    [TestCase("501")]
    [TestCase("-1")]
    public async Task An_overview_of_a_bad_number_of_blocks_is_malformed(string blocks)
    {
        var node = await StartNodeAsync(StoreKind.Sqlite);
        using var response = await node.Http.GetAsync(new Uri("/dashboard/overview?blocks=" + blocks, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain(RejectCodes.Malformed);
    }

    [Test]
    public async Task The_search_finds_a_block_by_height_and_hash_a_transaction_and_an_address_and_nothing_for_nonsense()
    {
        var node = await StartNodeAsync(StoreKind.Sqlite);
        var miner = Wallets.NewWallet().Address.ToString();
        var mined = (await node.MineAsync(2, miner))[1];
        var coinbase = (await node.Client.GetBlockAsync(2)).Transactions![0].TxId;

        async Task<IReadOnlyList<SearchResult>> Search(string q) =>
            (await node.Client.GetAsync<SearchResponse>("dashboard/search?q=" + Uri.EscapeDataString(q))).Results;

        (await Search("2")).ShouldBe([new SearchResult("block", mined.Hash, 2)]);
        (await Search(mined.Hash.ToUpperInvariant())).ShouldBe([new SearchResult("block", mined.Hash, 2)]);
        (await Search(coinbase)).ShouldBe([new SearchResult("transaction", coinbase)]);
        (await Search(" " + miner + " ")).ShouldBe([new SearchResult("address", miner)]);
        (await Search("3")).ShouldBeEmpty("no block at height 3 yet");
        (await Search(new string('0', 64))).ShouldBeEmpty();
        (await Search("<script>alert(1)</script>")).ShouldBeEmpty();
        using var empty = await node.Http.GetAsync(new Uri("/dashboard/search?q=%20", UriKind.Relative));
        empty.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task The_page_and_every_file_it_names_come_from_the_node_under_a_content_security_policy()
    {
        var node = await StartNodeAsync(StoreKind.Sqlite);

        using var page = await node.Http.GetAsync(new Uri("/", UriKind.Relative));
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var policy = page.Headers.GetValues("Content-Security-Policy").ShouldHaveSingleItem();
        policy.ShouldContain("default-src 'self'");
        policy.ShouldContain("script-src 'self'");
        policy.ShouldNotContain("unsafe-inline");
        var html = await page.Content.ReadAsStringAsync();
        html.ShouldNotContain("<script>", Case.Insensitive, "no inline script: the policy would block it");

        var named = LocalReferences().Matches(html).Select(m => m.Groups[1].Value).ToList();
        named.ShouldBe(["/dashboard/assets/favicon.svg", "/dashboard/assets/dashboard.css", "/dashboard/assets/dashboard.js", "/openapi/v1.json"], ignoreOrder: true);
        foreach (var path in named.Where(p => p.StartsWith(DashboardEndpoints.AssetsPath, StringComparison.Ordinal)))
        {
            using var asset = await node.Http.GetAsync(new Uri(path, UriKind.Relative));
            asset.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var text = await asset.Content.ReadAsStringAsync();
            OutsideUrls().Matches(text).Select(m => m.Value).Where(u => u != "http://www.w3.org/2000/svg").ShouldBeEmpty($"{path} names nothing outside the node");

            using var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.IfNoneMatch.Add(asset.Headers.ETag!);
            using var cached = await node.Http.SendAsync(again);
            cached.StatusCode.ShouldBe(HttpStatusCode.NotModified, path);
        }

        OutsideUrls().Matches(html).ShouldBeEmpty();
        (await node.Http.GetAsync(new Uri("/dashboard/assets/nothing.js", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [TestCase("main", null, false)]
    [TestCase("main", "true", true)]
    [TestCase("regtest", null, true)]
    [TestCase("regtest", "false", false)]
    public async Task The_dashboard_is_served_where_its_setting_says(string network, string? setting, bool served)
    {
        var settings = new Dictionary<string, string?>();
        if (setting is not null)
        {
            settings["Node:Dashboard"] = setting;
        }

        var node = await StartNodeAsync(StoreKind.Sqlite, network: network, settings: settings);

        foreach (var path in new[] { "/", "/dashboard/assets/dashboard.js", "/dashboard/overview", "/dashboard/search?q=1" })
        {
            using var response = await node.Http.GetAsync(new Uri(path, UriKind.Relative));
            response.StatusCode.ShouldBe(served ? HttpStatusCode.OK : HttpStatusCode.NotFound, path);
        }

        using var events = await node.Http.GetAsync(new Uri("/dashboard/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        events.StatusCode.ShouldBe(served ? HttpStatusCode.OK : HttpStatusCode.NotFound);
    }

    [GeneratedRegex("""(?:src|href)="([^"#]+)""")]
    private static partial Regex LocalReferences();

    [GeneratedRegex("""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"')]*""")]
    private static partial Regex OutsideUrls();

    /// <summary>A client of <c>/dashboard/events</c>, reading Server-Sent Events with a bounded wait each.</summary>
    private sealed class EventStream : IDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;

        private EventStream(HttpResponseMessage response, Stream body)
        {
            _response = response;
            _reader = new StreamReader(body);
        }

        public static async Task<EventStream> OpenAsync(HttpClient http)
        {
            var response = await http.GetAsync(new Uri("/dashboard/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
            return new EventStream(response, await response.Content.ReadAsStreamAsync());
        }

        /// <summary>The next event (comments and the retry line skipped).</summary>
        public async Task<(string Name, JsonElement Data)> NextEventAsync()
        {
            string? name = null;
            string? data = null;
            while (await ReadLineAsync() is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line["data: ".Length..];
                }
                else if (line.Length == 0 && name is not null && data is not null)
                {
                    return (name, JsonDocument.Parse(data).RootElement.Clone());
                }
            }

            throw new InvalidOperationException("The stream ended.");
        }

        /// <summary>The text of the next comment line, events before it skipped.</summary>
        public async Task<string> NextCommentAsync() =>
            await NextCommentOrEndAsync() ?? throw new InvalidOperationException("The stream ended.");

        /// <summary>The text of the next comment line, or null when the stream ends first.</summary>
        public async Task<string?> NextCommentOrEndAsync()
        {
            while (await ReadLineAsync() is { } line)
            {
                if (line.StartsWith(':'))
                {
                    return line[1..].Trim();
                }
            }

            return null;
        }

        private async Task<string?> ReadLineAsync()
        {
            using var timeout = new CancellationTokenSource(Timeouts.Scale(TimeSpan.FromSeconds(10)));
            return await _reader.ReadLineAsync(timeout.Token);
        }

        public void Dispose()
        {
            _reader.Dispose();
            _response.Dispose();
        }
    }
}
