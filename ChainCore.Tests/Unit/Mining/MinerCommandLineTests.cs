using ChainCore.Core.Crypto;
using ChainCore.Core.Wallet;

namespace ChainCore.Tests.Unit.Mining;

[TestFixture, Category("Unit"), Category("Mining")]
public sealed class MinerCommandLineTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ChainCore.Miner.Program.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string ValidAddress => PrivateKey.Generate().PublicKey.ToAddress().ToString();

    [TestCase("--bogus")]
    [TestCase("--netwrk", "devnet")]
    [TestCase("--workers", "x")]
    [TestCase("--workers", "0")]
    [TestCase("--timeout", "-3")]
    [TestCase("--api-port", "99999")]
    [TestCase("--kernel", "Vector1024")]
    [TestCase("--address", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")]
    [TestCase("--address", "not an address")]
    [TestCase("--wallet", "/no/such/wallet.json")]
    public async Task Bad_flags_are_refused_with_one_line_and_exit_code_2(params string[] args)
    {
        var (code, output, error) = await RunAsync([.. args, "--node", "http://127.0.0.1:1"]);

        code.ShouldBe(2);
        output.ShouldBeEmpty();
        error.TrimEnd().ShouldNotContain('\n');
        error.ShouldStartWith("error: ");
    }

    [Test]
    public async Task An_unreachable_node_is_refused_with_one_line_and_exit_code_2()
    {
        var (code, _, error) = await RunAsync("--address", ValidAddress, "--node", "http://127.0.0.1:1", "--api-port", "0");

        code.ShouldBe(2);
        error.TrimEnd().ShouldNotContain('\n');
        error.ShouldContain("node http://127.0.0.1:1 unreachable");
    }

    [Test]
    public async Task A_wallet_file_gives_the_payout_address_and_address_with_wallet_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), $"miner-wallet-{Guid.NewGuid():N}.json");
        var wallet = WalletFile.Create(PrivateKey.Generate());
        wallet.Save(path);
        try
        {
            ChainCore.Miner.MinerSetup.ResolvePayout(new ChainCore.Miner.MinerOptions { Wallet = path }).ShouldBe(wallet.Address);
            var (code, _, error) = await RunAsync("--wallet", path, "--address", ValidAddress);
            code.ShouldBe(2);
            error.ShouldContain("either --address or --wallet");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Help_lists_every_flag_and_the_exit_codes()
    {
        var (code, output, _) = await RunAsync("--help");

        code.ShouldBe(0);
        foreach (var flag in new[] { "--node", "--wallet", "--address", "--workers", "--timeout", "--api-port", "--host", "Exit codes" })
        {
            output.ShouldContain(flag);
        }
    }

    [Test]
    public async Task Benchmark_measures_the_hash_rate_without_a_node()
    {
        var (code, output, _) = await RunAsync("--benchmark", "1", "--workers", "1");

        code.ShouldBe(0);
        output.ShouldStartWith("hash rate: ");
    }
}
