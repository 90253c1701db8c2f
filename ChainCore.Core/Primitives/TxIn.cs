using System.Collections.Immutable;

namespace ChainCore.Core.Primitives;

/// <summary>
/// An input: the output it spends, a DER signature and the spender's SEC1 public key.
/// In a coinbase the signature field carries the coinbase data (BIP 34 height, extra nonce)
/// and the public key is empty.
/// </summary>
public sealed record TxIn(OutPoint PreviousOutput, ImmutableArray<byte> Signature, ImmutableArray<byte> PublicKey)
{
    public TxIn WithSignature(ReadOnlySpan<byte> signature) => this with { Signature = [.. signature] };

    public bool Equals(TxIn? other) =>
        other is not null
        && PreviousOutput == other.PreviousOutput
        && Signature.AsSpan().SequenceEqual(other.Signature.AsSpan())
        && PublicKey.AsSpan().SequenceEqual(other.PublicKey.AsSpan());

    public override int GetHashCode() => HashCode.Combine(PreviousOutput, Signature.Length, PublicKey.Length);
}
