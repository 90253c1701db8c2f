namespace ChainCore.Node.Dashboard;

// What the dashboard reads that the rest of the API does not give in one call. Serialized in
// snake_case like every answer of the node.

/// <summary>The mempool in three figures: transactions, their bytes, and the fee rate a transaction needs to enter now.</summary>
public sealed record MempoolSummary(int Count, int Bytes, long MinFeePerKb);

/// <summary>One block of the recent chain, for the charts: its time, the seconds since its parent, its difficulty.</summary>
public sealed record RecentBlock(int Height, string Hash, uint Time, long? IntervalSeconds, double Difficulty);

/// <summary>
/// The node at a glance. <see cref="HashRate"/> is the network's hash rate estimated from the work
/// of the last <see cref="HashRateBlocks"/> blocks over the time they took (Bitcoin's getnetworkhashps):
/// 0 when they share one timestamp.
/// </summary>
public sealed record DashboardOverview(
    string NodeId,
    string Network,
    int TipHeight,
    string TipHash,
    uint TipTime,
    double Difficulty,
    string Bits,
    double HashRate,
    int HashRateBlocks,
    int ActivePeers,
    MempoolSummary Mempool,
    IReadOnlyList<RecentBlock> Recent);

/// <summary>One thing a search found: a block (by height or hash), a transaction or an address; <c>Id</c> is what its page is named by.</summary>
public sealed record SearchResult(string Kind, string Id, int? Height = null);

public sealed record SearchResponse(string Query, IReadOnlyList<SearchResult> Results);

/// <summary>The tip as a stream event carries it, with the mempool after the change.</summary>
public sealed record TipEvent(int Height, string Hash, string PreviousHash, uint Time, MempoolSummary Mempool);

/// <summary>The mempool's figures after a batch of changes: how many transactions entered and left since the last event.</summary>
public sealed record MempoolEvent(int Accepted, int Removed, MempoolSummary Mempool);
