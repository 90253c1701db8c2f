using System.Collections.Immutable;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Storage;

namespace ChainCore.Tests.Integration.Database;

/// <summary>
/// The embedded store copies its log into the database file on a thread of its own after writes,
/// so no block's commit pays for it; closing the store waits for a checkpoint under way.
/// </summary>
[TestFixture, Category("Integration"), Category("Database")]
public sealed class SqliteCheckpointTests
{
    private static readonly ConsensusParams P = ConsensusParams.Regtest;
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("chaincore-checkpoint-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Writes_reach_the_database_file_without_waiting_for_the_log_to_fill()
    {
        var path = Path.Combine(_dir, "chain.db");
        var store = new SqliteChainStore(path);
        try
        {
            await store.InitializeAsync();
            var before = new FileInfo(path).Length;
            var parent = P.Genesis;
            await store.ConnectBlockAsync(parent, 0, BlockUndo.Empty);
            for (var height = 1; height <= 40; height++)
            {
                // Blocks of a few kilobytes (60 outputs each): far below SQLite's own checkpoint threshold.
                var outputs = Enumerable.Range(0, 60).Select(i => new TxOut(new Amount(1_000 + i), [.. new byte[20]])).ToImmutableArray();
                var coinbase = Coinbase.Create(height, outputs);
                var header = new BlockHeader(1, parent.Hash, MerkleTree.ComputeRoot([coinbase.TxId]), parent.Header.Time + 1, P.PowLimitBits, 0);
                var block = new Block(header, [coinbase]);
                await store.ConnectBlockAsync(block, height, BlockUndo.Empty);
                parent = block;
            }

            await store.CheckpointsDone;

            var after = new FileInfo(path).Length;
            after.ShouldBeGreaterThan(before + (20 * 4096), "the blocks' pages were copied from the log into the database file");
            (await store.GetChainHeightAsync()).ShouldBe(40);
        }
        finally
        {
            await store.DisposeAsync();
        }

        // Closed: every connection released, the file can go (Windows refuses to delete an open file).
        await using var reopened = new SqliteChainStore(path);
        (await reopened.GetChainHeightAsync()).ShouldBe(40);
    }
}
