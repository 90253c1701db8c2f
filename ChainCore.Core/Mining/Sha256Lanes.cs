using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChainCore.Core.Mining;

/// <summary>
/// The word operations SHA-256 needs, on <typeparamref name="TV"/> holding one 32-bit word per lane.
/// The kernel is written once over this interface; each width is a struct the JIT specializes it for.
/// </summary>
internal interface ISha256Lanes<TV>
    where TV : unmanaged
{
    static abstract int Count { get; }

    static abstract TV Set(uint value);

    static abstract TV Add(TV a, TV b);

    static abstract TV BigSigma0(TV x);

    static abstract TV BigSigma1(TV x);

    static abstract TV SmallSigma0(TV x);

    static abstract TV SmallSigma1(TV x);

    static abstract TV Choose(TV e, TV f, TV g);

    static abstract TV Majority(TV a, TV b, TV c);

    /// <summary>The message word that holds the nonce, for nonces <paramref name="first"/>, first + 1, … in the lanes.</summary>
    static abstract TV NonceWord(uint first);

    /// <summary>Bit i set when lane i's hash word, read as the hash's top 32 bits, is at most <paramref name="limit"/>.</summary>
    static abstract uint LanesNotAbove(TV lastStateWord, uint limit);

    static abstract uint Lane(TV v, int lane);
}

