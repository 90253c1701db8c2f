using System.Collections.Immutable;

namespace ChainCore.Core.Primitives;

/// <summary>An output: an amount locked to the hash160 of a public key (pay-to-public-key-hash).</summary>
public sealed record TxOut
{
    public const int PublicKeyHashSize = 20;

    public TxOut(Amount value, ImmutableArray<byte> publicKeyHash)
    {
        if (publicKeyHash.IsDefault || publicKeyHash.Length != PublicKeyHashSize)
        {
            throw new ArgumentException($"A public key hash is {PublicKeyHashSize} bytes.", nameof(publicKeyHash));
        }

        Value = value;
        PublicKeyHash = publicKeyHash;
    }

    public Amount Value { get; }

    public ImmutableArray<byte> PublicKeyHash { get; }

    public bool Equals(TxOut? other) =>
        other is not null && Value == other.Value && PublicKeyHash.AsSpan().SequenceEqual(other.PublicKeyHash.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Value, PublicKeyHash[0], PublicKeyHash[19]);
}
