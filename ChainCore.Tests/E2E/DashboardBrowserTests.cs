using System.Globalization;
using System.Text.Json;
using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Wallet;
using ChainCore.Tests.Harness;
using ChainCore.Tests.Harness.Browser;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChainCore.Tests.E2E;

/// <summary>
/// The dashboard in a real browser (the machine's Chromium, headless) against a node process on a
/// real port, as a user opens it: it loads without a console error and asks nothing of any other
/// origin, follows a block mined through the API without a reload, and its search finds a
/// transaction and an address. Each test attaches a screenshot of what it saw.
/// </summary>
[TestFixture, Category("E2E"), Category("Browser")]
public sealed class DashboardBrowserTests
{
    private static readonly TestWallet Miner = new(PrivateKey.FromHex("00000000000000000000000000000000000000000000000000000000000da5b0"));
    private static readonly TestWallet Payee = new(PrivateKey.FromHex("00000000000000000000000000000000000000000000000000000000000b0b00"));

    private string _directory = null!;
    private TestBrowser _browser = null!;
    private AppProcess _node = null!;
    private HttpClient _http = null!;
    private NodeClient _client = null!;
    private Uri _url = null!;
    private string _paymentTxId = null!;

    [OneTimeSetUp]
    public async Task StartNodeAndBrowserAsync()
    {
        // The browser first: without one the fixture fails at once, saying how to install it.
        _browser = await TestBrowser.LaunchAsync();
        _directory = Path.Combine(TestEnvironment.ScratchDirectory, "dashboard-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var port = AppProcess.FreePort();
        _node = AppProcess.Start("node", "ChainCore.Node",
            ["--network", "regtest", "--api-port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", _directory, "--node-id", "dashboard-e2e", "--coinbase-maturity", "1"]);
        _url = new Uri($"http://127.0.0.1:{port}/");
        _http = new HttpClient { BaseAddress = _url, Timeout = TimeSpan.FromSeconds(30) };
        _client = new NodeClient(_http);
        await Waits.WaitUntilAsync(AnswersAsync, () => Task.FromResult(_node.Output), TimeSpan.FromSeconds(60), Timeouts.Factor);

        // A chain with something to show: blocks, a confirmed payment, and one waiting in the mempool.
        for (var i = 0; i < 3; i++)
        {
            await _client.MineBlockAsync(Miner.Address.ToString());
        }

        var wallet = new WalletClient(_client, Miner.Key);
        var payment = await wallet.SendTransactionAsync(Payee.Address, Amount.FromCoins(1), Amount.FromCoins(0.001m));
        payment.Accepted.ShouldBeTrue(payment.Message);
        _paymentTxId = payment.Id!;
        await _client.MineBlockAsync(Miner.Address.ToString());
        (await wallet.SendTransactionAsync(Payee.Address, Amount.FromCoins(2), Amount.FromCoins(0.001m))).Accepted.ShouldBeTrue();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http?.Dispose();
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task The_dashboard_loads_with_no_console_error_and_asks_nothing_of_another_origin()
    {
        var tip = await _client.GetStatusAsync();
        await using var page = await _browser.OpenAsync(_url);

        await Expect(page.Page.Locator("#tip-height")).ToHaveTextAsync(tip.TipHeight.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Page.Locator("#live")).ToHaveTextAsync("live");
        await Expect(page.Page.Locator("#mempool-count")).ToHaveTextAsync($"{tip.MempoolSize} tx");
        await Expect(page.Page.Locator($"#latest-blocks a[title='{tip.TipHash}']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(description: "The dashboard's overview on a laptop-sized window");

        page.Errors.ShouldBeEmpty();
        page.OutsideRequests.ShouldBeEmpty("the dashboard must work offline: every asset comes from the node");
        await TestContext.Out.WriteLineAsync(await DescribeLoadAsync(page));
    }

    [Test]
    public async Task On_a_phone_sized_window_the_page_fits_its_width()
    {
        var tip = await _client.GetStatusAsync();
        await using var page = await _browser.OpenAsync(_url, TestBrowser.Phone);

        await Expect(page.Page.Locator("#tip-height")).ToHaveTextAsync(tip.TipHeight.ToString(CultureInfo.InvariantCulture));
        var overflow = await page.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        await page.ScreenshotAsync(description: "The dashboard's overview on a phone-sized window");

        overflow.ShouldBeLessThanOrEqualTo(0, "wide tables scroll inside their own box; the page itself does not scroll sideways");
        page.Errors.ShouldBeEmpty();
    }

    [Test]
    public async Task A_block_mined_through_the_API_appears_within_two_seconds_without_a_reload()
    {
        await using var page = await _browser.OpenAsync(_url);
        var before = await _client.GetStatusAsync();
        await Expect(page.Page.Locator("#tip-height")).ToHaveTextAsync(before.TipHeight.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Page.Locator("#live")).ToHaveTextAsync("live");
        await page.Page.EvaluateAsync("() => { window.loadedOnce = true; }");

        var mined = await _client.MineBlockAsync(Miner.Address.ToString());

        var twoSeconds = new LocatorAssertionsToHaveTextOptions { Timeout = (float)Timeouts.Scale(TimeSpan.FromSeconds(2)).TotalMilliseconds };
        await Expect(page.Page.Locator("#tip-height")).ToHaveTextAsync(mined.Height.ToString(CultureInfo.InvariantCulture), twoSeconds);
        await Expect(page.Page.Locator($"#latest-blocks a[title='{mined.Hash}']")).ToBeVisibleAsync();
        await Expect(page.Page.Locator("#mempool-count")).ToHaveTextAsync($"{(await _client.GetStatusAsync()).MempoolSize} tx");
        (await page.Page.EvaluateAsync<bool>("() => window.loadedOnce === true")).ShouldBeTrue("the page was not reloaded");
        await page.ScreenshotAsync(description: $"Block {mined.Height} shown without a reload");
        page.Errors.ShouldBeEmpty();
    }

    [Test]
    public async Task The_search_finds_a_transaction_and_an_address()
    {
        await using var page = await _browser.OpenAsync(_url);
        var search = page.Page.Locator("#search-input");

        await search.FillAsync(_paymentTxId);
        await search.PressAsync("Enter");
        await Expect(page.Page.Locator("#txid")).ToHaveTextAsync(_paymentTxId);
        page.Page.Url.ShouldEndWith("#/tx/" + _paymentTxId);
        await Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = Miner.Address.ToString() }).First).ToBeVisibleAsync();
        await Expect(page.Page.GetByRole(AriaRole.Link, new() { Name = Payee.Address.ToString() }).First).ToBeVisibleAsync();
        await page.ScreenshotAsync("transaction", "The search found the payment: its inputs and outputs");

        await search.FillAsync(Payee.Address.ToString());
        await search.PressAsync("Enter");
        await Expect(page.Page.Locator("#address")).ToHaveTextAsync(Payee.Address.ToString());
        var balance = await _client.GetBalanceAsync(Payee.Address.ToString());
        await Expect(page.Page.Locator("#balance-confirmed")).ToHaveTextAsync($"{balance.Confirmed.ToString("0.########", CultureInfo.InvariantCulture)} CHC");
        await Expect(page.Page.Locator($"a[title='{_paymentTxId}']").First).ToBeVisibleAsync();
        await page.ScreenshotAsync("address", "The search found the payee: balance, coins and history");

        page.Errors.ShouldBeEmpty();
    }

    [Test]
    public async Task A_search_that_names_nothing_says_so()
    {
        await using var page = await _browser.OpenAsync(_url);
        var search = page.Page.Locator("#search-input");

        await search.FillAsync("<img src=x onerror=alert(1)>");
        await search.PressAsync("Enter");

        await Expect(page.Page.Locator("#search-empty")).ToContainTextAsync("<img src=x onerror=alert(1)>");
        (await page.Page.Locator("#view img").CountAsync()).ShouldBe(0, "what a user typed is shown as text, never as markup");
        await page.ScreenshotAsync(description: "A search for markup finds nothing and shows it as text");
        page.Errors.ShouldBeEmpty();
    }

    /// <summary>First contentful paint and the bytes of each file the page loaded, as the browser measured them.</summary>
    private static async Task<string> DescribeLoadAsync(BrowserPage page)
    {
        var fcp = await page.FirstContentfulPaintAsync();
        var entries = await page.Page.EvaluateAsync<JsonElement>(
            "() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map(e => ({ name: new URL(e.name).pathname, type: e.initiatorType || 'navigation', bytes: e.encodedBodySize }))");
        var files = entries.EnumerateArray()
            .Select(e => (Name: e.GetProperty("name").GetString()!, Type: e.GetProperty("type").GetString()!, Bytes: e.GetProperty("bytes").GetInt64()))
            .ToList();
        var assets = files.Where(f => f.Name == "/" || f.Name.StartsWith("/dashboard/assets/", StringComparison.Ordinal)).ToList();
        return $"first contentful paint: {fcp?.ToString("F0", CultureInfo.InvariantCulture) ?? "none"} ms; page weight (the page and its assets): {assets.Sum(a => a.Bytes)} bytes"
            + Environment.NewLine + string.Join(Environment.NewLine, files.Select(f => $"  {f.Type,-10} {f.Name} {f.Bytes} bytes"));
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            await _client.GetStatusAsync();
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
