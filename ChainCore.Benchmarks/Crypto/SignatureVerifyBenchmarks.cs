using System.Collections.Immutable;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ChainCore.Core.Consensus;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Wallet;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ChainCore.Benchmarks.Crypto;

/// <summary>
/// Signature verification, per signature, over 64 distinct keys and hashes. Group "verify":
/// the node's path (parse the SEC1 key, our strict-DER and low-S checks, libsecp256k1's verify)
/// against the bare libsecp256k1 calls (parse key, parse DER, verify) as the baseline (target:
/// the node at ≥ 0.9× the raw rate), with BouncyCastle (the node's verifier before) and
/// NBitcoin.Secp256k1 (a C# port) for the record; plus the node's whole per-input check
/// (signature hash included). Group "block": a 1,000-input block's signatures through the node's
/// verifier on one thread (baseline) and on two (target ≥ 1.7×).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "BenchmarkDotNet calls GlobalCleanup, which disposes it.")]
public class SignatureVerifyBenchmarks
{
    private const int Signatures = 64;
    private const int BlockInputs = 1_000;

    private readonly Secp256k1Net.Secp256k1 _native = new();
    private (byte[] Key, byte[] Hash, byte[] Der)[] _cases = null!;
    private ECPublicKeyParameters[] _bouncyKeys = null!;
    private Transaction[] _transactions = null!;
    private Block _block = null!;
    private SignatureVerifier _oneThread = null!;
    private SignatureVerifier _twoThreads = null!;

    [GlobalSetup]
    public void Setup()
    {
        var curve = CustomNamedCurves.GetByName("secp256k1");
        var domain = new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        var keys = Enumerable.Range(1, Signatures).Select(i => PrivateKey.FromBytes(SHA256.HashData(BitConverter.GetBytes(i)))).ToArray();
        _cases = [.. keys.Select((k, i) =>
        {
            var hash = SHA256.HashData(BitConverter.GetBytes(-i));
            return (k.PublicKey.ToBytes(), hash, k.Sign(hash));
        })];
        _bouncyKeys = [.. _cases.Select(c => new ECPublicKeyParameters(curve.Curve.DecodePoint(c.Key), domain))];

        _transactions = [.. Enumerable.Range(0, BlockInputs).Select(i =>
        {
            var key = keys[i % Signatures];
            var input = new TxIn(new OutPoint(Hash256.Compute(BitConverter.GetBytes(i)), 0), [], [.. key.PublicKey.ToBytes()]);
            return TransactionBuilder.Sign(new Transaction([input], [new TxOut(Amount.FromCoins(1), [.. key.PublicKey.Hash160()])]), key);
        })];
        var all = _transactions.Prepend(Coinbase.Create(1, new byte[20], Amount.FromCoins(50))).ToImmutableArray();
        _block = new Block(new BlockHeader(1, default, MerkleTree.ComputeRoot(all), 0, 0x207fffff, 0), all);
        _oneThread = new SignatureVerifier(maxDegreeOfParallelism: 1);
        _twoThreads = new SignatureVerifier(maxDegreeOfParallelism: 2);
    }

    [GlobalCleanup]
    public void Cleanup() => _native.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Signatures), BenchmarkCategory("verify")]
    public int Raw_libsecp256k1()
    {
        Span<byte> key = stackalloc byte[64];
        Span<byte> signature = stackalloc byte[64];
        var valid = 0;
        foreach (var (pubkey, hash, der) in _cases)
        {
            if (_native.EcPubkeyParse(key, pubkey) && _native.EcdsaSignatureParseDer(signature, der) && _native.EcdsaVerify(signature, hash, key))
            {
                valid++;
            }
        }

        return valid;
    }

    [Benchmark(OperationsPerInvoke = Signatures), BenchmarkCategory("verify")]
    public int Node_verify()
    {
        var valid = 0;
        foreach (var (pubkey, hash, der) in _cases)
        {
            if (PublicKey.TryFromBytes(pubkey, out var key) && key!.Verify(hash, der))
            {
                valid++;
            }
        }

        return valid;
    }

    [Benchmark(OperationsPerInvoke = Signatures), BenchmarkCategory("verify")]
    public int Node_input_check_with_signature_hash()
    {
        var valid = 0;
        for (var i = 0; i < Signatures; i++)
        {
            if (TransactionValidator.CheckSignature(_transactions[i], 0).IsValid)
            {
                valid++;
            }
        }

        return valid;
    }

    [Benchmark(OperationsPerInvoke = Signatures), BenchmarkCategory("verify")]
    public int BouncyCastle()
    {
        var valid = 0;
        for (var i = 0; i < Signatures; i++)
        {
            var (_, hash, der) = _cases[i];
            DerSignature.TryDecode(der, out var r, out var s);
            var verifier = new ECDsaSigner();
            verifier.Init(false, _bouncyKeys[i]);
            if (verifier.VerifySignature(hash, new BcBigInteger(1, r.ToByteArray(isUnsigned: true, isBigEndian: true)), new BcBigInteger(1, s.ToByteArray(isUnsigned: true, isBigEndian: true))))
            {
                valid++;
            }
        }

        return valid;
    }

    [Benchmark(OperationsPerInvoke = Signatures), BenchmarkCategory("verify")]
    public int NBitcoin_Secp256k1()
    {
        var valid = 0;
        foreach (var (pubkey, hash, der) in _cases)
        {
            if (NBitcoin.Secp256k1.ECPubKey.TryCreate(pubkey, null, out _, out var key)
                && NBitcoin.Secp256k1.SecpECDSASignature.TryCreateFromDer(der, out var signature)
                && key!.SigVerify(signature!, hash))
            {
                valid++;
            }
        }

        return valid;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BlockInputs), BenchmarkCategory("block")]
    public ValidationResult Block_1000_inputs_one_thread() => _oneThread.CheckBlock(_block);

    [Benchmark(OperationsPerInvoke = BlockInputs), BenchmarkCategory("block")]
    public ValidationResult Block_1000_inputs_two_threads() => _twoThreads.CheckBlock(_block);
}
