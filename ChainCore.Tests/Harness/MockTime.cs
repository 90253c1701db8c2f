using System.Globalization;
using System.Net.Http.Json;
using ChainCore.Core.Api;

namespace ChainCore.Tests.Harness;

/// <summary>
/// The clock of a node process (regtest, devnet), as Bitcoin Core's functional tests use
/// setmocktime: in-process nodes share the test's fake clock, node processes are set through
/// <c>POST /debug/mocktime</c>, so that chain time never runs ahead of the node's clock however
/// fast blocks are mined.
/// </summary>
public static class MockTime
{
    /// <summary>A whole second near now, to start a node's clock at (<c>--mock-time</c>).</summary>
    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>The <c>--mock-time</c> flag and its value.</summary>
    public static string[] Flag(long unixSeconds) => ["--mock-time", unixSeconds.ToString(CultureInfo.InvariantCulture)];

    /// <summary>Sets the node's clock to <paramref name="unixSeconds"/> (0: the wall clock); fails with the node's answer if it refuses.</summary>
    public static async Task SetAsync(HttpClient node, long unixSeconds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        using var response = await node.PostAsJsonAsync("debug/mocktime", new { time = unixSeconds }, ct);
        response.IsSuccessStatusCode.ShouldBeTrue($"POST /debug/mocktime {unixSeconds}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>
    /// Mines <paramref name="blocks"/> blocks through <c>/mine_block</c>, moving the node's clock one
    /// target spacing ahead before each, from <paramref name="start"/>; returns the clock's time after
    /// the last, to go on from.
    /// </summary>
    public static async Task<long> MineAsync(HttpClient node, string address, int blocks, long start, int spacingSeconds = 1, CancellationToken ct = default)
    {
        var client = new NodeClient(node);
        var time = start;
        for (var i = 0; i < blocks; i++)
        {
            time += spacingSeconds;
            await SetAsync(node, time, ct);
            await client.MineBlockAsync(address, ct);
        }

        return time;
    }
}
