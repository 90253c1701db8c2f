namespace ChainCore.Core.Consensus;

/// <summary>
/// Stable reasons for refusing a transaction or a block. The API returns them as the problem
/// details' <c>code</c>; tests and clients may rely on them.
/// </summary>
public static class RejectCodes
{
    // Any input that cannot be decoded or is structurally impossible.
    public const string Malformed = "malformed";

    // Transaction, context-free.
    public const string NoInputs = "no-inputs";
    public const string NoOutputs = "no-outputs";
    public const string TxOversize = "tx-oversize";
    public const string OutputNegative = "output-negative";
    public const string OutputNotPositive = "output-not-positive"; // mempool policy: consensus allows a zero output
    public const string OutputTooLarge = "output-too-large";
    public const string OutputsOverflow = "outputs-overflow";
    public const string DuplicateInputs = "duplicate-inputs";
    public const string BadCoinbaseLength = "bad-coinbase-length";
    public const string NullInput = "null-input";
    public const string UncompressedPublicKey = "pubkey-uncompressed";
    public const string UnexpectedCoinbase = "unexpected-coinbase";

    // Transaction, against the UTXO set.
    public const string MissingInputs = "missing-inputs";
    public const string DoubleSpend = "double-spend";
    public const string ImmatureCoinbase = "immature-coinbase";
    public const string PublicKeyMismatch = "pubkey-mismatch";
    public const string BadSignature = "bad-signature";
    public const string InputsBelowOutputs = "inputs-below-outputs";
    public const string InputsOverflow = "inputs-overflow";

    // Mempool policy.
    public const string FeeTooLow = "fee-too-low";
    public const string MempoolFull = "mempool-full";
    public const string MempoolMinFeeNotMet = "mempool-min-fee-not-met"; // under the rolling minimum a full mempool's evictions raise
    public const string AlreadyKnown = "already-known";
    public const string TxSize = "tx-size";
    public const string TooLongMempoolChain = "too-long-mempool-chain";

    // Block.
    public const string BadPow = "bad-pow";
    public const string BadDifficultyBits = "bad-diffbits";
    public const string BadMerkleRoot = "bad-merkle-root";
    public const string MutatedMerkle = "mutated-merkle";
    public const string DuplicateTransactions = "duplicate-transactions";
    public const string BlockOversize = "bad-block-size";
    public const string NoCoinbase = "no-coinbase";
    public const string MultipleCoinbase = "multiple-coinbase";
    public const string BadCoinbaseHeight = "bad-coinbase-height";
    public const string BadCoinbaseAmount = "bad-coinbase-amount";
    public const string TimeTooOld = "time-too-old";
    public const string TimeTooNew = "time-too-new";
    public const string BadPrevBlock = "bad-prev-block";
    public const string DuplicateBlock = "duplicate-block";
    public const string LowWork = "low-work"; // a block nobody asked for, without more work than the tip: not stored
    public const string InvalidAddress = "invalid-address";
}
