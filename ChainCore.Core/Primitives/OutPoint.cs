namespace ChainCore.Core.Primitives;

/// <summary>A reference to one output of a transaction.</summary>
public readonly record struct OutPoint(Hash256 TxId, uint Index)
{
    /// <summary>The outpoint a coinbase input refers to: no transaction, index 0xFFFFFFFF.</summary>
    public static OutPoint Null => new(Hash256.Zero, uint.MaxValue);

    public bool IsNull => TxId.IsZero && Index == uint.MaxValue;

    public override string ToString() => $"{TxId}:{Index}";
}
