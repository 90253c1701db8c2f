using System.Collections.Concurrent;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>
/// Checks input signatures for the validators: a transaction's one by one, a block's in parallel
/// across cores. With a <see cref="SignatureCache"/>, transaction checks (mempool entry) fill it and
/// block checks skip the inputs found there. Whatever the scheduling, a block's result is that of
/// its first failing input in block order.
/// </summary>
public sealed class SignatureVerifier
{
    /// <summary>Below this many inputs to verify, a block's signatures are checked on the calling thread.</summary>
    public const int ParallelThreshold = 16;

    private readonly int _maxDegreeOfParallelism;

    /// <param name="cache">The node's cache, or null to verify every signature every time.</param>
    /// <param name="maxDegreeOfParallelism">Threads for a block's signatures; by default one per core.</param>
    public SignatureVerifier(SignatureCache? cache = null, int? maxDegreeOfParallelism = null)
    {
        if (maxDegreeOfParallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), "At least one thread.");
        }

        Cache = cache;
        _maxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount;
    }

    /// <summary>Verifies everything, caches nothing, uses every core: what validators use when given no verifier.</summary>
    public static SignatureVerifier Default { get; } = new();

    public SignatureCache? Cache { get; }

    /// <summary>Every input of one transaction, in order; each verified input is remembered.</summary>
    public ValidationResult CheckTransaction(Transaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        for (var i = 0; i < tx.Inputs.Length; i++)
        {
            if (Cache?.Contains(tx.TxId, i) == true)
            {
                continue;
            }

            var result = TransactionValidator.CheckSignature(tx, i);
            if (!result.IsValid)
            {
                return result;
            }

            Cache?.Add(tx.TxId, i);
        }

        return ValidationResult.Ok;
    }

    /// <summary>
    /// Every input of the block's non-coinbase transactions, skipping those in the cache, in
    /// parallel when there are enough. Adds nothing to the cache: a connected block's transactions
    /// are not checked again. <paramref name="ct"/> stops the work early when its result is no
    /// longer wanted (then <see cref="OperationCanceledException"/>).
    /// </summary>
    public ValidationResult CheckBlock(Block block, CancellationToken ct = default)
    {
        using var check = StartBlock(block);
        using var _ = ct.Register(check.Abandon);
        return check.Complete();
    }

    /// <summary>
    /// Starts checking the block's signatures (as <see cref="CheckBlock"/>) on the process's
    /// signature threads (<see cref="SignatureCheckThreads"/>) — asking for one fewer than this
    /// verifier may use, so the caller keeps a core for other work meanwhile (reading coins, writing
    /// rows) — and returns at once. The caller joins the work when it needs the verdict
    /// (<see cref="BlockSignatureCheck.Complete"/>), as Bitcoin's script check queue.
    /// </summary>
    public BlockSignatureCheck StartBlock(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var pending = new List<(Transaction Tx, int Input)>();
        foreach (var tx in block.Transactions.AsSpan()[1..])
        {
            for (var i = 0; i < tx.Inputs.Length; i++)
            {
                if (Cache?.Contains(tx.TxId, i) != true)
                {
                    pending.Add((tx, i));
                }
            }
        }

        var helpers = pending.Count < ParallelThreshold ? 0 : Math.Min(_maxDegreeOfParallelism - 1, pending.Count / ParallelThreshold);
        return new BlockSignatureCheck(pending, helpers);
    }
}

/// <summary>
/// One block's signature checks under way (<see cref="SignatureVerifier.StartBlock"/>). Workers take
/// chunks of inputs in block order and skip those past a failure already found, never before it,
/// so the verdict is the first failing input in block order whatever the scheduling.
/// </summary>
public sealed class BlockSignatureCheck : IDisposable
{
    private readonly List<(Transaction Tx, int Input)> _checks;
    private readonly Func<Transaction, int, ValidationResult> _check;
    private readonly int _chunk;
    private readonly object _gate = new();
    private int _running;
    private bool _closed;
    private int _next;
    private int _first = int.MaxValue;
    private volatile bool _abandoned;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _helperFailure;

