using System.Diagnostics;
using System.Security.Cryptography;
using ChainCore.Core.Crypto;
using ChainCore.Tests.Harness;

namespace ChainCore.Tests.Performance;

/// <summary>
/// The node's verify path (parse the SEC1 key, strict-DER and low-S checks, libsecp256k1's verify)
/// against the bare libsecp256k1 calls (parse key, parse DER, verify) on the same 64 keys, hashes and
/// signatures, alternating round by round on one thread: the ratio of their rates judges the
/// node's own overhead on any machine (the benchmark's target: at least 0.9). Median of the rounds.
/// </summary>
[TestFixture, Category("Performance"), Category("Crypto")]
public sealed class SignatureVerifyPerformanceTests
{
    private const int Signatures = 64;
    private const int Repetitions = 8;
    private const int Rounds = 9;
    private const int WarmUpRounds = 2;

    [Test]
    public void Verify_path_against_raw_libsecp256k1()
    {
        var cases = Enumerable.Range(1, Signatures).Select(i =>
        {
            var key = PrivateKey.FromBytes(SHA256.HashData(BitConverter.GetBytes(i)));
            var hash = SHA256.HashData(BitConverter.GetBytes(-i));
            return (Key: key.PublicKey.ToBytes(), Hash: hash, Der: key.Sign(hash));
        }).ToArray();
        using var native = new Secp256k1Net.Secp256k1();

        int Raw()
        {
            Span<byte> key = stackalloc byte[64];
            Span<byte> signature = stackalloc byte[64];
            var valid = 0;
            foreach (var (pubkey, hash, der) in cases)
            {
                if (native.EcPubkeyParse(key, pubkey) && native.EcdsaSignatureParseDer(signature, der) && native.EcdsaVerify(signature, hash, key))
                {
                    valid++;
                }
            }

            return valid;
        }

        int Node()
        {
            var valid = 0;
            foreach (var (pubkey, hash, der) in cases)
            {
                if (PublicKey.TryFromBytes(pubkey, out var key) && key!.Verify(hash, der))
                {
                    valid++;
                }
            }

            return valid;
        }

        var rawRates = new List<double>();
        var nodeRates = new List<double>();
        var ratios = new List<double>();
        for (var round = -WarmUpRounds; round < Rounds; round++)
        {
            var raw = Rate(Raw);
            var node = Rate(Node);
            if (round >= 0)
            {
                rawRates.Add(raw);
                nodeRates.Add(node);
                ratios.Add(node / raw);
            }
        }

        PerformanceReport.Record("signature-verify", new Dictionary<string, double>
        {
            ["node_verifies_per_second_median"] = Median(nodeRates),
            ["raw_libsecp256k1_verifies_per_second_median"] = Median(rawRates),
            ["ratio_to_raw_libsecp256k1_median"] = Median(ratios),
            ["rounds"] = Rounds,
        }, "one thread, 64 distinct keys and signatures; node path and raw calls alternate round by round");
    }

    private static double Rate(Func<int> verifyAll)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Repetitions; i++)
        {
            verifyAll().ShouldBe(Signatures);
        }

        return Signatures * Repetitions / watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
