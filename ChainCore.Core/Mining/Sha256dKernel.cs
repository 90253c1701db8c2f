using System.Runtime.CompilerServices;
using static ChainCore.Core.Mining.Sha256Constants;

namespace ChainCore.Core.Mining;

/// <summary>
/// SHA256d of a prepared header for <c>TL.Count</c> consecutive nonces at a time, one nonce per lane.
/// A search computes only what decides the proof of work: the last 3 rounds of the second hash do
/// not touch its last state word (the hash's top 32 bits), so they are skipped, and a lane whose top
/// word exceeds the target's is dropped before any exact check.
/// </summary>
internal static class Sha256dKernel
{
    [InlineArray(64)]
    private struct Schedule<TV>
    {
        private TV _element;
    }

    /// <summary>
    /// Searches nonces <paramref name="first"/> … first + count − 1 (count a multiple of the lane count,
    /// the range within 32 bits); returns the lowest nonce that meets the job's target, if any.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Search<TL, TV>(MiningJob job, uint first, uint count, out uint nonce)
        where TL : struct, ISha256Lanes<TV>
        where TV : unmanaged
    {
        var lanes = (uint)TL.Count;
        var limit = job.TargetTopWord;
        Schedule<TV> w1 = default, w2 = default;
        Prepare<TL, TV>(job, ref w1, ref w2);
        var end = (ulong)first + count;
        for (ulong n = first; n < end; n += lanes)
        {
            var top = DoubleHash<TL, TV>(job, (uint)n, ref w1, ref w2, default);
            var hits = TL.LanesNotAbove(top, limit);
            while (hits != 0)
            {
                var lane = uint.TrailingZeroCount(hits);
                var candidate = (uint)n + lane;
                if (job.IsSolvedBy(candidate))
                {
                    nonce = candidate;
                    return true;
                }

                hits &= hits - 1;
            }
        }

        nonce = 0;
        return false;
    }

    /// <summary>The full SHA256d state words of nonces <paramref name="first"/> … (one block of lanes), for tests: 8 words per lane.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HashLanes<TL, TV>(MiningJob job, uint first, Span<uint> words)
        where TL : struct, ISha256Lanes<TV>
        where TV : unmanaged
    {
        Schedule<TV> w1 = default, w2 = default;
        Prepare<TL, TV>(job, ref w1, ref w2);
        Span<TV> state = stackalloc TV[8];
        DoubleHash<TL, TV>(job, first, ref w1, ref w2, state);
        for (var lane = 0; lane < TL.Count; lane++)
        {
            for (var i = 0; i < 8; i++)
            {
                words[(8 * lane) + i] = TL.Lane(state[i], lane);
            }
        }
    }

