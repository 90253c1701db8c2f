using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Consensus;

/// <summary>Transaction rules, each returning one stable reason (after Bitcoin's <c>CheckTransaction</c> and <c>CheckTxInputs</c>).</summary>
public static class TransactionValidator
{
    /// <summary>Context-free rules: shape, sizes, amounts, duplicate inputs, coinbase data.</summary>
    public static ValidationResult CheckTransaction(Transaction tx, ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (tx.Inputs.IsEmpty)
        {
            return ValidationResult.Invalid(RejectCodes.NoInputs, "The transaction has no inputs.");
        }

        if (tx.Outputs.IsEmpty)
        {
            return ValidationResult.Invalid(RejectCodes.NoOutputs, "The transaction has no outputs.");
        }

        if (tx.SerializedSize > p.MaxBlockSize)
        {
            return ValidationResult.Invalid(RejectCodes.TxOversize, $"The transaction is {tx.SerializedSize} bytes; a block holds at most {p.MaxBlockSize}.");
        }

        var total = 0L;
        foreach (var output in tx.Outputs)
        {
            // Consensus allows a zero output (a coinbase once the subsidy is gone and a block has no
            // fees must pay 0); "greater than zero" is mempool policy for ordinary transactions.
            if (output.Value.Units < 0)
            {
                return ValidationResult.Invalid(RejectCodes.OutputNegative, $"Output value {output.Value} is negative.");
            }

            if (output.Value > Amount.MaxMoney)
            {
                return ValidationResult.Invalid(RejectCodes.OutputTooLarge, $"Output value {output.Value} exceeds the maximum money.");
            }

            total += output.Value.Units;
            if (total > Amount.MaxMoney.Units)
            {
                return ValidationResult.Invalid(RejectCodes.OutputsOverflow, "The outputs add up to more than the maximum money.");
            }
        }

        var seen = new HashSet<OutPoint>();
        foreach (var input in tx.Inputs)
        {
            if (!seen.Add(input.PreviousOutput))
            {
                return ValidationResult.Invalid(RejectCodes.DuplicateInputs, $"Output {input.PreviousOutput} is spent twice.");
            }
        }

        if (tx.IsCoinbase)
        {
            var data = tx.Inputs[0].Signature.Length;
            return data is < Coinbase.MinDataSize or > Coinbase.MaxDataSize
                ? ValidationResult.Invalid(RejectCodes.BadCoinbaseLength, $"Coinbase data is {data} bytes; it must be {Coinbase.MinDataSize} to {Coinbase.MaxDataSize}.")
                : ValidationResult.Ok;
        }

        foreach (var input in tx.Inputs)
        {
            if (input.PreviousOutput.IsNull)
            {
                return ValidationResult.Invalid(RejectCodes.NullInput, "Only a coinbase may spend the null outpoint.");
            }

            if (input.PublicKey.Length == PublicKey.UncompressedSize)
            {
                return ValidationResult.Invalid(RejectCodes.UncompressedPublicKey,
                    $"Input {input.PreviousOutput} carries an uncompressed public key ({PublicKey.UncompressedSize} bytes); only compressed keys ({PublicKey.CompressedSize} bytes) are allowed.");
            }

            if (input.PublicKey.Length != PublicKey.CompressedSize || input.Signature.Length is 0 or > DerSignature.MaxSize)
            {
                return ValidationResult.Invalid(RejectCodes.Malformed, $"Input {input.PreviousOutput} has a malformed public key or signature field.");
            }
        }

        return ValidationResult.Ok;
    }

    /// <summary>
    /// Rules against the UTXO set: inputs exist, coinbases are mature, each public key hashes to the
    /// spent output's key hash, inputs cover outputs; then the signatures (the costly part, last),
    /// through <paramref name="signatures"/> — the node's, whose cache this fills — or, by default,
    /// a verifier without a cache.
    /// </summary>
    public static ValidationResult CheckInputs(Transaction tx, IUtxoView view, int spendHeight, ConsensusParams p, out Amount fee, SignatureVerifier? signatures = null)
    {
        var result = CheckInputsExceptSignatures(tx, view, spendHeight, p, out fee);
        return result.IsValid ? (signatures ?? SignatureVerifier.Default).CheckTransaction(tx) : result;
    }

    public static ValidationResult CheckInputsExceptSignatures(Transaction tx, IUtxoView view, int spendHeight, ConsensusParams p, out Amount fee)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(view);
        fee = Amount.Zero;
        var total = 0L;
        foreach (var input in tx.Inputs)
        {
            var coin = view.GetCoin(input.PreviousOutput);
            if (coin is null)
            {
                return ValidationResult.MissingInputs(RejectCodes.MissingInputs, $"Output {input.PreviousOutput} does not exist or is already spent.");
            }

            if (coin.IsCoinbase && spendHeight - coin.Height < p.CoinbaseMaturity)
            {
                return ValidationResult.Premature(RejectCodes.ImmatureCoinbase,
                    $"Coinbase output {input.PreviousOutput} from height {coin.Height} needs {p.CoinbaseMaturity} confirmations; spending at {spendHeight} gives {spendHeight - coin.Height}.");
            }

            if (!Hashes.Hash160(input.PublicKey.AsSpan()).AsSpan().SequenceEqual(coin.Output.PublicKeyHash.AsSpan()))
            {
                return ValidationResult.Invalid(RejectCodes.PublicKeyMismatch, $"The public key of input {input.PreviousOutput} does not hash to the output's address.");
            }

            total += coin.Output.Value.Units;
            if (!coin.Output.Value.IsInMoneyRange || total > Amount.MaxMoney.Units)
            {
                return ValidationResult.Invalid(RejectCodes.InputsOverflow, "The inputs add up to more than the maximum money.");
            }
        }

        var outputs = tx.TotalOutput();
        if (total < outputs.Units)
        {
            return ValidationResult.Invalid(RejectCodes.InputsBelowOutputs, $"Inputs {new Amount(total)} are less than outputs {outputs}.");
        }

        fee = new Amount(total - outputs.Units);
        return ValidationResult.Ok;
    }

    /// <summary>One input's signature over <see cref="Transaction.SignatureHash"/>, by the key it carries.</summary>
    public static ValidationResult CheckSignature(Transaction tx, int inputIndex)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var input = tx.Inputs[inputIndex];
        if (!PublicKey.TryFromBytes(input.PublicKey.AsSpan(), out var key))
        {
            return ValidationResult.Invalid(RejectCodes.BadSignature, $"Input {inputIndex} carries a public key that is not a point on secp256k1.");
        }

        Span<byte> hash = stackalloc byte[32];
        tx.SignatureHash(inputIndex).WriteTo(hash);
        return key!.Verify(hash, input.Signature.AsSpan())
            ? ValidationResult.Ok
            : ValidationResult.Invalid(RejectCodes.BadSignature, $"The signature of input {inputIndex} does not verify.");
    }
}
