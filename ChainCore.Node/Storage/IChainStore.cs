using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Storage;

/// <summary>
/// A node's chain state and indexes: every block it has accepted (main chain and side branches),
/// the main chain's transactions, the UTXO set, per-address balances and history, undo data.
/// Connecting or disconnecting a block is one database transaction, so a crash at any instant
/// leaves a consistent chain. One store per node; stores never share tables. Known peers and
/// mining statistics live beside it in the same database (<see cref="IPeerStore"/>,
/// <see cref="IMiningStatsStore"/>).
/// </summary>
public interface IChainStore : IAsyncDisposable
{
    /// <summary>Creates the schema or migrates it to <see cref="SchemaVersion.Current"/>.</summary>
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>Whether the database answers (for /health/ready).</summary>
    Task<bool> PingAsync(CancellationToken ct = default);

    // Blocks, main chain or not.

    /// <summary>Stores a block that is not (yet) on the main chain. Idempotent: storing a known block again changes nothing and returns false.</summary>
    Task<bool> InsertBlockAsync(Block block, int height, CancellationToken ct = default);

    /// <summary>Stores many blocks at once (binary COPY on PostgreSQL); blocks already known are skipped. Returns how many were new.</summary>
    Task<int> BulkInsertBlocksAsync(IReadOnlyList<(Block Block, int Height)> blocks, CancellationToken ct = default);

    Task<Block?> GetBlockAsync(Hash256 hash, CancellationToken ct = default);

    /// <summary>The main chain's block at <paramref name="height"/>.</summary>
    Task<Block?> GetBlockByHeightAsync(int height, CancellationToken ct = default);

    /// <summary>The main chain's tip, or null for an empty store.</summary>
    Task<StoredBlock?> GetLatestBlockAsync(CancellationToken ct = default);

    /// <summary>Height of the main chain's tip; −1 when the store has no main chain.</summary>
    Task<int> GetChainHeightAsync(CancellationToken ct = default);

    /// <summary>Main-chain blocks with heights in [start, start + limit), ascending.</summary>
    Task<IReadOnlyList<StoredBlock>> GetBlocksAsync(int start, int limit, CancellationToken ct = default);

    /// <summary>Every stored header, to rebuild the in-memory block index at start.</summary>
    Task<IReadOnlyList<StoredHeader>> LoadBlockIndexAsync(CancellationToken ct = default);

    /// <summary>Marks a stored block as failing validation, so it is never connected again.</summary>
    Task MarkBlockInvalidAsync(Hash256 hash, CancellationToken ct = default);

    // Chain state.

    /// <summary>
    /// Starts a change of the main chain that other readers see whole or not at all: any number of
    /// disconnects and connects in one database transaction, committed by
    /// <see cref="IChainUpdate.CommitAsync"/> and rolled back if disposed before that. While it is
    /// open it is this store's only writer.
    /// </summary>
    Task<IChainUpdate> BeginUpdateAsync(CancellationToken ct = default);

    /// <summary>
    /// Makes a stored (or new) block the main chain's next block in one database transaction:
    /// marks it on the main chain, records its transactions and address history, removes the
    /// coins <paramref name="undo"/> lists, adds the block's outputs, updates balances, saves the undo data.
    /// </summary>
    Task ConnectBlockAsync(Block block, int height, BlockUndo undo, CancellationToken ct = default);

    /// <summary>Reverses <see cref="ConnectBlockAsync"/> for the main chain's tip in one database transaction; returns its undo data.</summary>
    Task<BlockUndo> DisconnectBlockAsync(Block block, int height, CancellationToken ct = default);

    Task<IReadOnlyDictionary<OutPoint, Coin>> GetCoinsAsync(IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct = default);

    Task<IReadOnlyList<SpentCoin>> GetCoinsByAddressAsync(ReadOnlyMemory<byte> publicKeyHash, CancellationToken ct = default);

    Task<Amount> GetBalanceAsync(ReadOnlyMemory<byte> publicKeyHash, CancellationToken ct = default);

    // Transactions of the main chain.

    Task<StoredTransaction?> GetTransactionAsync(Hash256 txId, CancellationToken ct = default);

    /// <summary>Main-chain transactions that pay to or spend from the address, newest first.</summary>
    Task<IReadOnlyList<AddressTransaction>> GetTransactionsByAddressAsync(ReadOnlyMemory<byte> publicKeyHash, int limit = 100, CancellationToken ct = default);
}

/// <summary>
/// One change of the main chain, as a database transaction (see <see cref="IChainStore.BeginUpdateAsync"/>):
/// reads through it see its own writes; nobody else sees them before <see cref="CommitAsync"/>.
/// Disposing it uncommitted rolls everything back.
/// </summary>
public interface IChainUpdate : IAsyncDisposable
{
    /// <summary>As <see cref="IChainStore.ConnectBlockAsync"/>, inside this update.</summary>
    Task ConnectBlockAsync(Block block, int height, BlockUndo undo, CancellationToken ct = default);

    /// <summary>As <see cref="IChainStore.DisconnectBlockAsync"/>, inside this update: the tip as this update left it.</summary>
    Task<BlockUndo> DisconnectBlockAsync(Block block, int height, CancellationToken ct = default);

    /// <summary>The unspent outputs among <paramref name="outPoints"/> as this update left the UTXO set.</summary>
    Task<IReadOnlyDictionary<OutPoint, Coin>> GetCoinsAsync(IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct = default);

    /// <summary>Makes every change of this update visible at once. Nothing may follow it but disposal.</summary>
    Task CommitAsync(CancellationToken ct = default);
}

/// <summary>A main-chain block's summary row.</summary>
public sealed record StoredBlock(Hash256 Hash, int Height, BlockHeader Header, int TransactionCount, int Size);

/// <summary>A header as the block index needs it on start.</summary>
public sealed record StoredHeader(Hash256 Hash, int Height, BlockHeader Header, bool OnMainChain, bool IsInvalid);

public sealed record StoredTransaction(Transaction Transaction, Hash256 BlockHash, int BlockHeight, int Position);

/// <summary>
/// One main-chain transaction as seen by one address: <paramref name="Received"/> is what its outputs
/// paid the address, <paramref name="Spent"/> what its inputs took from the address.
/// </summary>
public sealed record AddressTransaction(Hash256 TxId, Hash256 BlockHash, int BlockHeight, Amount Received, Amount Spent);

public static class SchemaVersion
{
    public static int Current => Schema.LatestVersion;
}
