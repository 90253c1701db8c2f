using ChainCore.Core.Consensus;
using ChainCore.Core.Mining;
using ChainCore.Core.Primitives;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Storage;
using ChainCore.Tests.Fixtures;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ChainCore.Tests.Unit.Chain;

/// <summary>
/// A chain engine over an <see cref="InMemoryChainStore"/> on one <see cref="FakeTimeProvider"/>,
/// started at regtest's genesis with coinbases mature after one block: blocks are built with
/// <see cref="BlockFactory"/> on any entry and handed to the engine as a peer would. No database.
/// </summary>
internal sealed class EngineKit : IAsyncDisposable
{
    public static readonly ConsensusParams Regtest = ConsensusParams.Regtest with { CoinbaseMaturity = 1 };
    public static readonly Amount Subsidy50 = Amount.FromCoins(50);

    private EngineKit(ConsensusParams p, int maxPoolTransactions, int maxOrphans)
    {
        Params = p;
        Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(p.Genesis.Header.Time + 600));
        Pool = new TransactionPool(maxPoolTransactions, 10_000_000, clock: Clock);
        _logging = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(Log.ProviderFor("node")));
        Engine = new ChainEngine(Store, p, Pool, Clock, 1_000, maxOrphans, _logging.CreateLogger<ChainEngine>());
    }

    private readonly ILoggerFactory _logging;

    /// <summary>What the engine logged, a line per entry (<c>hh:mm:ss.fff node WRN ChainEngine: message</c>).</summary>
    public TestLog Log { get; } = new();

    /// <summary>The lines the engine logged at <paramref name="level"/> (<c>WRN</c>, <c>ERR</c>…).</summary>
    public IReadOnlyList<string> Logged(string level) => [.. Log.Lines.Where(l => l.Contains($" node {level} ", StringComparison.Ordinal))];

    public ConsensusParams Params { get; }

    public InMemoryChainStore Store { get; } = new();

    public FakeTimeProvider Clock { get; }

    public TransactionPool Pool { get; }

    public ChainEngine Engine { get; }

    public TestWallet Miner { get; } = Wallets.NewWallet();

    public BlockIndexEntry Tip => Engine.Tip;

    public BlockIndexEntry Genesis => Engine.ActiveChain[0]!;

    public static async Task<EngineKit> StartAsync(ConsensusParams? p = null, int maxPoolTransactions = 1_000, int maxOrphans = 10)
    {
        var kit = new EngineKit(p ?? Regtest, maxPoolTransactions, maxOrphans);
        await kit.Engine.InitializeAsync();
        return kit;
    }

    /// <summary>A block on <paramref name="parent"/> (the tip by default) holding <paramref name="transactions"/>, its coinbase paying the miner the subsidy and <paramref name="fees"/>.</summary>
    public Block Next(BlockIndexEntry? parent = null, IEnumerable<Transaction>? transactions = null, Amount? fees = null, byte extraNonce = 0, TestWallet? payTo = null) =>
        BlockFactory.Next(parent ?? Tip, (payTo ?? Miner).KeyHash, Params, transactions, fees, extraNonce);

    /// <summary>A block on <paramref name="parent"/>, known or not, at <paramref name="parentHeight"/> + 1, its coinbase paying the miner the subsidy and <paramref name="fees"/>.</summary>
    public Block On(Block parent, int parentHeight, IEnumerable<Transaction>? transactions = null, Amount? fees = null, byte extraNonce = 0) =>
        BlockFactory.Next(parent, parentHeight, Miner.KeyHash, Params, transactions, fees, extraNonce);

    /// <summary>Mines <paramref name="count"/> empty blocks on the tip, each becoming the tip.</summary>
    public async Task<IReadOnlyList<Block>> MineAsync(int count, TestWallet? payTo = null)
    {
        var blocks = new List<Block>();
        for (var i = 0; i < count; i++)
        {
            var block = Next(payTo: payTo);
            var result = await Engine.ProcessBlockAsync(block);
            result.BecameTip.ShouldBeTrue(result.Validation.ToString());
            blocks.Add(block);
        }

        return blocks;
    }

    /// <summary>Hands <paramref name="blocks"/> to the engine in order, each expected accepted.</summary>
    public async Task ProcessAllAsync(IEnumerable<Block> blocks)
    {
        foreach (var block in blocks)
        {
            var result = await Engine.ProcessBlockAsync(block);
            result.Status.ShouldBe(BlockStatus.Accepted, result.Validation.ToString());
        }
    }

    /// <summary>A block solved on <paramref name="parent"/> with the header time and bits given (not what <see cref="BlockFactory"/> would choose).</summary>
    public Block WithHeader(BlockIndexEntry parent, uint time, uint? bits = null)
    {
        var height = parent.Height + 1;
        var coinbase = Coinbase.Create(height, Miner.KeyHash, Subsidy.ForHeight(height, Params));
        System.Collections.Immutable.ImmutableArray<Transaction> all = [coinbase];
        var header = new BlockHeader(1, parent.Hash, MerkleTree.ComputeRoot(all), time, bits ?? Params.PowLimitBits, 0);
        return Solve(new Block(header, all));
    }

    /// <summary>Solves <paramref name="block"/> as it is (its header's bits, any merkle root).</summary>
    public Block Solve(Block block) => BlockSolver.Solve(block, Params, CancellationToken.None);

    /// <summary>Another engine over <paramref name="store"/> (this kit's by default), as a node restarted on the same database, with an empty pool, logging into <see cref="Log"/>.</summary>
    public ChainEngine Restart(IChainStore? store = null, TimeProvider? clock = null)
    {
        clock ??= Clock;
        return new ChainEngine(store ?? Store, Params, new TransactionPool(100, 1_000_000, clock: clock), clock, 1_000, 10, _logging.CreateLogger<ChainEngine>());
    }

    /// <summary>A transaction spending output 0 of <paramref name="tx"/> (owned by <paramref name="from"/>) whole, less <paramref name="fee"/>, to <paramref name="to"/>.</summary>
    public static Transaction Pay(TestWallet from, Transaction tx, TestWallet to, Amount fee, uint index = 0) =>
        Wallets.Spend(from, new OutPoint(tx.TxId, index), tx.Outputs[(int)index].Value, to.Address, fee);

    public async Task<Coin?> CoinAsync(OutPoint outPoint) => (await Store.GetCoinsAsync([outPoint])).GetValueOrDefault(outPoint);

    public ValueTask DisposeAsync()
    {
        Engine.Dispose();
        _logging.Dispose();
        return Store.DisposeAsync();
    }
}
