using System.Security.Cryptography;
using System.Text;

namespace IrTrail.Core.Integrity;

/// <summary>
/// CloudTrail's digest signature: SHA256withRSA (PKCS#1 v1.5) over
/// <c>digestEndTime \n digestS3Bucket/digestS3Object \n hex SHA-256 of the decompressed digest \n previousDigestSignature</c>
/// ("null" when the digest starts a chain), with the hex signature kept in the object's S3 metadata.
/// </summary>
internal static class DigestSignature
{
    public const string Algorithm = "SHA256withRSA";

    /// <summary>S3 user metadata keys (x-amz-meta- removed) CloudTrail sets on digest objects.</summary>
    public const string SignatureMetadata = "signature";
    public const string AlgorithmMetadata = "signature-algorithm";
    public const string BackfillTimestampMetadata = "backfill-generation-timestamp";

    public static string StringToSign(DigestDocument d, string digestSha256Hex) =>
        $"{d.DigestEndTimeText}\n{d.DigestS3Bucket}/{d.DigestS3Object}\n{digestSha256Hex}\n{d.PreviousDigestSignature ?? "null"}";

    /// <summary>Null when the signature verifies; otherwise why it does not.</summary>
    public static string? Verify(RSA key, DigestDocument d, string digestSha256Hex, string signatureHex, string? algorithm)
    {
        if (algorithm is not null && !string.Equals(algorithm, Algorithm, StringComparison.OrdinalIgnoreCase))
            return $"signature algorithm '{algorithm}' is not {Algorithm}";
        byte[] signature;
        try { signature = Convert.FromHexString(signatureHex.Trim()); }
        catch (FormatException) { return "the signature in the object's metadata is not hexadecimal"; }
        var data = Encoding.UTF8.GetBytes(StringToSign(d, digestSha256Hex));
        try
        {
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) ? null : "signature verification failed";
        }
        catch (CryptographicException)
        {
            return "signature verification failed";
        }
    }
}
