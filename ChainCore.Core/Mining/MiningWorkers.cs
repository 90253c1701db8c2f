using ChainCore.Core.Primitives;

namespace ChainCore.Core.Mining;

/// <summary>
/// The proof-of-work search of one template on several threads. The workers take disjoint chunks of
/// the nonce space from one counter; when the 2^32 nonces of a header are used up, the first worker to
/// notice rolls the extra nonce (new coinbase, new merkle root, new midstate) and they go on with it.
/// Cancelling the token stops every worker within one chunk.
/// </summary>
public sealed class MiningWorkers
{
    private const ulong NonceSpace = 1UL << 32;

    private long _hashes;
    private long _extraNonceRolls;

    public MiningWorkers(int workers, KernelWidth? width = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Width = width ?? NonceSearch.BestWidth;
        if (!NonceSearch.IsSupported(Width))
        {
            throw new ArgumentException($"This CPU does not accelerate the {Width} kernel.", nameof(width));
        }

        Workers = workers;

        // About 10 ms of work between two looks at the token and the shared counter.
        ChunkSize = 16_384u * (uint)Width;
    }

    public int Workers { get; }

    public KernelWidth Width { get; }

    /// <summary>Nonces a worker searches between two looks at the cancellation token.</summary>
    public uint ChunkSize { get; }

    /// <summary>Nonces per header before the extra nonce rolls: 2^32, smaller in tests.</summary>
    internal ulong NoncesPerHeader { get; init; } = NonceSpace;

    /// <summary>Hashes computed since this instance was created, by every search.</summary>
    public long Hashes => Interlocked.Read(ref _hashes);

    /// <summary>How often a header's nonces ran out and the coinbase's extra nonce moved on.</summary>
    public long ExtraNonceRolls => Interlocked.Read(ref _extraNonceRolls);

    /// <summary>Searches <paramref name="template"/> until a worker solves it (the solved block) or <paramref name="ct"/> is cancelled (null).</summary>
    public async Task<Block?> SearchAsync(MiningTemplate template, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(template);
        var search = new Search(this, template, ct);
        var threads = new Task[Workers];
        for (var i = 0; i < threads.Length; i++)
        {
            threads[i] = Task.Factory.StartNew(search.Work, search.Stop, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        try
        {
            await Task.WhenAll(threads).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested || search.Solution is not null)
        {
            // Stopped before a worker started: nothing was searched.
        }
        finally
        {
            search.Dispose();
        }

        return search.Solution;
    }

    private sealed class Search : IDisposable
    {
        private readonly MiningWorkers _owner;
        private readonly MiningTemplate _template;
        private readonly CancellationTokenSource _stop;
        private Unit _unit;
        private Block? _solution;

        public Search(MiningWorkers owner, MiningTemplate template, CancellationToken ct)
        {
            _owner = owner;
            _template = template;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _unit = new Unit(template, 0);
        }

        public CancellationToken Stop => _stop.Token;

        public Block? Solution => Volatile.Read(ref _solution);

        public void Work()
        {
            var chunk = _owner.ChunkSize;
            var perHeader = _owner.NoncesPerHeader;
            var token = _stop.Token;
            while (!token.IsCancellationRequested)
            {
                var unit = Volatile.Read(ref _unit);
                var start = (ulong)Interlocked.Add(ref unit.Next, chunk) - chunk;
                if (start >= perHeader)
                {
                    // This header's nonces are used up: the first worker here moves everyone on.
                    if (Interlocked.CompareExchange(ref _unit, new Unit(_template, unit.ExtraNonce + 1), unit) == unit)
                    {
                        Interlocked.Increment(ref _owner._extraNonceRolls);
                    }

                    continue;
                }

                var count = (uint)Math.Min(chunk, perHeader - start);
                if (NonceSearch.TryFind(unit.Job, (uint)start, count, _owner.Width, out var nonce))
                {
                    Interlocked.Add(ref _owner._hashes, nonce - (long)start + 1);
                    var solved = unit.Block.WithHeader(unit.Block.Header with { Nonce = nonce });
                    if (Interlocked.CompareExchange(ref _solution, solved, null) is null)
                    {
                        _stop.Cancel();
                    }

                    return;
                }

                Interlocked.Add(ref _owner._hashes, count);
            }
        }

        public void Dispose() => _stop.Dispose();
    }

    /// <summary>One header to search: the template with one extra nonce, and the next nonce to hand out.</summary>
    private sealed class Unit
    {
        public Unit(MiningTemplate template, ulong extraNonce)
        {
            ExtraNonce = extraNonce;
            Block = template.WithExtraNonce(extraNonce);
            Job = new MiningJob(Block.Header, template.Target);
        }

        public ulong ExtraNonce { get; }

        public Block Block { get; }

        public MiningJob Job { get; }

        public long Next;
    }
}
