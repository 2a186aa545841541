using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IrTrail.Core.Sample;

/// <summary>A delivered log file as a digest lists it.</summary>
public sealed record LogFileEntry(string S3Object, string HashValue, DateTime OldestEventTime, DateTime NewestEventTime);

/// <summary>
/// Writes CloudTrail digest files: one per account and region per hour, listing the SHA-256 of each (uncompressed) log
/// file delivered in that hour, chained to the previous digest by its hash and signature, signed SHA256withRSA.
/// CloudTrail stores the signature in the S3 object's metadata (x-amz-meta-signature); on disk it goes in a sidecar
/// file "&lt;digest&gt;.json.gz.signature" holding the same lower-case hex.
/// Signed string (CloudTrail's "data to sign"): digestEndTime + "\n" + bucket/object + "\n" + hex SHA-256 of the
/// uncompressed digest JSON + "\n" + previousDigestSignature ("null" for the first digest of a chain).
/// </summary>
public sealed class DigestWriter : IDisposable
{
    public const string SignatureSuffix = ".signature";
    private readonly string _root;
    private readonly string _bucket;
    private readonly string _trail;
    private readonly string _homeRegion;
    private readonly string? _organization;
    private readonly RSA _key;
    private readonly Dictionary<(string Account, string Region), List<LogFileEntry>> _pending = [];
    private readonly Dictionary<(string Account, string Region), (string Object, string Hash, string Signature)> _previous = [];

    public DigestWriter(string root, string bucket, string trailName, string homeRegion, string? organization, RSA key)
    {
        _root = root;
        _bucket = bucket;
        _trail = trailName;
        _homeRegion = homeRegion;
        _organization = organization;
        _key = key;
        var spki = key.ExportSubjectPublicKeyInfo();
        Fingerprint = Convert.ToHexString(MD5.HashData(spki)).ToLowerInvariant();
    }

    /// <summary>Hex MD5 of the DER SubjectPublicKeyInfo (CloudTrail shows a 32-hex-digit fingerprint per public key).</summary>
    public string Fingerprint { get; }

    public int Files { get; private set; }
    public long Bytes { get; private set; }

    public string PublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    public void Add(string account, string region, LogFileEntry entry)
    {
        if (!_pending.TryGetValue((account, region), out var list)) _pending[(account, region)] = list = [];
        list.Add(entry);
    }

    /// <summary>Writes the digest for [start, end) of one account and region (also when no log file was delivered).</summary>
    public void Write(string account, string region, DateTime start, DateTime end)
    {
        var files = _pending.Remove((account, region), out var l) ? l : [];
        var prefix = _organization is null ? $"AWSLogs/{account}" : $"AWSLogs/{_organization}/{account}";
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{prefix}/CloudTrail-Digest/{region}/{end:yyyy'/'MM'/'dd}/{account}_CloudTrail-Digest_{region}_{_trail}_{_homeRegion}_{end:yyyyMMdd'T'HHmmss'Z'}.json.gz");
        _previous.TryGetValue((account, region), out var prev);

        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteString("awsAccountId", account);
            w.WriteString("digestStartTime", SampleRecordWriter.FormatTime(start));
            w.WriteString("digestEndTime", SampleRecordWriter.FormatTime(end));
            w.WriteString("digestS3Bucket", _bucket);
            w.WriteString("digestS3Object", key);
            w.WriteString("digestPublicKeyFingerprint", Fingerprint);
            w.WriteString("digestSignatureAlgorithm", "SHA256withRSA");
            WriteTimeOrNull(w, "newestEventTime", files.Count == 0 ? null : files.Max(f => f.NewestEventTime));
            WriteTimeOrNull(w, "oldestEventTime", files.Count == 0 ? null : files.Min(f => f.OldestEventTime));
            WriteOrNull(w, "previousDigestS3Bucket", prev.Object is null ? null : _bucket);
            WriteOrNull(w, "previousDigestS3Object", prev.Object);
            WriteOrNull(w, "previousDigestHashValue", prev.Hash);
            WriteOrNull(w, "previousDigestHashAlgorithm", prev.Object is null ? null : "SHA-256");
            WriteOrNull(w, "previousDigestSignature", prev.Signature);
            w.WriteStartArray("logFiles");
            foreach (var f in files)
            {
                w.WriteStartObject();
                w.WriteString("s3Bucket", _bucket);
                w.WriteString("s3Object", f.S3Object);
                w.WriteString("hashValue", f.HashValue);
                w.WriteString("hashAlgorithm", "SHA-256");
                w.WriteString("newestEventTime", SampleRecordWriter.FormatTime(f.NewestEventTime));
                w.WriteString("oldestEventTime", SampleRecordWriter.FormatTime(f.OldestEventTime));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var content = json.ToArray();
        var hash = Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();
        var toSign = DataToSign(SampleRecordWriter.FormatTime(end), _bucket, key, hash, prev.Signature);
        var signature = Convert.ToHexString(_key.SignData(Encoding.UTF8.GetBytes(toSign), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).ToLowerInvariant();

        var path = Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Bytes += SampleGzip.Write(path, content);
        File.WriteAllText(path + SignatureSuffix, signature, new UTF8Encoding(false));
        Files++;
        _previous[(account, region)] = (key, hash, signature);
    }

    /// <summary>CloudTrail's string to sign for a digest file.</summary>
    public static string DataToSign(string digestEndTime, string bucket, string s3Object, string digestSha256Hex, string? previousSignature) =>
        $"{digestEndTime}\n{bucket}/{s3Object}\n{digestSha256Hex}\n{previousSignature ?? "null"}";

    private static void WriteOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static void WriteTimeOrNull(Utf8JsonWriter w, string name, DateTime? value) =>
        WriteOrNull(w, name, value is { } v ? SampleRecordWriter.FormatTime(v) : null);

    public void Dispose() => _key.Dispose();
}

/// <summary>gzip with fixed settings: same bytes in, same bytes out (zlib writes no name and a zero mtime).</summary>
public static class SampleGzip
{
    public static long Write(string path, ReadOnlySpan<byte> content)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using (var gz = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(content);
        return file.Length;
    }
}
