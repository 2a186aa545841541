using System.Security.Cryptography;

namespace IrTrail.Core.Integrity;

/// <summary>A public key that may have signed digest files, under the fingerprints a digest can name it by.</summary>
internal sealed class DigestPublicKey : IDisposable
{
    private DigestPublicKey(RSA key, IReadOnlyList<string> fingerprints, string source)
    {
        Key = key;
        Fingerprints = fingerprints;
        Source = source;
    }

    public RSA Key { get; }

    /// <summary>Lower-case hex. A key read from a file answers to the MD5 of its PKCS#1 and of its SubjectPublicKeyInfo
    /// DER encodings; a key from ListPublicKeys (or its saved output) also to the fingerprint CloudTrail gave.</summary>
    public IReadOnlyList<string> Fingerprints { get; }

    /// <summary>Where the key came from (a file, or ListPublicKeys in a region), for messages.</summary>
    public string Source { get; }

    /// <summary>Loads DER bytes holding an RSA public key as PKCS#1 RSAPublicKey (what ListPublicKeys returns) or
    /// SubjectPublicKeyInfo; a <see cref="CryptographicException"/> when they are neither.</summary>
    public static DigestPublicKey FromDer(ReadOnlySpan<byte> der, string source, string? givenFingerprint = null)
    {
        var rsa = RSA.Create();
        try
        {
            try
            {
                rsa.ImportRSAPublicKey(der, out var read);
                if (read != der.Length) throw new CryptographicException("trailing bytes after the key");
            }
            catch (CryptographicException)
            {
                rsa.ImportSubjectPublicKeyInfo(der, out var read);
                if (read != der.Length) throw new CryptographicException("trailing bytes after the key");
            }
            return FromRsa(rsa, source, givenFingerprint);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    public static DigestPublicKey FromRsa(RSA rsa, string source, string? givenFingerprint = null)
    {
        var fingerprints = new List<string>();
        if (!string.IsNullOrWhiteSpace(givenFingerprint)) fingerprints.Add(givenFingerprint.Trim().ToLowerInvariant());
        foreach (var der in new[] { rsa.ExportRSAPublicKey(), rsa.ExportSubjectPublicKeyInfo() })
        {
            var f = Convert.ToHexString(MD5.HashData(der)).ToLowerInvariant();
            if (!fingerprints.Contains(f)) fingerprints.Add(f);
        }
        return new DigestPublicKey(rsa, fingerprints, source);
    }

    public bool Answers(string fingerprint) => Fingerprints.Contains(fingerprint.Trim().ToLowerInvariant());

    public void Dispose() => Key.Dispose();
}

/// <summary>What looking a digest's key up gave: the key, or why there is none to use.</summary>
internal readonly record struct PublicKeyLookup(DigestPublicKey? Key, string? Problem);

/// <summary>The key a digest needs.</summary>
/// <param name="Region">The region the digest is for (its key folder): CloudTrail signs each region's digests with that region's key.</param>
/// <param name="Fingerprint">The digest's digestPublicKeyFingerprint.</param>
/// <param name="At">When the digest was signed (its end time, or a backfill digest's generation time).</param>
/// <param name="RangeStart">The start of the period being validated (a key service can fetch the whole period's keys at once).</param>
/// <param name="RangeEnd">Its end.</param>
internal readonly record struct PublicKeyRequest(string Region, string Fingerprint, DateTime At, DateTime RangeStart, DateTime RangeEnd);

/// <summary>
/// Where the public keys for digest signatures come from: files the user gives (-PublicKeyPath), or CloudTrail's
/// ListPublicKeys for the digest's region. CloudTrail signs each region's digests with that region's key.
/// </summary>
internal interface IPublicKeySource
{
    /// <remarks>Failures to reach the key service throw (for example <see cref="Aws.AwsException"/>).</remarks>
    ValueTask<PublicKeyLookup> FindAsync(PublicKeyRequest request, CancellationToken cancellationToken);
}

/// <summary>Keys from files: whatever the digest's region and time, a key answers to its fingerprints.</summary>
internal sealed class FixedPublicKeySource(IReadOnlyList<DigestPublicKey> keys) : IPublicKeySource, IDisposable
{
    public IReadOnlyList<DigestPublicKey> Keys { get; } = keys;

    public ValueTask<PublicKeyLookup> FindAsync(PublicKeyRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Keys.FirstOrDefault(k => k.Answers(request.Fingerprint)) is { } key
            ? new PublicKeyLookup(key, null)
            : new PublicKeyLookup(null, $"public key not found for fingerprint {request.Fingerprint} (none of the keys given has it)"));

    public void Dispose()
    {
        foreach (var k in Keys) k.Dispose();
    }
}
