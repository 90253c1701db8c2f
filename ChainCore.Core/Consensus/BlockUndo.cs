using System.Collections.Immutable;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;

namespace ChainCore.Core.Consensus;

/// <summary>
/// What disconnecting a block must restore: every coin its transactions spent, in the order the
/// inputs appear (coinbase excluded).
/// </summary>
public sealed record BlockUndo(ImmutableArray<SpentCoin> SpentCoins)
{
    public static BlockUndo Empty { get; } = new(ImmutableArray<SpentCoin>.Empty);

    public byte[] Serialize()
    {
        var writer = new ProtocolWriter(8 + SpentCoins.Length * 70);
        writer.WriteCompactSize((ulong)SpentCoins.Length);
        Span<byte> txId = stackalloc byte[Hash256.Size];
        foreach (var spent in SpentCoins)
        {
            spent.OutPoint.TxId.WriteTo(txId);
            writer.WriteBytes(txId);
            writer.WriteUInt32(spent.OutPoint.Index);
            writer.WriteInt64(spent.Coin.Output.Value.Units);
            writer.WriteBytes(spent.Coin.Output.PublicKeyHash.AsSpan());
            writer.WriteInt32(spent.Coin.Height);
            writer.WriteByte(spent.Coin.IsCoinbase ? (byte)1 : (byte)0);
        }

        return writer.ToArray();
    }

    public static BlockUndo Parse(ReadOnlySpan<byte> data)
    {
        var reader = new ProtocolReader(data);
        var count = reader.ReadCount(minItemSize: 32 + 4 + 8 + 20 + 4 + 1);
        var coins = ImmutableArray.CreateBuilder<SpentCoin>(count);
        for (var i = 0; i < count; i++)
        {
            var outPoint = new OutPoint(new Hash256(reader.ReadBytes(Hash256.Size)), reader.ReadUInt32());
            var output = new TxOut(new Amount(reader.ReadInt64()), reader.ReadBytes(TxOut.PublicKeyHashSize).ToImmutableArray());
            var height = reader.ReadInt32();
            var isCoinbase = reader.ReadByte() switch
            {
                0 => false,
                1 => true,
                _ => throw new FormatException("Bad coinbase flag in undo data."),
            };
            coins.Add(new SpentCoin(outPoint, new Coin(output, height, isCoinbase)));
        }

        reader.EnsureEnd();
        return new BlockUndo(coins.MoveToImmutable());
    }
}

public sealed record SpentCoin(OutPoint OutPoint, Coin Coin);
