namespace ChainCore.Node.Network;

/// <summary>
/// The addresses this node knows of other nodes (Bitcoin Core's AddrMan, simplified): a bounded
/// <em>new</em> table of addresses heard of, with at most <see cref="MaxPerSource"/> from any one
/// source, and a bounded <em>tried</em> table of addresses this node connected to. Only tried
/// addresses are given to peers. An address that keeps failing is dropped (from new after
/// <see cref="MaxNewFailures"/> failures, from tried after <see cref="MaxTriedFailures"/>); a full
/// table drops its worst entry. Addresses that are not routable (loopback, private, link-local,
/// names) are learned from strangers only where <paramref name="allowPrivate"/> says so. All of it
/// in memory under one lock: a few thousand entries at most.
/// </summary>
public sealed class AddressBook(TimeProvider clock, bool allowPrivate, int maxNew = 1_024, int maxTried = 256, int maxPerSource = 64)
{
    public const int MaxNewFailures = 3;
    public const int MaxTriedFailures = 10;

    private readonly Lock _sync = new();
    private readonly Dictionary<PeerAddress, Entry> _entries = [];

    public int MaxPerSource => maxPerSource;

    public bool AllowsPrivate => allowPrivate;

    public int NewCount
    {
        get
        {
            lock (_sync)
            {
                return _entries.Values.Count(e => !e.Tried);
            }
        }
    }

    public int TriedCount
    {
        get
        {
            lock (_sync)
            {
                return _entries.Values.Count(e => e.Tried);
            }
        }
    }

    /// <summary>Whether a stranger may make this node learn (and later call) <paramref name="address"/>.</summary>
    public bool MayLearn(PeerAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return allowPrivate || address.IsRoutable;
    }

    /// <summary>Adds an address heard from <paramref name="sourceGroup"/> to the new table; false when it is known, not allowed or its source has given enough.</summary>
    public bool Add(PeerAddress address, string sourceGroup)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!MayLearn(address))
        {
            return false;
        }

        lock (_sync)
        {
            if (_entries.ContainsKey(address) || _entries.Values.Count(e => !e.Tried && e.Source == sourceGroup) >= maxPerSource)
            {
                return false;
            }

            if (_entries.Values.Count(e => !e.Tried) >= maxNew)
            {
                _entries.Remove(Worst(tried: false).Address);
            }

            _entries[address] = new Entry(address, sourceGroup, clock.GetUtcNow());
            return true;
        }
    }

    /// <summary>This node connected to <paramref name="address"/>: it moves to (or stays in) the tried table.</summary>
    public void Good(PeerAddress address) => Good(address, clock.GetUtcNow());

    /// <summary>Puts a stored address back in the tried table at start.</summary>
    public void Good(PeerAddress address, DateTimeOffset when)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_sync)
        {
            if (!_entries.TryGetValue(address, out var entry))
            {
                entry = new Entry(address, address.Group, when);
                _entries[address] = entry;
            }

            if (!entry.Tried && _entries.Values.Count(e => e.Tried) >= maxTried)
            {
                _entries.Remove(Worst(tried: true).Address);
            }

            entry.Tried = true;
            entry.Failures = 0;
            entry.LastSuccess = when;
        }
    }

    /// <summary>A connection attempt starts: it is not tried again before its back-off ends.</summary>
    public void Attempt(PeerAddress address)
    {
        lock (_sync)
        {
            if (_entries.TryGetValue(address, out var entry))
            {
                entry.LastAttempt = clock.GetUtcNow();
            }
        }
    }

    /// <summary>A connection attempt failed; true when the address was dropped for failing too often.</summary>
    public bool Failed(PeerAddress address)
    {
        lock (_sync)
        {
            if (!_entries.TryGetValue(address, out var entry))
            {
                return false;
            }

            entry.Failures++;
            entry.LastAttempt = clock.GetUtcNow();
            if (entry.Failures >= (entry.Tried ? MaxTriedFailures : MaxNewFailures))
            {
                _entries.Remove(address);
                return true;
            }

            return false;
        }
    }

    public bool Contains(PeerAddress address)
    {
        lock (_sync)
        {
            return _entries.ContainsKey(address);
        }
    }

    public bool IsTried(PeerAddress address)
    {
        lock (_sync)
        {
            return _entries.TryGetValue(address, out var entry) && entry.Tried;
        }
    }

    /// <summary>
    /// Addresses to connect to now, tried ones first (most recently good first), then new ones (fewest
    /// failures first); an address whose back-off (1 minute, doubling per failure, at most 1 hour) has
    /// not ended is left out.
    /// </summary>
    public IReadOnlyList<PeerAddress> Candidates(int count, Func<PeerAddress, bool> exclude)
    {
        ArgumentNullException.ThrowIfNull(exclude);
        var now = clock.GetUtcNow();
        lock (_sync)
        {
            return [.. _entries.Values
                .Where(e => e.LastAttempt is not { } last || now - last >= Backoff(e.Failures))
                .Where(e => !exclude(e.Address))
                .OrderByDescending(e => e.Tried)
                .ThenBy(e => e.Failures)
                .ThenByDescending(e => e.LastSuccess ?? DateTimeOffset.MinValue)
                .ThenBy(e => e.Address.Value, StringComparer.Ordinal)
                .Take(count)
                .Select(e => e.Address)];
        }
    }

    /// <summary>Tried addresses, most recently good first: what this node tells peers.</summary>
    public IReadOnlyList<PeerAddress> Tried(int max)
    {
        lock (_sync)
        {
            return [.. _entries.Values.Where(e => e.Tried).OrderByDescending(e => e.LastSuccess).ThenBy(e => e.Address.Value, StringComparer.Ordinal).Take(max).Select(e => e.Address)];
        }
    }

    private static TimeSpan Backoff(int failures) =>
        failures == 0 ? TimeSpan.FromMinutes(1) : TimeSpan.FromMinutes(Math.Min(60, 1 << Math.Min(failures, 6)));

    /// <summary>The entry a full table gives up first: most failures, then the longest without success.</summary>
    private Entry Worst(bool tried) =>
        _entries.Values.Where(e => e.Tried == tried)
            .OrderByDescending(e => e.Failures)
            .ThenBy(e => e.LastSuccess ?? DateTimeOffset.MinValue)
            .ThenBy(e => e.Added)
            .First();

    private sealed class Entry(PeerAddress address, string source, DateTimeOffset added)
    {
        public PeerAddress Address { get; } = address;

        public string Source { get; } = source;

        public DateTimeOffset Added { get; } = added;

        public bool Tried { get; set; }

        public int Failures { get; set; }

        public DateTimeOffset? LastAttempt { get; set; }

        public DateTimeOffset? LastSuccess { get; set; }
    }
}