    /// <param name="helpers">How many of the process's signature threads may join this check.</param>
    /// <param name="check">One input's check; <see cref="TransactionValidator.CheckSignature"/> but in tests.</param>
    internal BlockSignatureCheck(List<(Transaction Tx, int Input)> checks, int helpers, Func<Transaction, int, ValidationResult>? check = null)
    {
        _check = check ?? TransactionValidator.CheckSignature;
        _checks = checks;
        Helpers = helpers;
        _chunk = Math.Max(8, checks.Count / ((Math.Max(helpers, 0) + 1) * 8));
        _next = -_chunk;
        for (var i = 0; i < helpers; i++)
        {
            SignatureCheckThreads.Enqueue(this);
        }
    }

    /// <summary>How many of the process's signature threads were asked to join.</summary>
    internal int Helpers { get; }

    /// <summary>Inputs a worker takes at a time.</summary>
    internal int ChunkSize => _chunk;

    /// <summary>
    /// Joins the work on the calling thread, waits for the helpers that joined it, and returns the
    /// verdict. Helpers that had not started by then never will: the caller did their share. An
    /// exception a helper met is thrown here, on the caller's thread, not left to end the process.
    /// </summary>
    public ValidationResult Complete()
    {
        Work();
        Close();
        _helperFailure?.Throw();
        if (_abandoned)
        {
            // Some inputs may not have been checked: there is no verdict.
            throw new OperationCanceledException("The block's signature checks were abandoned before their verdict.");
        }

        if (_first == int.MaxValue)
        {
            return ValidationResult.Ok;
        }

        var (tx, input) = _checks[_first];
        var result = _check(tx, input);
        return result with { Message = $"{tx.TxId}: {result.Message}" };
    }

    /// <summary>The verdict is no longer wanted: the helpers stop at their next chunk, and <see cref="Complete"/> has no verdict to give.</summary>
    public void Abandon() => _abandoned = true;

    /// <summary>Abandons the work if it was not completed, and lets the helpers finish their chunk.</summary>
    public void Dispose()
    {
        Abandon();
        Close();
    }

    /// <summary>Called on a signature thread: works on this check unless it is already closed.</summary>
    internal void HelperWork()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _running++;
        }

        try
        {
            Work();
        }
        catch (Exception e)
        {
            // Stop the others too; Complete rethrows it to the caller.
            Interlocked.CompareExchange(ref _helperFailure, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
            _abandoned = true;
        }
        finally
        {
            lock (_gate)
            {
                if (--_running == 0)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    /// <summary>No helper joins from now on; waits for those working on it to finish their chunk.</summary>
    private void Close()
    {
        lock (_gate)
        {
            _closed = true;
            while (_running > 0)
            {
                Monitor.Wait(_gate);
            }
        }
    }

    private void Work()
    {
        while (true)
        {
            var start = Interlocked.Add(ref _next, _chunk);
            if (start >= _checks.Count || start > Volatile.Read(ref _first) || _abandoned)
            {
                return;
            }

            for (var i = start; i < Math.Min(start + _chunk, _checks.Count); i++)
            {
                if (i > Volatile.Read(ref _first))
                {
                    return;
                }

                if (!_check(_checks[i].Tx, _checks[i].Input).IsValid)
                {
                    InterlockedMin(ref _first, i);
                    return;
                }
            }
        }
    }

    private static void InterlockedMin(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

/// <summary>
/// The process's threads for block signature checks, shared by every verifier of every node in the
/// process: a fixed number (one fewer than the cores, at least one), so a thousand nodes in one
/// process add no threads. Dedicated threads, not the .NET thread pool: a block's checks are long
/// CPU-bound work that would starve the pool the nodes' asynchronous I/O runs on.
/// </summary>
internal static class SignatureCheckThreads
{
    private static readonly Lazy<BlockingCollection<BlockSignatureCheck>> Queue = new(Start);

    public static int Count { get; } = Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Threads started so far: <see cref="Count"/> once any block was checked in parallel, and never more.</summary>
    public static int Started => Volatile.Read(ref _started);

    private static int _started;

    /// <summary>One helper's turn at <paramref name="check"/>; a check closed before a thread takes it costs nothing.</summary>
    public static void Enqueue(BlockSignatureCheck check) => Queue.Value.Add(check);

    private static BlockingCollection<BlockSignatureCheck> Start()
    {
        var queue = new BlockingCollection<BlockSignatureCheck>();
        for (var i = 0; i < Count; i++)
        {
            new Thread(() =>
            {
                foreach (var check in queue.GetConsumingEnumerable())
                {
                    check.HelperWork();
                }
            })
            { IsBackground = true, Name = "chaincore-signatures" }.Start();
            Interlocked.Increment(ref _started);
        }

        return queue;
    }
}