internal readonly struct ScalarLanes : ISha256Lanes<uint>
{
    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Set(uint value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Add(uint a, uint b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint BigSigma0(uint x) => Sha256Constants.BigSigma0(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint BigSigma1(uint x) => Sha256Constants.BigSigma1(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint SmallSigma0(uint x) => Sha256Constants.SmallSigma0(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint SmallSigma1(uint x) => Sha256Constants.SmallSigma1(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Choose(uint e, uint f, uint g) => Sha256Constants.Choose(e, f, g);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Majority(uint a, uint b, uint c) => Sha256Constants.Majority(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint NonceWord(uint first) => BinaryPrimitives.ReverseEndianness(first);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint LanesNotAbove(uint lastStateWord, uint limit) =>
        BinaryPrimitives.ReverseEndianness(lastStateWord) <= limit ? 1u : 0u;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Lane(uint v, int lane) => v;
}

internal readonly struct Vector128Lanes : ISha256Lanes<Vector128<uint>>
{
    public static int Count => Vector128<uint>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Set(uint value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Add(Vector128<uint> a, Vector128<uint> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Ror(Vector128<uint> x, [ConstantExpected] byte n) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, n) : Vector128.ShiftRightLogical(x, n) | Vector128.ShiftLeft(x, 32 - n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Xor3(Vector128<uint> a, Vector128<uint> b, Vector128<uint> c) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(a, b, c, 0x96) : a ^ b ^ c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> BigSigma0(Vector128<uint> x) => Xor3(Ror(x, 2), Ror(x, 13), Ror(x, 22));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> BigSigma1(Vector128<uint> x) => Xor3(Ror(x, 6), Ror(x, 11), Ror(x, 25));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> SmallSigma0(Vector128<uint> x) => Xor3(Ror(x, 7), Ror(x, 18), Vector128.ShiftRightLogical(x, 3));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> SmallSigma1(Vector128<uint> x) => Xor3(Ror(x, 17), Ror(x, 19), Vector128.ShiftRightLogical(x, 10));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Choose(Vector128<uint> e, Vector128<uint> f, Vector128<uint> g) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(e, f, g, 0xCA) : ((f ^ g) & e) ^ g;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Majority(Vector128<uint> a, Vector128<uint> b, Vector128<uint> c) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(a, b, c, 0xE8) : (a & b) | (c & (a | b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> NonceWord(uint first) =>
        Vector128.Shuffle((Vector128.Create(first) + Vector128<uint>.Indices).AsByte(), ByteSwap).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint LanesNotAbove(Vector128<uint> lastStateWord, uint limit) =>
        Vector128.LessThanOrEqual(Vector128.Shuffle(lastStateWord.AsByte(), ByteSwap).AsUInt32(), Vector128.Create(limit)).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Lane(Vector128<uint> v, int lane) => v.GetElement(lane);

    private static Vector128<byte> ByteSwap => Vector128.Create((byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
}

internal readonly struct Vector256Lanes : ISha256Lanes<Vector256<uint>>
{
    public static int Count => Vector256<uint>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Set(uint value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Add(Vector256<uint> a, Vector256<uint> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Ror(Vector256<uint> x, [ConstantExpected] byte n) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.RotateRight(x, n) : Vector256.ShiftRightLogical(x, n) | Vector256.ShiftLeft(x, 32 - n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Xor3(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(a, b, c, 0x96) : a ^ b ^ c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> BigSigma0(Vector256<uint> x) => Xor3(Ror(x, 2), Ror(x, 13), Ror(x, 22));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> BigSigma1(Vector256<uint> x) => Xor3(Ror(x, 6), Ror(x, 11), Ror(x, 25));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> SmallSigma0(Vector256<uint> x) => Xor3(Ror(x, 7), Ror(x, 18), Vector256.ShiftRightLogical(x, 3));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> SmallSigma1(Vector256<uint> x) => Xor3(Ror(x, 17), Ror(x, 19), Vector256.ShiftRightLogical(x, 10));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Choose(Vector256<uint> e, Vector256<uint> f, Vector256<uint> g) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(e, f, g, 0xCA) : ((f ^ g) & e) ^ g;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Majority(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) =>
        Avx512F.VL.IsSupported ? Avx512F.VL.TernaryLogic(a, b, c, 0xE8) : (a & b) | (c & (a | b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> NonceWord(uint first) =>
        Vector256.Shuffle((Vector256.Create(first) + Vector256<uint>.Indices).AsByte(), ByteSwap).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint LanesNotAbove(Vector256<uint> lastStateWord, uint limit) =>
        Vector256.LessThanOrEqual(Vector256.Shuffle(lastStateWord.AsByte(), ByteSwap).AsUInt32(), Vector256.Create(limit)).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Lane(Vector256<uint> v, int lane) => v.GetElement(lane);

    private static Vector256<byte> ByteSwap => Vector256.Create(
        (byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,
        19, 18, 17, 16, 23, 22, 21, 20, 27, 26, 25, 24, 31, 30, 29, 28);
}

internal readonly struct Vector512Lanes : ISha256Lanes<Vector512<uint>>
{
    public static int Count => Vector512<uint>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Set(uint value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Add(Vector512<uint> a, Vector512<uint> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Ror(Vector512<uint> x, [ConstantExpected] byte n) =>
        Avx512F.IsSupported ? Avx512F.RotateRight(x, n) : Vector512.ShiftRightLogical(x, n) | Vector512.ShiftLeft(x, 32 - n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Xor3(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) =>
        Avx512F.IsSupported ? Avx512F.TernaryLogic(a, b, c, 0x96) : a ^ b ^ c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> BigSigma0(Vector512<uint> x) => Xor3(Ror(x, 2), Ror(x, 13), Ror(x, 22));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> BigSigma1(Vector512<uint> x) => Xor3(Ror(x, 6), Ror(x, 11), Ror(x, 25));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> SmallSigma0(Vector512<uint> x) => Xor3(Ror(x, 7), Ror(x, 18), Vector512.ShiftRightLogical(x, 3));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> SmallSigma1(Vector512<uint> x) => Xor3(Ror(x, 17), Ror(x, 19), Vector512.ShiftRightLogical(x, 10));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Choose(Vector512<uint> e, Vector512<uint> f, Vector512<uint> g) =>
        Avx512F.IsSupported ? Avx512F.TernaryLogic(e, f, g, 0xCA) : ((f ^ g) & e) ^ g;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Majority(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) =>
        Avx512F.IsSupported ? Avx512F.TernaryLogic(a, b, c, 0xE8) : (a & b) | (c & (a | b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> NonceWord(uint first) =>
        Vector512.Shuffle((Vector512.Create(first) + Vector512<uint>.Indices).AsByte(), ByteSwap).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint LanesNotAbove(Vector512<uint> lastStateWord, uint limit) =>
        (uint)Vector512.LessThanOrEqual(Vector512.Shuffle(lastStateWord.AsByte(), ByteSwap).AsUInt32(), Vector512.Create(limit)).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Lane(Vector512<uint> v, int lane) => v.GetElement(lane);

    private static Vector512<byte> ByteSwap => Vector512.Create(
        (byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,
        19, 18, 17, 16, 23, 22, 21, 20, 27, 26, 25, 24, 31, 30, 29, 28,
        35, 34, 33, 32, 39, 38, 37, 36, 43, 42, 41, 40, 47, 46, 45, 44,
        51, 50, 49, 48, 55, 54, 53, 52, 59, 58, 57, 56, 63, 62, 61, 60);
}
