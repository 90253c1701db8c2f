using System.ComponentModel;
using System.Text.Json.Serialization;

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
[Description("A signed transaction: either 'hex' (its serialization) or its fields ('inputs' and 'outputs', optional 'version' and 'lock_time').")]
public sealed record SubmitTransactionRequest(
    [property: Description("The signed transaction's serialization in hex. Give this or the fields, not both.")] string? Hex,
    [property: Description("Transaction version; 1 when omitted.")] int? Version = null,
    [property: Description("The outputs spent, each with its signature and the spender's compressed public key.")] IReadOnlyList<SubmitInput>? Inputs = null,
    [property: Description("The outputs created.")] IReadOnlyList<SubmitOutput>? Outputs = null,
    [property: Description("Lock time; 0 when omitted.")] uint? LockTime = null);

[Description("An input: the output it spends, a strict-DER low-S signature and a compressed (33-byte) public key.")]
public sealed record SubmitInput(
    [property: JsonRequired, Description("Id of the transaction whose output is spent (64 hex digits).")] string Txid,
    [property: JsonRequired, Description("Index of the spent output in that transaction.")] uint Index,
    [property: JsonRequired, Description("DER signature in hex.")] string Signature,
    [property: JsonRequired, Description("Compressed SEC1 public key in hex (33 bytes).")] string PublicKey);

[Description("An output: an address and an amount in decimal coins.")]
public sealed record SubmitOutput(
    [property: JsonRequired, Description("P2PKH address (Base58Check, starting with 1).")] string Address,
    [property: JsonRequired, Description("Decimal coins, 0 to 21,000,000, at most 8 decimal places.")] decimal Amount);

public sealed record SubmitTransactionResponse(string TxId, bool Accepted);

/// <summary>
/// An address's money as of <see cref="TipHeight"/>, in coins.
/// <c>confirmed</c>: outputs in the chain that a transaction may spend now (immature coinbase outputs excluded);
/// <c>immature</c>: coinbase outputs in the chain not spendable yet (each UTXO says from which height);
/// <c>pending_incoming</c> / <c>pending_outgoing</c>: what mempool transactions pay to / take from the address;
/// <c>pending</c>: incoming minus outgoing; <c>total</c>: confirmed + pending, what the address can spend
/// once its mempool transactions confirm (immature not included).
/// </summary>
public sealed record BalanceResponse(
    string Address,
    decimal Confirmed,
    decimal Pending,
    decimal Total,
    decimal Immature = 0m,
    decimal PendingIncoming = 0m,
    decimal PendingOutgoing = 0m,
    int TipHeight = 0);

/// <summary>
/// An unspent output of an address. <c>confirmed</c>: in the chain (else in the mempool). For a coinbase,
/// <c>mature_at_height</c> is the tip height from which it may be spent (its height + maturity − 1, since a
/// spend then goes in the next block); <c>spendable</c> says whether a transaction may spend it now.
/// </summary>
public sealed record UtxoResponse(string TxId, uint Index, decimal Value, int? Height, bool Coinbase, bool Confirmed, int? MatureAtHeight = null, bool Spendable = true);

/// <summary>An address's unspent outputs as of <see cref="TipHeight"/>; outputs that mempool transactions already spend are left out.</summary>
public sealed record AddressUtxosResponse(string Address, IReadOnlyList<UtxoResponse> Utxos, int TipHeight = 0);

public sealed record AddressTransactionResponse(string TxId, string? BlockHash, int? BlockHeight, decimal Received, decimal Spent, bool Confirmed);

public sealed record AddressHistoryResponse(string Address, IReadOnlyList<AddressTransactionResponse> Transactions);

public sealed record MempoolEntryResponse(string TxId, int Size, decimal Fee, long FeeRatePerKb, DateTimeOffset Received);

/// <summary>
/// The pooled transactions; <see cref="MinFeePerKb"/> is the fee rate a transaction needs to enter now
/// (units per 1,000 bytes): the minimum relay fee rate, or the higher rolling minimum that follows an
/// eviction for room, as Bitcoin's <c>mempoolminfee</c>.
/// </summary>
public sealed record MempoolResponse(int Count, int Bytes, long MinFeePerKb, long MinRelayFeePerKb, IReadOnlyList<MempoolEntryResponse> Transactions);

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

[Description("A solved block to submit.")]
public sealed record SubmitBlockRequest(
    [property: JsonRequired, Description("The block's serialization in hex (header and transactions).")] string Hex);

public sealed record SubmitBlockResponse(string Hash, int Height, bool Accepted, bool BecameTip);

public sealed record MinerStatsResponse(string MinerAddress, int Blocks, decimal Rewards, int LastHeight);

public sealed record MinedBlockResponse(string Hash, int Height, string MinerAddress, decimal Reward, DateTimeOffset MinedAt);

/// <summary>Blocks found per miner address (the node's <c>mining_stats</c>), and the latest ones.</summary>
public sealed record MiningStatsResponse(int TotalBlocks, IReadOnlyList<MinerStatsResponse> Miners, IReadOnlyList<MinedBlockResponse> Recent);

[Description("Regtest and devnet: the node mines one block on its tip.")]
public sealed record MineBlockRequest(
    [property: JsonRequired, Description("P2PKH address the block's coinbase pays (Base58Check, starting with 1).")] string MinerAddress);

public sealed record MineBlockResponse(string Hash, int Height, int Transactions, uint Nonce);
