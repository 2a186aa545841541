using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IrTrail.Core.Integrity;

/// <summary>
/// Reads public keys for digest validation from a file: PEM ("PUBLIC KEY" or "RSA PUBLIC KEY" blocks, any number), DER
/// (PKCS#1 or SubjectPublicKeyInfo), or the JSON that <c>aws cloudtrail list-public-keys</c> prints
/// (<c>{"PublicKeyList":[{"Value":"&lt;base64 DER&gt;","Fingerprint":"…"}]}</c>), which carries CloudTrail's own fingerprints.
/// </summary>
internal static class PublicKeyFile
{
    /// <summary>The keys in a file; an <see cref="InvalidDataException"/> says why none could be read.</summary>
    public static List<DigestPublicKey> Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var keys = new List<DigestPublicKey>();
        try
        {
            var text = TryText(bytes);
            if (text is not null && text.TrimStart().StartsWith('{') || text is not null && text.TrimStart().StartsWith('['))
                keys.AddRange(FromJson(text!, path));
            else if (text is not null && text.Contains("-----BEGIN", StringComparison.Ordinal))
                keys.AddRange(FromPem(text, path));
            else
                keys.Add(DigestPublicKey.FromDer(bytes, path));
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException or FormatException)
        {
            foreach (var k in keys) k.Dispose();
            throw new InvalidDataException($"'{path}' holds no RSA public key IrTrail can read ({ex.Message}). Give a PEM or DER public key, " +
                                           "or the JSON output of 'aws cloudtrail list-public-keys'.", ex);
        }
        if (keys.Count == 0)
            throw new InvalidDataException($"'{path}' holds no public key. Give a PEM or DER public key, or the JSON output of 'aws cloudtrail list-public-keys'.");
        return keys;
    }

    private static string? TryText(byte[] bytes)
    {
        try { return new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
    }

    private static IEnumerable<DigestPublicKey> FromPem(string text, string path)
    {
        var rest = text.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            var der = Convert.FromBase64String(rest.Span[fields.Base64Data].ToString());
            if (label is "PUBLIC KEY" or "RSA PUBLIC KEY") yield return DigestPublicKey.FromDer(der, path);
            rest = rest[fields.Location.End..];
        }
    }

    private static IEnumerable<DigestPublicKey> FromJson(string text, string path)
    {
        using var doc = JsonDocument.Parse(text);
        var list = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement
            : doc.RootElement.TryGetProperty("PublicKeyList", out var l) ? l
            : throw new FormatException("the JSON has no PublicKeyList");
        var keys = new List<DigestPublicKey>();
        foreach (var k in list.EnumerateArray())
        {
            var value = k.TryGetProperty("Value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()
                : throw new FormatException("a PublicKeyList entry has no Value");
            var fingerprint = k.TryGetProperty("Fingerprint", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            keys.Add(DigestPublicKey.FromDer(Convert.FromBase64String(value!), path, fingerprint));
        }
        return keys;
    }
}
