using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node.Storage;

namespace ChainCore.Tests.Fixtures;

/// <summary>
/// An <see cref="IChainStore"/> in memory, for unit tests of the chain: the same tables and rules as
/// <see cref="SqlChainStore"/> (blocks with their main-chain and invalid flags, the main chain's
/// transaction index, the UTXO set, balances, address history, undo data), the same refusals (a
/// coin written twice, a spend of a coin that is not there, a disconnect of a block that is not the
/// tip), and an update that is one transaction: it works on a copy of the committed state, is this
/// store's only writer while open, and replaces the committed state only on commit.
/// <see cref="Failpoint"/> is called with a step name wherever the SQL store calls its own, and at
/// the store's other calls (<c>begin</c>, <c>commit</c>, <c>dispose</c>, <c>insert</c>,
/// <c>get-block</c>, <c>get-coins</c>, <c>mark-invalid</c>), so a test can fail any of them.
/// </summary>
public sealed class InMemoryChainStore : IChainStore
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Lock _sync = new();
    private Tables _committed = new();

    /// <summary>Called with each step's name; throwing from it fails that call (inside an update: the update's).</summary>
    public Func<string, Task>? Failpoint { get; set; }

    /// <summary>How many updates were committed (a move of the tip is one).</summary>
    public int Commits { get; private set; }

    /// <summary>Whether an update is open now.</summary>
    public bool UpdateOpen => _writer.CurrentCount == 0;

    /// <summary>Makes the <paramref name="occurrence"/>th call of <paramref name="step"/> from now fail (once) with an <see cref="InjectedStoreFailureException"/>.</summary>
    public void FailOnce(string step, int occurrence = 1)
    {
        var seen = 0;
        Failpoint = reached => reached == step && ++seen == occurrence ? throw new InjectedStoreFailureException(step) : Task.CompletedTask;
    }

    /// <summary>Records the name of every step reached from now on (replacing any failpoint), in order.</summary>
    public IReadOnlyList<string> RecordSteps()
    {
        var steps = new List<string>();
        Failpoint = reached =>
        {
            lock (steps)
            {
                steps.Add(reached);
            }

            return Task.CompletedTask;
        };
        return steps;
    }

    /// <summary>Makes every call of <paramref name="step"/> fail until the failpoint is cleared.</summary>
    public void FailAlways(string step) =>
        Failpoint = reached => reached == step ? throw new InjectedStoreFailureException(step) : Task.CompletedTask;

    public Task InitializeAsync(CancellationToken ct = default) => Task.CompletedTask;

    public Task<bool> PingAsync(CancellationToken ct = default) => Task.FromResult(true);

    public async Task<bool> InsertBlockAsync(Block block, int height, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        await _writer.WaitAsync(ct);
        try
        {
            await StepAsync("insert");
            var tables = Committed.Clone();
            var inserted = tables.InsertBlock(block, height, onMainChain: false);
            Replace(tables);
            return inserted;
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<int> BulkInsertBlocksAsync(IReadOnlyList<(Block Block, int Height)> blocks, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        await _writer.WaitAsync(ct);
        try
        {
            await StepAsync("insert");
            var tables = Committed.Clone();
            var inserted = blocks.Count(b => tables.InsertBlock(b.Block, b.Height, onMainChain: false));
            Replace(tables);
            return inserted;
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<Block?> GetBlockAsync(Hash256 hash, CancellationToken ct = default)
    {
        await StepAsync("get-block");
        return Committed.Blocks.GetValueOrDefault(hash)?.Block;
    }

    public Task<Block?> GetBlockByHeightAsync(int height, CancellationToken ct = default) =>
        Task.FromResult(Committed.MainChain().FirstOrDefault(r => r.Height == height)?.Block);

    public Task<StoredBlock?> GetLatestBlockAsync(CancellationToken ct = default) =>
        Task.FromResult(Committed.MainChain().OrderByDescending(r => r.Height).Select(r => r.ToStoredBlock()).FirstOrDefault());

    public Task<int> GetChainHeightAsync(CancellationToken ct = default) =>
        Task.FromResult(Committed.MainChain().Select(r => r.Height).DefaultIfEmpty(-1).Max());

    public Task<IReadOnlyList<StoredBlock>> GetBlocksAsync(int start, int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<StoredBlock>>([.. Committed.MainChain().Where(r => r.Height >= start).OrderBy(r => r.Height).Take(limit).Select(r => r.ToStoredBlock())]);

    public Task<IReadOnlyList<StoredHeader>> LoadBlockIndexAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<StoredHeader>>([.. Committed.Blocks.Values.OrderBy(r => r.Height).ThenBy(r => r.Inserted)
            .Select(r => new StoredHeader(r.Block.Hash, r.Height, r.Block.Header, r.OnMainChain, r.Invalid))]);

    public async Task MarkBlockInvalidAsync(Hash256 hash, CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await StepAsync("mark-invalid");
            var tables = Committed.Clone();
            if (tables.Blocks.TryGetValue(hash, out var row) && !row.OnMainChain)
            {
                tables.Blocks[hash] = row with { Invalid = true };
            }

            Replace(tables);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<IChainUpdate> BeginUpdateAsync(CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await StepAsync("begin");
            return new Update(this, Committed.Clone());
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public async Task ConnectBlockAsync(Block block, int height, BlockUndo undo, CancellationToken ct = default)
    {
        await using var update = await BeginUpdateAsync(ct);
        await update.ConnectBlockAsync(block, height, undo, ct);
        await update.CommitAsync(ct);
    }

    public async Task<BlockUndo> DisconnectBlockAsync(Block block, int height, CancellationToken ct = default)
    {
        await using var update = await BeginUpdateAsync(ct);
        var undo = await update.DisconnectBlockAsync(block, height, ct);
        await update.CommitAsync(ct);
        return undo;
    }

    public async Task<IReadOnlyDictionary<OutPoint, Coin>> GetCoinsAsync(IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outPoints);
        await StepAsync("get-coins");
        return Committed.CoinsAmong(outPoints);
    }

    public Task<IReadOnlyList<SpentCoin>> GetCoinsByAddressAsync(ReadOnlyMemory<byte> publicKeyHash, CancellationToken ct = default)
    {
        var key = Convert.ToHexString(publicKeyHash.Span);
        return Task.FromResult<IReadOnlyList<SpentCoin>>([.. Committed.Utxos
            .Where(u => Convert.ToHexString(u.Value.Output.PublicKeyHash.AsSpan()) == key)
            .OrderBy(u => u.Value.Height).ThenBy(u => Convert.ToHexString(u.Key.TxId.ToBytes()), StringComparer.Ordinal).ThenBy(u => u.Key.Index)
            .Select(u => new SpentCoin(u.Key, u.Value))]);
    }

    public Task<Amount> GetBalanceAsync(ReadOnlyMemory<byte> publicKeyHash, CancellationToken ct = default) =>
        Task.FromResult(new Amount(Committed.Balances.GetValueOrDefault(Convert.ToHexString(publicKeyHash.Span))));

    public Task<StoredTransaction?> GetTransactionAsync(Hash256 txId, CancellationToken ct = default)
    {
        var tables = Committed;
        return Task.FromResult(tables.Transactions.TryGetValue(txId, out var row)
            ? new StoredTransaction(tables.Blocks[row.BlockHash].Block.Transactions[row.Position], row.BlockHash, row.Height, row.Position)
            : null);
    }

    public Task<IReadOnlyList<AddressTransaction>> GetTransactionsByAddressAsync(ReadOnlyMemory<byte> publicKeyHash, int limit = 100, CancellationToken ct = default)
    {
        var key = Convert.ToHexString(publicKeyHash.Span);
        return Task.FromResult<IReadOnlyList<AddressTransaction>>([.. Committed.History
            .Where(h => h.Key.Address == key)
            .OrderByDescending(h => h.Value.Height).ThenBy(h => Convert.ToHexString(h.Key.TxId.ToBytes()), StringComparer.Ordinal)
            .Take(limit)
            .Select(h => new AddressTransaction(h.Key.TxId, h.Value.BlockHash, h.Value.Height, new Amount(h.Value.Received), new Amount(h.Value.Spent)))]);
    }

    /// <summary>Every committed row as sorted text (as <c>SqlChainStore.SnapshotAsync</c>), to compare the whole store before and after.</summary>
    public IReadOnlyList<string> Snapshot() => Committed.Snapshot();

    public ValueTask DisposeAsync()
    {
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }

    private Tables Committed
    {
        get { lock (_sync) { return _committed; } }
    }

    private void Replace(Tables tables)
    {
        lock (_sync)
        {
            _committed = tables;
        }
    }

    private Task StepAsync(string step) => Failpoint?.Invoke(step) ?? Task.CompletedTask;

    /// <summary>A failure a test planted in the store.</summary>
    public sealed class InjectedStoreFailureException(string step) : Exception($"Injected store failure at {step}.");

    private sealed class Update(InMemoryChainStore store, Tables tables) : IChainUpdate
    {
        private bool _ended;

        public async Task ConnectBlockAsync(Block block, int height, BlockUndo undo, CancellationToken ct = default)
        {
            Open();
            await tables.ConnectAsync(block, height, undo, store.StepAsync);
        }

        public async Task<BlockUndo> DisconnectBlockAsync(Block block, int height, CancellationToken ct = default)
        {
            Open();
            return await tables.DisconnectAsync(block, height, store.StepAsync);
        }

        public async Task<IReadOnlyDictionary<OutPoint, Coin>> GetCoinsAsync(IReadOnlyCollection<OutPoint> outPoints, CancellationToken ct = default)
        {
            ArgumentNullException.ThrowIfNull(outPoints);
            Open();
            await store.StepAsync("get-coins");
            return tables.CoinsAmong(outPoints);
        }

        public async Task CommitAsync(CancellationToken ct = default)
        {
            Open();
            _ended = true;
            await store.StepAsync("commit");
            store.Replace(tables);
            store.Commits++;
        }

        public async ValueTask DisposeAsync()
        {
            _ended = true;
            try
            {
                await store.StepAsync("dispose");
            }
            finally
            {
                store._writer.Release();
            }
        }

        private void Open()
        {
            if (_ended)
            {
                throw new InvalidOperationException("The update was committed or rolled back.");
            }
        }
    }

    private sealed record BlockRow(Block Block, int Height, bool OnMainChain, bool Invalid, long Inserted)
    {
        public StoredBlock ToStoredBlock() => new(Block.Hash, Height, Block.Header, Block.Transactions.Length, Block.SerializedSize);
    }

    private sealed record TransactionRow(Hash256 BlockHash, int Height, int Position);

    private sealed record HistoryRow(Hash256 BlockHash, int Height, long Received, long Spent);

    /// <summary>The store's tables; an update works on a copy.</summary>
    private sealed class Tables
    {
        public Dictionary<Hash256, BlockRow> Blocks { get; private init; } = [];

        public Dictionary<Hash256, TransactionRow> Transactions { get; private init; } = [];

        public Dictionary<OutPoint, Coin> Utxos { get; private init; } = [];

        public Dictionary<string, long> Balances { get; private init; } = [];

        public Dictionary<(string Address, Hash256 TxId), HistoryRow> History { get; private init; } = [];

        public Dictionary<Hash256, BlockUndo> Undo { get; private init; } = [];

        private long _inserted;

        public Tables Clone() => new()
        {
            Blocks = new(Blocks),
            Transactions = new(Transactions),
            Utxos = new(Utxos),
            Balances = new(Balances),
            History = new(History),
            Undo = new(Undo),
            _inserted = _inserted,
        };

        public IEnumerable<BlockRow> MainChain() => Blocks.Values.Where(r => r.OnMainChain);

        public Dictionary<OutPoint, Coin> CoinsAmong(IReadOnlyCollection<OutPoint> outPoints)
        {
            var coins = new Dictionary<OutPoint, Coin>();
            foreach (var outPoint in outPoints.Distinct())
            {
                if (Utxos.TryGetValue(outPoint, out var coin))
                {
                    coins[outPoint] = coin;
                }
            }

            return coins;
        }

        public bool InsertBlock(Block block, int height, bool onMainChain)
        {
            if (Blocks.ContainsKey(block.Hash))
            {
                return false;
            }

            if (onMainChain)
            {
                ThrowIfMainChainHeightTaken(block.Hash, height);
            }

            Blocks[block.Hash] = new BlockRow(block, height, onMainChain, false, ++_inserted);
            return true;
        }

        public async Task ConnectAsync(Block block, int height, BlockUndo undo, Func<string, Task> step)
        {
            ArgumentNullException.ThrowIfNull(block);
            ArgumentNullException.ThrowIfNull(undo);
            if (Blocks.TryGetValue(block.Hash, out var row))
            {
                ThrowIfMainChainHeightTaken(block.Hash, row.Height);
                Blocks[block.Hash] = row with { OnMainChain = true };
            }
            else
            {
                InsertBlock(block, height, onMainChain: true);
            }

            await step("connect:block");
            if (height == 0)
            {
                // As the SQL store: the genesis coinbase's output never enters the UTXO set or a balance.
                return;
            }

            for (var i = 0; i < block.Transactions.Length; i++)
            {
                if (!Transactions.TryAdd(block.Transactions[i].TxId, new TransactionRow(block.Hash, height, i)))
                {
                    throw new InvalidOperationException($"Duplicate key: transaction {block.Transactions[i].TxId} is already in the index.");
                }
            }

            foreach (var tx in block.Transactions)
            {
                for (var i = 0; i < tx.Outputs.Length; i++)
                {
                    if (!Utxos.TryAdd(new OutPoint(tx.TxId, (uint)i), new Coin(tx.Outputs[i], height, tx.IsCoinbase)))
                    {
                        throw new InvalidOperationException($"Duplicate key: output {tx.TxId}:{i} is already in the UTXO set.");
                    }
                }
            }

            await step("connect:outputs");
            var missing = undo.SpentCoins.Count(s => !Utxos.Remove(s.OutPoint));
            if (missing > 0)
            {
                throw new InvalidOperationException($"Connecting {block.Hash}: {missing} of the outputs it spends are not in the UTXO set.");
            }

            await step("connect:spends");
            ApplyAddressChanges(block, height, undo, sign: 1);
            Undo[block.Hash] = undo;
            await step("connect:commit");
        }

        public async Task<BlockUndo> DisconnectAsync(Block block, int height, Func<string, Task> step)
        {
            ArgumentNullException.ThrowIfNull(block);
            var tip = MainChain().OrderByDescending(r => r.Height).FirstOrDefault();
            if (tip is null || tip.Block.Hash != block.Hash)
            {
                throw new InvalidOperationException($"Only the main chain's tip can be disconnected; {block.Hash} is not it.");
            }

            var undo = Undo.GetValueOrDefault(block.Hash) ?? throw new InvalidOperationException($"No undo data for block {block.Hash}.");
            var created = block.Transactions.Select(t => t.TxId).ToHashSet();
            foreach (var outPoint in Utxos.Keys.Where(o => created.Contains(o.TxId)).ToList())
            {
                Utxos.Remove(outPoint);
            }

            await step("disconnect:outputs");
            foreach (var spent in undo.SpentCoins.Where(s => !created.Contains(s.OutPoint.TxId)))
            {
                if (!Utxos.TryAdd(spent.OutPoint, spent.Coin))
                {
                    throw new InvalidOperationException($"Duplicate key: output {spent.OutPoint} is already in the UTXO set.");
                }
            }

            await step("disconnect:spends");
            ApplyAddressChanges(block, height, undo, sign: -1);
            foreach (var txId in Transactions.Where(t => t.Value.BlockHash == block.Hash).Select(t => t.Key).ToList())
            {
                Transactions.Remove(txId);
            }

            Undo.Remove(block.Hash);
            Blocks[block.Hash] = tip with { OnMainChain = false };
            await step("disconnect:commit");
            return undo;
        }

        public IReadOnlyList<string> Snapshot()
        {
            var rows = new List<string>();
            rows.AddRange(Blocks.Values.Select(r => $"block|{r.Block.Hash}|{r.Height}|{Bit(r.OnMainChain)}|{Bit(r.Invalid)}"));
            rows.AddRange(Transactions.Select(t => $"tx|{t.Key}|{t.Value.BlockHash}|{t.Value.Height}|{t.Value.Position}"));
            rows.AddRange(Utxos.Select(u => $"utxo|{u.Key.TxId}|{u.Key.Index}|{u.Value.Output.Value.Units}|{Convert.ToHexString(u.Value.Output.PublicKeyHash.AsSpan())}|{u.Value.Height}|{Bit(u.Value.IsCoinbase)}"));
            rows.AddRange(Balances.Where(b => b.Value != 0).Select(b => $"balance|{b.Key}|{b.Value}"));
            rows.AddRange(History.Select(h => $"history|{h.Key.Address}|{h.Key.TxId}|{h.Value.BlockHash}|{h.Value.Height}|{h.Value.Received}|{h.Value.Spent}"));
            rows.AddRange(Undo.Select(u => $"undo|{u.Key}|{Convert.ToHexString(u.Value.Serialize())}"));
            rows.Sort(StringComparer.Ordinal);
            return rows;

            static string Bit(bool value) => value ? "1" : "0";
        }

        private void ThrowIfMainChainHeightTaken(Hash256 hash, int height)
        {
            if (Blocks.Values.Any(r => r.OnMainChain && r.Height == height && r.Block.Hash != hash))
            {
                throw new InvalidOperationException($"Duplicate key: the main chain already has a block at height {height}.");
            }
        }

        /// <summary>Balances and the history index, as the SQL store: +1 applies a block, −1 reverses it.</summary>
        private void ApplyAddressChanges(Block block, int height, BlockUndo undo, int sign)
        {
            var spentCoins = undo.SpentCoins.ToDictionary(s => s.OutPoint, s => s.Coin);
            var deltas = new Dictionary<string, long>();
            var rows = new Dictionary<(string Address, Hash256 TxId), (long Received, long Spent)>();
            void Add(string address, Hash256 txId, long received, long spent)
            {
                deltas[address] = deltas.GetValueOrDefault(address) + received - spent;
                var (r, s) = rows.GetValueOrDefault((address, txId));
                rows[(address, txId)] = (r + received, s + spent);
            }

            foreach (var tx in block.Transactions)
            {
                foreach (var output in tx.Outputs)
                {
                    Add(Convert.ToHexString(output.PublicKeyHash.AsSpan()), tx.TxId, output.Value.Units, 0);
                }

                if (tx.IsCoinbase)
                {
                    continue;
                }

                foreach (var input in tx.Inputs)
                {
                    var coin = spentCoins[input.PreviousOutput];
                    Add(Convert.ToHexString(coin.Output.PublicKeyHash.AsSpan()), tx.TxId, 0, coin.Output.Value.Units);
                }
            }

            foreach (var (address, delta) in deltas)
            {
                Balances[address] = Balances.GetValueOrDefault(address) + (sign * delta);
            }

            foreach (var (key, (received, spent)) in rows)
            {
                if (sign > 0)
                {
                    if (!History.TryAdd(key, new HistoryRow(block.Hash, height, received, spent)))
                    {
                        throw new InvalidOperationException($"Duplicate key: history row {key} exists.");
                    }
                }
                else
                {
                    History.Remove(key);
                }
            }
        }
    }
}
