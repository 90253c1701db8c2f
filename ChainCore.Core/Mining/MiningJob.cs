using System.Buffers.Binary;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using static ChainCore.Core.Mining.Sha256Constants;

namespace ChainCore.Core.Mining;

/// <summary>
/// A block header prepared for the nonce search. The first 64 bytes of the header do not depend on
/// the nonce, so their SHA-256 compression (the midstate) is done once here; each nonce then costs
/// one compression of the header's last 16 bytes and one of the 32-byte first hash. The first three
/// rounds of that block and the nonce-free words of its message schedule are precomputed too.
/// </summary>
public sealed class MiningJob
{
    internal const uint Padding = 0x80000000;

    // Bit lengths in the padding of the two hashed messages: the 80-byte header and the 32-byte first hash.
    internal const uint HeaderBits = BlockHeader.Size * 8;
    internal const uint HashBits = Hash256.Size * 8;

    private readonly uint[] _midstate = new uint[8];
    private readonly uint[] _afterRound2 = new uint[8];

    public MiningJob(BlockHeader header, PowTarget target)
    {
        Header = header with { Nonce = 0 };
        Target = target;
        TargetTopWord = target.TopWord;

        Span<byte> bytes = stackalloc byte[BlockHeader.Size];
        Header.WriteTo(bytes);
        Span<uint> block = stackalloc uint[16];
        for (var i = 0; i < 16; i++)
        {
            block[i] = BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 * i)..]);
        }

        InitialState.CopyTo(_midstate);
        Compress(_midstate, block);

        W0 = BinaryPrimitives.ReadUInt32BigEndian(bytes[64..]);
        W1 = BinaryPrimitives.ReadUInt32BigEndian(bytes[68..]);
        W2 = BinaryPrimitives.ReadUInt32BigEndian(bytes[72..]);

        _midstate.CopyTo(_afterRound2, 0);
        Round(_afterRound2, K[0], W0);
        Round(_afterRound2, K[1], W1);
        Round(_afterRound2, K[2], W2);

        // Words of the second block's schedule that do not depend on the nonce word W3
        // (W4 is the padding bit, W5..W14 are zero, W15 is the message length).
        W16 = SmallSigma0(W1) + W0;
        W17 = SmallSigma1(HeaderBits) + SmallSigma0(W2) + W1;
        W18Part = SmallSigma1(W16) + W2;
        W19Part = SmallSigma1(W17) + SmallSigma0(Padding);
        W30Part = SmallSigma0(HeaderBits);
        W31Part = SmallSigma0(W16) + HeaderBits;
        W32Part = SmallSigma0(W17) + W16;
    }

    /// <summary>The header searched, nonce zero.</summary>
    public BlockHeader Header { get; }

    public PowTarget Target { get; }

    /// <summary>The target's top 32 bits: the kernels' cheap filter before an exact check.</summary>
    public uint TargetTopWord { get; }

    internal ReadOnlySpan<uint> Midstate => _midstate;

    internal ReadOnlySpan<uint> AfterRound2 => _afterRound2;

    internal uint W0 { get; }

    internal uint W1 { get; }

    internal uint W2 { get; }

    internal uint W16 { get; }

    internal uint W17 { get; }

    internal uint W18Part { get; }

    internal uint W19Part { get; }

    internal uint W30Part { get; }

    internal uint W31Part { get; }

    internal uint W32Part { get; }

    /// <summary>The block hash with <paramref name="nonce"/>.</summary>
    public Hash256 HashWith(uint nonce)
    {
        Span<byte> bytes = stackalloc byte[BlockHeader.Size];
        Header.WriteTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[76..], nonce);
        Span<byte> hash = stackalloc byte[Hash256.Size];
        Hashes.Sha256d(bytes, hash);
        return new Hash256(hash);
    }

    /// <summary>The exact check of a candidate the kernel's filter let through.</summary>
    public bool IsSolvedBy(uint nonce) => Target.IsMetBy(HashWith(nonce));
}
