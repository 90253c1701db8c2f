using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace ChainCore.Core.Crypto;

/// <summary>
/// The secp256k1 curve. BouncyCastle's custom implementation (dedicated field arithmetic and the
/// GLV endomorphism) was measured faster than .NET's OpenSSL-backed ECDsa on this curve, and it
/// gives RFC 6979 signing, which ECDsa does not.
/// </summary>
internal static class Secp256k1
{
    public static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");

    public static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);

    public static readonly BigInteger N = Curve.N;

    public static readonly BigInteger HalfN = Curve.N.ShiftRight(1);
}
