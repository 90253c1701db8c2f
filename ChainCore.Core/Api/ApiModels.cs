namespace ChainCore.Core.Api;

// The node's JSON contract, shared by the node and its typed client. Names are serialized in
// snake_case; amounts are decimal coins with at most 8 places, never floating point.

public sealed record StatusResponse(
    string NodeId,
    string Network,
    int BlockchainLength,
    int TipHeight,
    string TipHash,
    int ActivePeers,
    int MempoolSize,
    double Difficulty,
    string Bits,
    string GenesisHash);

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string>? Checks = null);

public sealed record BlockResponse(
    string Hash,
    int Height,
    int Version,
    string PreviousHash,
    string MerkleRoot,
    uint Time,
    string Bits,
    uint Nonce,
    int Size,
    int TransactionCount,
    int Confirmations,
    IReadOnlyList<TransactionResponse>? Transactions,
    string? Hex);

public sealed record BlockListResponse(IReadOnlyList<BlockResponse> Blocks, int Start, int Limit, int TipHeight);

public sealed record TransactionInputResponse(string PreviousTxId, uint PreviousIndex, string Signature, string PublicKey, string? Address, bool Coinbase);

public sealed record TransactionOutputResponse(int Index, decimal Value, string Address);

public sealed record TransactionResponse(
    string TxId,
    int Version,
    IReadOnlyList<TransactionInputResponse> Inputs,
    IReadOnlyList<TransactionOutputResponse> Outputs,
    uint LockTime,
    int Size,
    bool Coinbase,
    string? BlockHash,
    int? BlockHeight,
    int Confirmations,
    bool InMempool,
    string Hex);

/// <summary>A transaction to submit: raw hex, or its fields.</summary>
public sealed record SubmitTransactionRequest(
    string? Hex,
    int? Version = null,
    IReadOnlyList<SubmitInput>? Inputs = null,
    IReadOnlyList<SubmitOutput>? Outputs = null,
    uint? LockTime = null);

public sealed record SubmitInput(string Txid, uint Index, string Signature, string PublicKey);

public sealed record SubmitOutput(string Address, decimal Amount);

public sealed record SubmitTransactionResponse(string TxId, bool Accepted);

public sealed record BalanceResponse(string Address, decimal Confirmed, decimal Pending, decimal Total);

public sealed record UtxoResponse(string TxId, uint Index, decimal Value, int? Height, bool Coinbase, bool Confirmed);

public sealed record AddressUtxosResponse(string Address, IReadOnlyList<UtxoResponse> Utxos);

public sealed record AddressTransactionResponse(string TxId, string? BlockHash, int? BlockHeight, decimal Received, decimal Spent, bool Confirmed);

public sealed record AddressHistoryResponse(string Address, IReadOnlyList<AddressTransactionResponse> Transactions);

public sealed record MempoolEntryResponse(string TxId, int Size, decimal Fee, long FeeRatePerKb, DateTimeOffset Received);

public sealed record MempoolResponse(int Count, int Bytes, IReadOnlyList<MempoolEntryResponse> Transactions);

public sealed record TemplateTransaction(string TxId, string Hex, decimal Fee);

/// <summary>
/// Everything a miner needs: the block skeleton (coinbase paying the requested address, nonce 0)
/// and the fields to rebuild the coinbase when it rolls the extra nonce.
/// </summary>
public sealed record MiningTemplateResponse(
    int Height,
    string PreviousBlockHash,
    int Version,
    uint Time,
    uint MinTime,
    string Bits,
    string Target,
    decimal CoinbaseValue,
    string PayoutAddress,
    IReadOnlyList<TemplateTransaction> Transactions,
    string BlockHex);

public sealed record SubmitBlockRequest(string Hex);

public sealed record SubmitBlockResponse(string Hash, int Height, bool Accepted, bool BecameTip);

public sealed record MineBlockRequest(string MinerAddress);

public sealed record MineBlockResponse(string Hash, int Height, int Transactions, uint Nonce);