    private static void Prepare<TL, TV>(MiningJob job, ref Schedule<TV> w1, ref Schedule<TV> w2)
        where TL : struct, ISha256Lanes<TV>
        where TV : unmanaged
    {
        // The message words that are the same for every nonce: padding, zeros and lengths.
        w1[4] = TL.Set(MiningJob.Padding);
        for (var t = 5; t < 15; t++)
        {
            w1[t] = TL.Set(0);
        }

        w1[15] = TL.Set(MiningJob.HeaderBits);
        w1[16] = TL.Set(job.W16);
        w1[17] = TL.Set(job.W17);
        w2[8] = TL.Set(MiningJob.Padding);
        for (var t = 9; t < 15; t++)
        {
            w2[t] = TL.Set(0);
        }

        w2[15] = TL.Set(MiningJob.HashBits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Expand<TL, TV>(ref Schedule<TV> w, int t)
        where TL : struct, ISha256Lanes<TV>
        where TV : unmanaged =>
        TL.Add(TL.Add(TL.SmallSigma1(w[t - 2]), w[t - 7]), TL.Add(TL.SmallSigma0(w[t - 15]), w[t - 16]));

    /// <summary>
    /// SHA256d for the lanes' nonces. With an empty <paramref name="state"/> it returns the second
    /// hash's last state word only; otherwise it writes all 8 words there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV DoubleHash<TL, TV>(MiningJob job, uint first, ref Schedule<TV> w1, ref Schedule<TV> w2, Span<TV> state)
        where TL : struct, ISha256Lanes<TV>
        where TV : unmanaged
    {
        FirstHash<TL, TV>(job, first, ref w1, ref w2);
        return SecondHash<TL, TV>(ref w2, state);
    }

    /// <summary>The first SHA-256 from the midstate: the header's last 16 bytes; its 8 words go to <paramref name="w2"/>[0..7].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void FirstHash<TL, TV>(MiningJob job, uint first, ref Schedule<TV> w1, ref Schedule<TV> w2)
        where TL : struct, ISha256Lanes<TV>
        where TV : unmanaged
    {
        var k = K;

        // W0..W2 are the header's tail, W3 the nonce; the words without W3 in them are precomputed.
        var w3 = TL.NonceWord(first);
        w1[3] = w3;
        w1[18] = TL.Add(TL.Set(job.W18Part), TL.SmallSigma0(w3));
        w1[19] = TL.Add(TL.Set(job.W19Part), w3);
        w1[20] = TL.Add(TL.SmallSigma1(w1[18]), TL.Set(MiningJob.Padding));
        w1[21] = TL.SmallSigma1(w1[19]);
        w1[22] = TL.Add(TL.SmallSigma1(w1[20]), TL.Set(MiningJob.HeaderBits));
        for (var t = 23; t < 30; t++)
        {
            w1[t] = TL.Add(TL.SmallSigma1(w1[t - 2]), w1[t - 7]);
        }

        w1[30] = TL.Add(TL.Add(TL.SmallSigma1(w1[28]), w1[23]), TL.Set(job.W30Part));
        w1[31] = TL.Add(TL.Add(TL.SmallSigma1(w1[29]), w1[24]), TL.Set(job.W31Part));
        w1[32] = TL.Add(TL.Add(TL.SmallSigma1(w1[30]), w1[25]), TL.Set(job.W32Part));
        for (var t = 33; t < 64; t++)
        {
            w1[t] = Expand<TL, TV>(ref w1, t);
        }

        // Rounds 0..2 do not depend on the nonce: the job did them.
        var s = job.AfterRound2;
        TV a = TL.Set(s[0]), b = TL.Set(s[1]), c = TL.Set(s[2]), d = TL.Set(s[3]);
        TV e = TL.Set(s[4]), f = TL.Set(s[5]), g = TL.Set(s[6]), h = TL.Set(s[7]);
        TV t1;
        for (var t = 3; t < 8; t++)
        {
            t1 = TL.Add(TL.Add(TL.Add(h, TL.BigSigma1(e)), TL.Add(TL.Choose(e, f, g), TL.Set(k[t]))), w1[t]);
            var t2 = TL.Add(TL.BigSigma0(a), TL.Majority(a, b, c));
            h = g;
            g = f;
            f = e;
            e = TL.Add(d, t1);
            d = c;
            c = b;
            b = a;
            a = TL.Add(t1, t2);
        }

        // Eight rounds at a time, the names moving instead of the values.
        for (var t = 8; t < 64; t += 8)
        {
            t1 = TL.Add(TL.Add(TL.Add(h, TL.BigSigma1(e)), TL.Add(TL.Choose(e, f, g), TL.Set(k[t + 0]))), w1[t + 0]);
            d = TL.Add(d, t1);
            h = TL.Add(t1, TL.Add(TL.BigSigma0(a), TL.Majority(a, b, c)));
            t1 = TL.Add(TL.Add(TL.Add(g, TL.BigSigma1(d)), TL.Add(TL.Choose(d, e, f), TL.Set(k[t + 1]))), w1[t + 1]);
            c = TL.Add(c, t1);
            g = TL.Add(t1, TL.Add(TL.BigSigma0(h), TL.Majority(h, a, b)));
            t1 = TL.Add(TL.Add(TL.Add(f, TL.BigSigma1(c)), TL.Add(TL.Choose(c, d, e), TL.Set(k[t + 2]))), w1[t + 2]);
            b = TL.Add(b, t1);
            f = TL.Add(t1, TL.Add(TL.BigSigma0(g), TL.Majority(g, h, a)));
            t1 = TL.Add(TL.Add(TL.Add(e, TL.BigSigma1(b)), TL.Add(TL.Choose(b, c, d), TL.Set(k[t + 3]))), w1[t + 3]);
            a = TL.Add(a, t1);
            e = TL.Add(t1, TL.Add(TL.BigSigma0(f), TL.Majority(f, g, h)));
            t1 = TL.Add(TL.Add(TL.Add(d, TL.BigSigma1(a)), TL.Add(TL.Choose(a, b, c), TL.Set(k[t + 4]))), w1[t + 4]);
            h = TL.Add(h, t1);
            d = TL.Add(t1, TL.Add(TL.BigSigma0(e), TL.Majority(e, f, g)));
            t1 = TL.Add(TL.Add(TL.Add(c, TL.BigSigma1(h)), TL.Add(TL.Choose(h, a, b), TL.Set(k[t + 5]))), w1[t + 5]);
            g = TL.Add(g, t1);
            c = TL.Add(t1, TL.Add(TL.BigSigma0(d), TL.Majority(d, e, f)));
            t1 = TL.Add(TL.Add(TL.Add(b, TL.BigSigma1(g)), TL.Add(TL.Choose(g, h, a), TL.Set(k[t + 6]))), w1[t + 6]);
            f = TL.Add(f, t1);
            b = TL.Add(t1, TL.Add(TL.BigSigma0(c), TL.Majority(c, d, e)));
            t1 = TL.Add(TL.Add(TL.Add(a, TL.BigSigma1(f)), TL.Add(TL.Choose(f, g, h), TL.Set(k[t + 7]))), w1[t + 7]);
            e = TL.Add(e, t1);
            a = TL.Add(t1, TL.Add(TL.BigSigma0(b), TL.Majority(b, c, d)));
        }

        var m = job.Midstate;
        w2[0] = TL.Add(a, TL.Set(m[0]));
        w2[1] = TL.Add(b, TL.Set(m[1]));
        w2[2] = TL.Add(c, TL.Set(m[2]));
        w2[3] = TL.Add(d, TL.Set(m[3]));
        w2[4] = TL.Add(e, TL.Set(m[4]));
        w2[5] = TL.Add(f, TL.Set(m[5]));
        w2[6] = TL.Add(g, TL.Set(m[6]));
        w2[7] = TL.Add(h, TL.Set(m[7]));
    }

    /// <summary>
    /// The second SHA-256, of the 32-byte first hash in <paramref name="w2"/>[0..7]. With an empty
    /// <paramref name="state"/> it returns the last state word only; otherwise it writes all 8 words there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static TV SecondHash<TL, TV>(ref Schedule<TV> w2, Span<TV> state)
        where TL : struct, ISha256Lanes<TV>
        where TV : unmanaged
    {
        var k = K;

        // W8 is the padding bit, W9..W14 are zero, W15 the length.
        w2[16] = TL.Add(TL.SmallSigma0(w2[1]), w2[0]);
        w2[17] = TL.Add(TL.Add(TL.SmallSigma0(w2[2]), w2[1]), TL.Set(SmallSigma1(MiningJob.HashBits)));
        w2[18] = TL.Add(TL.Add(TL.SmallSigma1(w2[16]), TL.SmallSigma0(w2[3])), w2[2]);
        w2[19] = TL.Add(TL.Add(TL.SmallSigma1(w2[17]), TL.SmallSigma0(w2[4])), w2[3]);
        w2[20] = TL.Add(TL.Add(TL.SmallSigma1(w2[18]), TL.SmallSigma0(w2[5])), w2[4]);
        w2[21] = TL.Add(TL.Add(TL.SmallSigma1(w2[19]), TL.SmallSigma0(w2[6])), w2[5]);
        w2[22] = TL.Add(TL.Add(TL.SmallSigma1(w2[20]), TL.SmallSigma0(w2[7])), TL.Add(w2[6], TL.Set(MiningJob.HashBits)));
        w2[23] = TL.Add(TL.Add(TL.SmallSigma1(w2[21]), w2[16]), TL.Add(w2[7], TL.Set(SmallSigma0(MiningJob.Padding))));
        w2[24] = TL.Add(TL.Add(TL.SmallSigma1(w2[22]), w2[17]), TL.Set(MiningJob.Padding));
        for (var t = 25; t < 30; t++)
        {
            w2[t] = TL.Add(TL.SmallSigma1(w2[t - 2]), w2[t - 7]);
        }

        w2[30] = TL.Add(TL.Add(TL.SmallSigma1(w2[28]), w2[23]), TL.Set(SmallSigma0(MiningJob.HashBits)));
        w2[31] = TL.Add(TL.Add(TL.SmallSigma1(w2[29]), w2[24]), TL.Add(TL.SmallSigma0(w2[16]), TL.Set(MiningJob.HashBits)));

        // A search stops at round 60: its new E is the final H, and rounds 61..63 leave it alone.
        var full = !state.IsEmpty;
        var last = full ? 64 : 61;
        for (var t = 32; t < last; t++)
        {
            w2[t] = Expand<TL, TV>(ref w2, t);
        }

        // Round 0 on the initial state is the same for every lane but for W0.
        var iv = InitialState;
        var round0T1 = iv[7] + BigSigma1(iv[4]) + Choose(iv[4], iv[5], iv[6]) + k[0];
        var round0T2 = BigSigma0(iv[0]) + Majority(iv[0], iv[1], iv[2]);
        var a = TL.Add(w2[0], TL.Set(round0T1 + round0T2));
        var b = TL.Set(iv[0]);
        var c = TL.Set(iv[1]);
        var d = TL.Set(iv[2]);
        var e = TL.Add(w2[0], TL.Set(iv[3] + round0T1));
        var f = TL.Set(iv[4]);
        var g = TL.Set(iv[5]);
        var h = TL.Set(iv[6]);
        TV t1;
        for (var t = 1; t < 8; t++)
        {
            t1 = TL.Add(TL.Add(TL.Add(h, TL.BigSigma1(e)), TL.Add(TL.Choose(e, f, g), TL.Set(k[t]))), w2[t]);
            var t2 = TL.Add(TL.BigSigma0(a), TL.Majority(a, b, c));
            h = g;
            g = f;
            f = e;
            e = TL.Add(d, t1);
            d = c;
            c = b;
            b = a;
            a = TL.Add(t1, t2);
        }

        for (var t = 8; t < 56; t += 8)
        {
            t1 = TL.Add(TL.Add(TL.Add(h, TL.BigSigma1(e)), TL.Add(TL.Choose(e, f, g), TL.Set(k[t + 0]))), w2[t + 0]);
            d = TL.Add(d, t1);
            h = TL.Add(t1, TL.Add(TL.BigSigma0(a), TL.Majority(a, b, c)));
            t1 = TL.Add(TL.Add(TL.Add(g, TL.BigSigma1(d)), TL.Add(TL.Choose(d, e, f), TL.Set(k[t + 1]))), w2[t + 1]);
            c = TL.Add(c, t1);
            g = TL.Add(t1, TL.Add(TL.BigSigma0(h), TL.Majority(h, a, b)));
            t1 = TL.Add(TL.Add(TL.Add(f, TL.BigSigma1(c)), TL.Add(TL.Choose(c, d, e), TL.Set(k[t + 2]))), w2[t + 2]);
            b = TL.Add(b, t1);
            f = TL.Add(t1, TL.Add(TL.BigSigma0(g), TL.Majority(g, h, a)));
            t1 = TL.Add(TL.Add(TL.Add(e, TL.BigSigma1(b)), TL.Add(TL.Choose(b, c, d), TL.Set(k[t + 3]))), w2[t + 3]);
            a = TL.Add(a, t1);
            e = TL.Add(t1, TL.Add(TL.BigSigma0(f), TL.Majority(f, g, h)));
            t1 = TL.Add(TL.Add(TL.Add(d, TL.BigSigma1(a)), TL.Add(TL.Choose(a, b, c), TL.Set(k[t + 4]))), w2[t + 4]);
            h = TL.Add(h, t1);
            d = TL.Add(t1, TL.Add(TL.BigSigma0(e), TL.Majority(e, f, g)));
            t1 = TL.Add(TL.Add(TL.Add(c, TL.BigSigma1(h)), TL.Add(TL.Choose(h, a, b), TL.Set(k[t + 5]))), w2[t + 5]);
            g = TL.Add(g, t1);
            c = TL.Add(t1, TL.Add(TL.BigSigma0(d), TL.Majority(d, e, f)));
            t1 = TL.Add(TL.Add(TL.Add(b, TL.BigSigma1(g)), TL.Add(TL.Choose(g, h, a), TL.Set(k[t + 6]))), w2[t + 6]);
            f = TL.Add(f, t1);
            b = TL.Add(t1, TL.Add(TL.BigSigma0(c), TL.Majority(c, d, e)));
            t1 = TL.Add(TL.Add(TL.Add(a, TL.BigSigma1(f)), TL.Add(TL.Choose(f, g, h), TL.Set(k[t + 7]))), w2[t + 7]);
            e = TL.Add(e, t1);
            a = TL.Add(t1, TL.Add(TL.BigSigma0(b), TL.Majority(b, c, d)));
        }

        for (var t = 56; t < last; t++)
        {
            t1 = TL.Add(TL.Add(TL.Add(h, TL.BigSigma1(e)), TL.Add(TL.Choose(e, f, g), TL.Set(k[t]))), w2[t]);
            var t2 = TL.Add(TL.BigSigma0(a), TL.Majority(a, b, c));
            h = g;
            g = f;
            f = e;
            e = TL.Add(d, t1);
            d = c;
            c = b;
            b = a;
            a = TL.Add(t1, t2);
        }

        if (!full)
        {
            return TL.Add(e, TL.Set(iv[7]));
        }

        state[0] = TL.Add(a, TL.Set(iv[0]));
        state[1] = TL.Add(b, TL.Set(iv[1]));
        state[2] = TL.Add(c, TL.Set(iv[2]));
        state[3] = TL.Add(d, TL.Set(iv[3]));
        state[4] = TL.Add(e, TL.Set(iv[4]));
        state[5] = TL.Add(f, TL.Set(iv[5]));
        state[6] = TL.Add(g, TL.Set(iv[6]));
        state[7] = TL.Add(h, TL.Set(iv[7]));
        return state[7];
    }
}
