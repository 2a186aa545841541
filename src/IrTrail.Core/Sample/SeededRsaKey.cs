using System.Numerics;
using System.Security.Cryptography;

namespace IrTrail.Core.Sample;

/// <summary>
/// A 2048-bit RSA key drawn from a seed, so that sample digests (which carry the key's fingerprint and signatures) are
/// byte-identical for the same seed. Sample data only: the key is as guessable as the seed.
/// </summary>
public static class SeededRsaKey
{
    private static readonly int[] SmallPrimes = Enumerable.Range(3, 2000).Where(IsSmallPrime).ToArray();

    public static RSA Create(int seed, int bits = 2048)
    {
        var rng = new Random(seed);
        var e = new BigInteger(65537);
        while (true)
        {
            var p = Prime(rng, bits / 2);
            var q = Prime(rng, bits / 2);
            if (p == q) continue;
            if (p < q) (p, q) = (q, p);
            var phi = (p - 1) * (q - 1);
            if (BigInteger.GreatestCommonDivisor(e, phi) != 1) continue;
            var n = p * q;
            if (n.GetBitLength() != bits) continue;
            var d = ModInverse(e, phi);
            var half = bits / 16;
            var parameters = new RSAParameters
            {
                Modulus = Bytes(n, bits / 8),
                Exponent = Bytes(e, 3),
                D = Bytes(d, bits / 8),
                P = Bytes(p, half),
                Q = Bytes(q, half),
                DP = Bytes(d % (p - 1), half),
                DQ = Bytes(d % (q - 1), half),
                InverseQ = Bytes(ModInverse(q, p), half),
            };
            var rsa = RSA.Create();
            rsa.ImportParameters(parameters);
            return rsa;
        }
    }

    private static BigInteger Prime(Random rng, int bits)
    {
        var bytes = new byte[bits / 8 + 1];
        while (true)
        {
            rng.NextBytes(bytes);
            bytes[^1] = 0; // little-endian sign byte: positive
            bytes[^2] |= 0xC0; // top two bits set: the product has the full bit length
            bytes[0] |= 1;
            var candidate = new BigInteger(bytes);
            if (SmallPrimes.Any(sp => candidate % sp == 0)) continue;
            if (MillerRabin(candidate, rng, 16)) return candidate;
        }
    }

    private static bool MillerRabin(BigInteger n, Random rng, int rounds)
    {
        var d = n - 1;
        var s = 0;
        while (d.IsEven) { d >>= 1; s++; }
        var buffer = new byte[n.GetByteCount() + 1];
        for (var r = 0; r < rounds; r++)
        {
            rng.NextBytes(buffer);
            buffer[^1] = 0;
            var a = new BigInteger(buffer) % (n - 3) + 2;
            var x = BigInteger.ModPow(a, d, n);
            if (x.IsOne || x == n - 1) continue;
            var composite = true;
            for (var i = 1; i < s && composite; i++)
            {
                x = BigInteger.ModPow(x, 2, n);
                if (x == n - 1) composite = false;
            }
            if (composite) return false;
        }
        return true;
    }

    private static BigInteger ModInverse(BigInteger a, BigInteger m)
    {
        BigInteger g = m, x = 0, x1 = 1, a1 = a % m;
        while (a1 != 0)
        {
            var q = g / a1;
            (g, a1) = (a1, g - q * a1);
            (x, x1) = (x1, x - q * x1);
        }
        return ((x % m) + m) % m;
    }

    private static byte[] Bytes(BigInteger v, int length)
    {
        var raw = v.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (raw.Length == length) return raw;
        var padded = new byte[length];
        raw.CopyTo(padded, length - raw.Length);
        return padded;
    }

    private static bool IsSmallPrime(int n)
    {
        for (var i = 2; i * i <= n; i++) if (n % i == 0) return false;
        return true;
    }
}
