namespace ChainCore.Node.Mempool;

/// <summary>
/// The mempool's rolling minimum fee rate, as Bitcoin's <c>CTxMemPool::GetMinFee</c> and
/// <c>trackPackageRemoved</c>: a package evicted for room raises it to that package's fee rate plus
/// the incremental relay fee rate, so whoever evicted must pay clearly more to evict again, and what
/// was just evicted cannot come back as soon as a block frees room. It stays up until a block has
/// been connected since the last rise, then halves every <see cref="HalfLife"/> (shorter while the
/// pool is emptier) and drops to zero once under half the incremental relay fee rate.
/// All in units per 1,000 bytes and integer arithmetic: within a half-life the value goes down in a
/// straight line from the rate at its start to half of it, so it is exact, the same for every
/// sequence of reads, and never rises while it decays. Not thread-safe: the pool holds it under its lock.
/// </summary>
internal sealed class RollingMinimumFee
{
    /// <summary>Bitcoin's <c>ROLLING_FEE_HALFLIFE</c>, for a pool at least half full by bytes.</summary>
    public static readonly TimeSpan HalfLife = TimeSpan.FromHours(12);

    public static readonly TimeSpan HalfLifeUnderHalfFull = TimeSpan.FromHours(6);

    public static readonly TimeSpan HalfLifeUnderQuarterFull = TimeSpan.FromHours(3);

    private readonly long _incrementalPerKb;
    private readonly TimeProvider _clock;

    // The rate at _since (a TimeProvider timestamp): the rate itself until a block comes, then the
    // start of the decay under _halfLife. A change of half-life restarts the decay from the value then.
    private long _rate;
    private long _since;
    private TimeSpan _halfLife;
    private bool _decaying;

    /// <param name="incrementalPerKb">Bitcoin's incremental relay fee rate, units per 1,000 bytes.</param>
    /// <param name="clock">Read through its monotonic timestamp, so a wall clock set back cannot raise the minimum.</param>
    /// <param name="halfLife">The half-life for the pool's fullness now (see <see cref="HalfLifeFor"/>).</param>
    public RollingMinimumFee(long incrementalPerKb, TimeProvider clock, TimeSpan halfLife)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(incrementalPerKb);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(halfLife, TimeSpan.Zero);
        _incrementalPerKb = incrementalPerKb;
        _clock = clock;
        _halfLife = halfLife;
    }

    /// <summary>
    /// Bitcoin's half-lives by fullness: 12 hours, 6 under half full, 3 under a quarter full, by bytes,
    /// so an emptier pool forgets sooner.
    /// </summary>
    public static TimeSpan HalfLifeFor(long bytes, long maxBytes) =>
        bytes * 4 < maxBytes ? HalfLifeUnderQuarterFull : bytes * 2 < maxBytes ? HalfLifeUnderHalfFull : HalfLife;

    /// <summary>
    /// The minimum fee rate now: the rate of the last rise until a block has come; then the decayed
    /// rate, at least the incremental relay fee rate, or zero once under half of it.
    /// </summary>
    public long Current()
    {
        if (!_decaying)
        {
            return _rate;
        }

        var decayed = Decayed(_clock.GetTimestamp());
        return (Int128)decayed * 2 < _incrementalPerKb ? 0 : Math.Max(decayed, _incrementalPerKb);
    }

    /// <summary>
    /// A package paying <paramref name="fees"/> for <paramref name="size"/> bytes was evicted for room:
    /// the minimum rises to its fee rate plus the incremental relay fee rate, if that is higher, and
    /// stays there until a block comes.
    /// </summary>
    public void PackageEvicted(long fees, long size)
    {
        var now = _clock.GetTimestamp();
        var perKb = (Int128)Math.Max(0, fees) * 1000 / Math.Max(1, size) + _incrementalPerKb;
        var raised = perKb > long.MaxValue ? long.MaxValue : (long)perKb;
        if (raised > Decayed(now))
        {
            _rate = raised;
            _since = now;
            _decaying = false;
        }
    }

    /// <summary>A block was connected: a minimum that has not decayed since its last rise starts to now.</summary>
    public void BlockConnected()
    {
        if (!_decaying)
        {
            _decaying = true;
            _since = _clock.GetTimestamp();
        }
    }

    /// <summary>
    /// The pool's fullness now calls for <paramref name="halfLife"/>: what decayed so far under the old
    /// one is kept, and the decay goes on from there under the new one.
    /// </summary>
    public void SetHalfLife(TimeSpan halfLife)
    {
        if (halfLife == _halfLife)
        {
            return;
        }

        if (_decaying)
        {
            var now = _clock.GetTimestamp();
            _rate = Decayed(now);
            _since = now;
        }

        _halfLife = halfLife;
    }

    /// <summary>
    /// <see cref="_rate"/> halved once per whole half-life elapsed since <see cref="_since"/>, then
    /// lowered in proportion to the part of the next half-life elapsed, towards half of it.
    /// </summary>
    private long Decayed(long now)
    {
        if (!_decaying || _rate == 0 || now <= _since)
        {
            return _rate;
        }

        var elapsed = (Int128)(now - _since) * TimeSpan.TicksPerSecond / _clock.TimestampFrequency;
        var halfLife = (Int128)_halfLife.Ticks;
        var halvings = elapsed / halfLife;
        if (halvings >= 63)
        {
            return 0;
        }

        var start = _rate >> (int)halvings;
        var within = elapsed % halfLife;
        return start - (long)(start * within / (2 * halfLife));
    }
}
