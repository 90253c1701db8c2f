using System.Collections.Immutable;
using ChainCore.Core.Serialization;

namespace ChainCore.Core.Primitives;

/// <summary>
/// A transaction with one canonical serialization:
/// version (int32) · input count · inputs (txid, index, signature, public key) · output count ·
/// outputs (int64 units, 20-byte key hash) · lock time (uint32). txid = SHA256d(serialization).
/// </summary>
public sealed class Transaction : IEquatable<Transaction>
{
    public const int CurrentVersion = 1;

    // Smallest encodings, used to bound counts read from untrusted bytes.
    private const int MinInputSize = 32 + 4 + 1 + 1;
    private const int MinOutputSize = 8 + TxOut.PublicKeyHashSize;

    private readonly Lazy<byte[]> _serialized;
    private readonly Lazy<Hash256> _txId;

    public Transaction(int version, ImmutableArray<TxIn> inputs, ImmutableArray<TxOut> outputs, uint lockTime)
    {
        Version = version;
        Inputs = inputs.IsDefault ? [] : inputs;
        Outputs = outputs.IsDefault ? [] : outputs;
        LockTime = lockTime;
        _serialized = new Lazy<byte[]>(() => Write(includeSignatures: true).ToArray());
        _txId = new Lazy<Hash256>(() => Hash256.Compute(_serialized.Value));
    }

    public Transaction(ImmutableArray<TxIn> inputs, ImmutableArray<TxOut> outputs)
        : this(CurrentVersion, inputs, outputs, 0)
    {
    }

    public int Version { get; }

    public ImmutableArray<TxIn> Inputs { get; }

    public ImmutableArray<TxOut> Outputs { get; }

    public uint LockTime { get; }

    public Hash256 TxId => _txId.Value;

    public bool IsCoinbase => Inputs.Length == 1 && Inputs[0].PreviousOutput.IsNull;

    public int SerializedSize => _serialized.Value.Length;

    public byte[] Serialize() => (byte[])_serialized.Value.Clone();

    public ReadOnlySpan<byte> SerializedSpan => _serialized.Value;

    public void WriteTo(ProtocolWriter writer) => writer.WriteBytes(_serialized.Value);

    /// <summary>Total of the outputs; throws <see cref="OverflowException"/> if the sum overflows.</summary>
    public Amount TotalOutput()
    {
        var total = Amount.Zero;
        foreach (var output in Outputs)
        {
            total += output.Value;
        }

        return total;
    }

    /// <summary>
    /// The hash input <paramref name="inputIndex"/> signs: SHA256d(the transaction with every signature
    /// field empty ‖ input index as uint32 LE). It commits to every input and output.
    /// </summary>
    public Hash256 SignatureHash(int inputIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(inputIndex, Inputs.Length);
        var writer = Write(includeSignatures: false);
        writer.WriteUInt32((uint)inputIndex);
        return Hash256.Compute(writer.WrittenSpan);
    }

    public Transaction WithInputs(ImmutableArray<TxIn> inputs) => new(Version, inputs, Outputs, LockTime);

    public static Transaction Parse(ReadOnlySpan<byte> data)
    {
        var reader = new ProtocolReader(data);
        var tx = Read(ref reader);
        reader.EnsureEnd();
        return tx;
    }

    public static Transaction ParseHex(string hex) => Parse(Hex.Decode(hex));

    public static Transaction Read(ref ProtocolReader reader)
    {
        var version = reader.ReadInt32();
        var inputCount = reader.ReadCount(MinInputSize);
        var inputs = ImmutableArray.CreateBuilder<TxIn>(inputCount);
        for (var i = 0; i < inputCount; i++)
        {
            var txId = new Hash256(reader.ReadBytes(Hash256.Size));
            var index = reader.ReadUInt32();
            var signature = reader.ReadVarBytes().ToImmutableArray();
            var publicKey = reader.ReadVarBytes().ToImmutableArray();
            inputs.Add(new TxIn(new OutPoint(txId, index), signature, publicKey));
        }

        var outputCount = reader.ReadCount(MinOutputSize);
        var outputs = ImmutableArray.CreateBuilder<TxOut>(outputCount);
        for (var i = 0; i < outputCount; i++)
        {
            var value = new Amount(reader.ReadInt64());
            var keyHash = reader.ReadBytes(TxOut.PublicKeyHashSize).ToImmutableArray();
            outputs.Add(new TxOut(value, keyHash));
        }

        var lockTime = reader.ReadUInt32();
        return new Transaction(version, inputs.MoveToImmutable(), outputs.MoveToImmutable(), lockTime);
    }

    public string ToHex() => Hex.Encode(_serialized.Value);

    private ProtocolWriter Write(bool includeSignatures)
    {
        var writer = new ProtocolWriter(64 + Inputs.Length * 150 + Outputs.Length * 28);
        writer.WriteInt32(Version);
        writer.WriteCompactSize((ulong)Inputs.Length);
        Span<byte> txId = stackalloc byte[Hash256.Size];
        foreach (var input in Inputs)
        {
            input.PreviousOutput.TxId.WriteTo(txId);
            writer.WriteBytes(txId);
            writer.WriteUInt32(input.PreviousOutput.Index);
            writer.WriteVarBytes(includeSignatures ? input.Signature.AsSpan() : []);
            writer.WriteVarBytes(input.PublicKey.AsSpan());
        }

        writer.WriteCompactSize((ulong)Outputs.Length);
        foreach (var output in Outputs)
        {
            writer.WriteInt64(output.Value.Units);
            writer.WriteBytes(output.PublicKeyHash.AsSpan());
        }

        writer.WriteUInt32(LockTime);
        return writer;
    }

    public bool Equals(Transaction? other) => other is not null && TxId == other.TxId;

    public override bool Equals(object? obj) => Equals(obj as Transaction);

    public override int GetHashCode() => TxId.GetHashCode();

    public override string ToString() => $"tx {TxId} ({Inputs.Length} in, {Outputs.Length} out)";
}
