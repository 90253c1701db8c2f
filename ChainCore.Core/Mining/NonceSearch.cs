using System.Runtime.Intrinsics;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Mining;

/// <summary>How many nonces a kernel hashes at once: one per 32-bit lane of the vector width.</summary>
public enum KernelWidth
{
    Scalar = 1,
    Vector128 = 4,
    Vector256 = 8,
    Vector512 = 16,
}

/// <summary>
/// The proof-of-work search over a range of nonces, on the widest kernel the CPU runs well (chosen
/// at run time) or on a width a test or benchmark forces. No allocation per nonce.
/// </summary>
public static class NonceSearch
{
    /// <summary>The widest width this CPU accelerates: 16 lanes with AVX-512, 8 with AVX2, 4 with SSE/NEON, else scalar.</summary>
    public static KernelWidth BestWidth { get; } =
        Vector512.IsHardwareAccelerated ? KernelWidth.Vector512
        : Vector256.IsHardwareAccelerated ? KernelWidth.Vector256
        : Vector128.IsHardwareAccelerated ? KernelWidth.Vector128
        : KernelWidth.Scalar;

    /// <summary>Every width this CPU runs in hardware, narrowest first.</summary>
    public static IReadOnlyList<KernelWidth> SupportedWidths { get; } =
        [.. Enum.GetValues<KernelWidth>().Where(IsSupported).Order()];

    public static bool IsSupported(KernelWidth width) => width switch
    {
        KernelWidth.Scalar => true,
        KernelWidth.Vector128 => Vector128.IsHardwareAccelerated,
        KernelWidth.Vector256 => Vector256.IsHardwareAccelerated,
        KernelWidth.Vector512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>
    /// Searches nonces <paramref name="first"/> … first + count − 1 (within 32 bits) for the lowest one
    /// whose block hash meets the job's target.
    /// </summary>
    public static bool TryFind(MiningJob job, uint first, uint count, out uint nonce) => TryFind(job, first, count, BestWidth, out nonce);

    public static bool TryFind(MiningJob job, uint first, uint count, KernelWidth width, out uint nonce)
    {
        ArgumentNullException.ThrowIfNull(job);
        if ((ulong)first + count > 1UL << 32)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "The nonce range runs past 2^32.");
        }

        var lanes = (uint)width;
        var whole = count / lanes * lanes;
        if (whole > 0 && Search(job, first, whole, width, out nonce))
        {
            return true;
        }

        // The few nonces left over from the width's multiple.
        return whole < count
            ? Sha256dKernel.Search<ScalarLanes, uint>(job, first + whole, count - whole, out nonce)
            : (nonce = 0) != 0;
    }

    /// <summary>The block hashes of nonces <paramref name="first"/>, first + 1, … for as many as <paramref name="hashes"/> holds, computed by the <paramref name="width"/> kernel (a multiple of its lanes).</summary>
    public static void ComputeHashes(MiningJob job, uint first, KernelWidth width, Span<Hash256> hashes)
    {
        ArgumentNullException.ThrowIfNull(job);
        var lanes = (int)width;
        if (hashes.Length % lanes != 0)
        {
            throw new ArgumentException($"Give a multiple of {lanes} hashes.", nameof(hashes));
        }

        Span<uint> words = stackalloc uint[8 * 16];
        Span<byte> bytes = stackalloc byte[Hash256.Size];
        for (var i = 0; i < hashes.Length; i += lanes)
        {
            var start = unchecked(first + (uint)i);
            switch (width)
            {
                case KernelWidth.Scalar:
                    Sha256dKernel.HashLanes<ScalarLanes, uint>(job, start, words);
                    break;
                case KernelWidth.Vector128:
                    Sha256dKernel.HashLanes<Vector128Lanes, Vector128<uint>>(job, start, words);
                    break;
                case KernelWidth.Vector256:
                    Sha256dKernel.HashLanes<Vector256Lanes, Vector256<uint>>(job, start, words);
                    break;
                case KernelWidth.Vector512:
                    Sha256dKernel.HashLanes<Vector512Lanes, Vector512<uint>>(job, start, words);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(width));
            }

            for (var lane = 0; lane < lanes; lane++)
            {
                for (var j = 0; j < 8; j++)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes[(4 * j)..], words[(8 * lane) + j]);
                }

                hashes[i + lane] = new Hash256(bytes);
            }
        }
    }

    private static bool Search(MiningJob job, uint first, uint count, KernelWidth width, out uint nonce) => width switch
    {
        KernelWidth.Scalar => Sha256dKernel.Search<ScalarLanes, uint>(job, first, count, out nonce),
        KernelWidth.Vector128 => Sha256dKernel.Search<Vector128Lanes, Vector128<uint>>(job, first, count, out nonce),
        KernelWidth.Vector256 => Sha256dKernel.Search<Vector256Lanes, Vector256<uint>>(job, first, count, out nonce),
        KernelWidth.Vector512 => Sha256dKernel.Search<Vector512Lanes, Vector512<uint>>(job, first, count, out nonce),
        _ => throw new ArgumentOutOfRangeException(nameof(width)),
    };
}
