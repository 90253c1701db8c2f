using System.Diagnostics;
using System.Globalization;
using ChainCore.Core.Crypto;
using ChainCore.Core.Mining;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Performance;

/// <summary>
/// The testing plan's mining benchmarks: hash rate on one worker, on all workers, and the scaling
/// over 1, 2, … workers with its efficiency, each from <see cref="MiningClient.MineForDurationAsync"/>
/// against an in-process node on the main network (difficulty 1: a block is seldom found in seconds, so
/// nearly every hash is search). Figures go to tests/reports/performance; OpenSSL's SHA-256 speed, measured
/// in the same test, is the reference: the single worker's ratio to it judges the kernel on any
/// machine, the hash rates are information. scripts/test.sh --filter Category=Mining runs them on a
/// Release build without coverage (scripts/bench.sh mining gives the same figures from the app).
/// </summary>
[TestFixture, Category("Performance"), Category("Mining")]
public sealed class MiningPerformanceTests : NodeTestBase
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(5);

    private static string Note() => $"kernel {NonceSearch.BestWidth}; figures are wall clock on a possibly shared machine";

    private async Task<double> HashRateAsync(int workers)
    {
        var node = StartedNodes.Count > 0 ? StartedNodes[0] : await StartNodeAsync(StoreKind.Sqlite, network: "main");
        var client = new MiningClient(node.Client, PrivateKey.Generate().PublicKey.ToAddress(), workers);
        var result = await client.MineForDurationAsync(Duration);
        result.Hashes.ShouldBeGreaterThan(0);
        // A block found meanwhile is no fault: at difficulty 1 each hash finds one with odds of about
        // 1 in 2^32, so at 15 million hashes a second some runs of these tests do (a few in a hundred);
        // its hashes count like any other.
        return result.HashRate;
    }

    /// <summary>OpenSSL's SHA-256 on 16 KiB messages, wall clock: bytes/s ÷ 64 compressions, ÷ 2 per nonce. Null without openssl.</summary>
    private static double? OpenSslLimit()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("openssl", "speed -elapsed -seconds 3 -evp sha256 -bytes 16384")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("sha256", StringComparison.Ordinal));
            var kbps = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd('k');
            return kbps is null ? null : double.Parse(kbps, CultureInfo.InvariantCulture) * 1000 / 64 / 2;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [Test]
    public async Task Single_worker_hash_rate()
    {
        var limit = OpenSslLimit();
        var rate = await HashRateAsync(1);

        var figures = new Dictionary<string, double> { ["hash_rate"] = rate };
        if (limit is { } l)
        {
            figures["openssl_limit"] = l;
            figures["ratio_to_openssl_limit"] = rate / l;
        }

        PerformanceReport.Record("mining-single-worker", figures, Note());
    }

    [Test]
    public async Task All_workers_hash_rate()
    {
        var workers = Environment.ProcessorCount;
        var rate = await HashRateAsync(workers);

        PerformanceReport.Record("mining-all-workers", new Dictionary<string, double> { ["workers"] = workers, ["hash_rate"] = rate }, Note());
    }

    [Test]
    public async Task Hash_rate_scaling_over_workers()
    {
        var counts = new SortedSet<int> { 1, 2, 4, Environment.ProcessorCount }.Where(n => n <= Math.Max(2, Environment.ProcessorCount)).ToList();
        var rates = new Dictionary<int, double>();
        foreach (var n in counts)
        {
            rates[n] = await HashRateAsync(n);
        }

        var figures = new Dictionary<string, double>();
        foreach (var (n, rate) in rates)
        {
            figures[$"hash_rate_{n}"] = rate;
            figures[$"efficiency_{n}"] = rate / (n * rates[1]);
        }

        PerformanceReport.Record("mining-scaling", figures, Note());
    }
}
