using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IrTrail.Core.Integrity;
using IrTrail.Core.Sample;

namespace IrTrail.Tests.Engine;

/// <summary>
/// Signed sample deliveries (New-IrTrailSampleData's generator with digests) and the ways to tamper with them that
/// the integrity tests and the differential test against `aws cloudtrail validate-logs` share.
/// </summary>
public sealed class IntegritySampleFixture : IDisposable
{
    public const int Seed = 11;
    public static readonly string[] Regions = ["us-east-1", "eu-west-1"];
    public const string Account = "111122223333";
    public const string Bucket = SampleDataOptions.BucketName;
    public static readonly DateTime Start = new(2025, 3, 3, 0, 0, 0, DateTimeKind.Utc);

    private readonly string _dir = Directory.CreateTempSubdirectory("irtrail-integrity-").FullName;

    /// <summary>Three hours of one account in two regions: 3 digests and 36 log files per region.</summary>
    public string Pristine { get; }

    /// <summary>The same trail three hours later, generated apart: its chain starts afresh (a gap once merged).</summary>
    public string Later { get; }

    public SampleDataResult Result { get; }

    public IntegritySampleFixture()
    {
        Pristine = Path.Combine(_dir, "pristine");
        Result = Generate(Pristine, Start);
        Later = Path.Combine(_dir, "later");
        Generate(Later, Start.AddHours(6));
    }

    private static SampleDataResult Generate(string path, DateTime start) => new SampleDataGenerator(new SampleDataOptions
    {
        OutputPath = path, EventCount = 700, Duration = TimeSpan.FromHours(3), Seed = Seed, IncludeDigest = true,
        Accounts = [Account], Regions = Regions, StartTime = start, MaxParallelism = 2,
    }).Generate();

    /// <summary>The private key the sample signed with (sample data only: it is drawn from the seed).</summary>
    public static RSA SigningKey() => SeededRsaKey.Create(Seed ^ 0x5A17);

    /// <summary>A copy of the pristine sample to tamper with.</summary>
    public string Copy(string name)
    {
        var target = Path.Combine(_dir, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        CopyTree(Pristine, target);
        return target;
    }

    public static void CopyTree(string from, string to)
    {
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var t = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(t)!);
            File.Copy(f, t, overwrite: true);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

/// <summary>Reading and tampering with a sample folder (root holding AWSLogs/).</summary>
internal static class SampleTamper
{
    public static string Rel(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    public static string Uri(string root, string path) => $"s3://{IntegritySampleFixture.Bucket}/{Rel(root, path)}";

    public static List<string> Logs(string root, string? region = null) =>
        Directory.EnumerateFiles(Path.Combine(root, "AWSLogs"), "*.json.gz", SearchOption.AllDirectories)
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}CloudTrail{Path.DirectorySeparatorChar}{region}"))
            .Order(StringComparer.Ordinal).ToList();

    public static List<string> Digests(string root, string? region = null) =>
        Directory.EnumerateFiles(Path.Combine(root, "AWSLogs"), "*.json.gz", SearchOption.AllDirectories)
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}CloudTrail-Digest{Path.DirectorySeparatorChar}{region}"))
            .Order(StringComparer.Ordinal).ToList();

    public static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    public static void Gzip(string path, byte[] content)
    {
        using var f = File.Create(path);
        using var gz = new GZipStream(f, CompressionLevel.Optimal);
        gz.Write(content);
    }

    /// <summary>Changes one byte of the decompressed content and compresses it again: a well-formed file with other content.</summary>
    public static void EditContent(string path)
    {
        var content = Gunzip(path);
        var i = Array.IndexOf(content, (byte)'"', content.Length / 2);
        content[i + 1] = content[i + 1] == (byte)'x' ? (byte)'y' : (byte)'x';
        Gzip(path, content);
    }

    /// <summary>Flips a byte inside the compressed data: the file no longer decompresses to what its gzip trailer says.</summary>
    /// <summary>Changes a digest's record (a log file's hash) and compresses it again, keeping the signature it had.</summary>
    public static void EditDigest(string path)
    {
        var d = ReadDigest(path);
        var first = d["logFiles"]!.AsArray()[0]!;
        var hash = first["hashValue"]!.GetValue<string>();
        first["hashValue"] = (hash[0] == '0' ? "1" : "0") + hash[1..];
        Gzip(path, Encoding.UTF8.GetBytes(d.ToJsonString()));
    }

    public static void FlipCompressedByte(string path)
    {
        var b = File.ReadAllBytes(path);
        b[b.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, b);
    }

    public static void AppendBytes(string path, byte[] extra) => File.AppendAllText(path, Encoding.Latin1.GetString(extra), Encoding.Latin1);

    public static JsonObject ReadDigest(string path) => JsonNode.Parse(Gunzip(path))!.AsObject();

    public static string Sha256Hex(byte[] b) => Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();

    /// <summary>Writes a digest's JSON and signs it (as the string to sign prescribes) with a key, in the sidecar.</summary>
    public static void WriteSigned(string path, JsonObject digest, RSA key)
    {
        var content = Encoding.UTF8.GetBytes(digest.ToJsonString());
        Gzip(path, content);
        var prev = digest["previousDigestSignature"]?.GetValue<string>();
        var toSign = $"{digest["digestEndTime"]!.GetValue<string>()}\n{digest["digestS3Bucket"]!.GetValue<string>()}/{digest["digestS3Object"]!.GetValue<string>()}\n{Sha256Hex(content)}\n{prev ?? "null"}";
        File.WriteAllText(path + DigestWriter.SignatureSuffix, Convert.ToHexString(key.SignData(Encoding.UTF8.GetBytes(toSign), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).ToLowerInvariant());
    }

    /// <summary>Beside a backfill digest: its x-amz-meta-backfill-generation-timestamp (for the upload to S3).</summary>
    public const string BackfillSuffix = ".backfill";

    /// <summary>
    /// Adds a chain of two backfill digests (as CloudTrail writes when it delivers digests late) for a region, over the
    /// first hours' log files, signed with the sample key; their backfill-generation-timestamp goes in a sidecar.
    /// Returns the two digest paths, oldest first.
    /// </summary>
    public static List<string> AddBackfill(string root, string region, DateTime generated)
    {
        var logs = Logs(root, region);
        var account = IntegritySampleFixture.Account;
        var result = new List<string>();
        (string Key, string Hash, string Signature)? previous = null;
        using var key = IntegritySampleFixture.SigningKey();
        var fingerprint = ReadDigest(Digests(root)[0])["digestPublicKeyFingerprint"]!.GetValue<string>();
        for (var h = 1; h <= 2; h++)
        {
            var start = IntegritySampleFixture.Start.AddHours(h - 1);
            var end = start.AddHours(1);
            var k = $"AWSLogs/{account}/CloudTrail-Digest/{region}/{end:yyyy'/'MM'/'dd}/{account}_CloudTrail-Digest_{region}_{SampleDataOptions.TrailName}_us-east-1_{end:yyyyMMdd'T'HHmmss'Z'}_backfill.json.gz";
            var files = new JsonArray();
            foreach (var l in logs.Skip((h - 1) * 2).Take(2))
                files.Add(new JsonObject
                {
                    ["s3Bucket"] = IntegritySampleFixture.Bucket, ["s3Object"] = Rel(root, l), ["hashValue"] = Sha256Hex(Gunzip(l)), ["hashAlgorithm"] = "SHA-256",
                });
            var d = new JsonObject
            {
                ["awsAccountId"] = account, ["digestStartTime"] = $"{start:yyyy-MM-dd'T'HH:mm:ss'Z'}", ["digestEndTime"] = $"{end:yyyy-MM-dd'T'HH:mm:ss'Z'}",
                ["digestS3Bucket"] = IntegritySampleFixture.Bucket, ["digestS3Object"] = k, ["digestPublicKeyFingerprint"] = fingerprint,
                ["digestSignatureAlgorithm"] = "SHA256withRSA", ["newestEventTime"] = null, ["oldestEventTime"] = null,
                ["previousDigestS3Bucket"] = previous is null ? null : IntegritySampleFixture.Bucket, ["previousDigestS3Object"] = previous?.Key,
                ["previousDigestHashValue"] = previous?.Hash, ["previousDigestHashAlgorithm"] = previous is null ? null : "SHA-256",
                ["previousDigestSignature"] = previous?.Signature, ["logFiles"] = files,
            };
            var path = Path.Combine(root, k);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteSigned(path, d, key);
            File.WriteAllText(path + BackfillSuffix, $"{generated:yyyy-MM-dd'T'HH:mm:ss'Z'}");
            previous = (k, Sha256Hex(Gunzip(path)), Signature(path));
            result.Add(path);
        }
        return result;
    }

    public static string Signature(string digestPath) => File.ReadAllText(digestPath + DigestWriter.SignatureSuffix).Trim();

    /// <summary>The sample's public key as CloudTrail's ListPublicKeys returns it: PKCS#1 DER, and the fingerprint the digests name.</summary>
    public static (byte[] Pkcs1, string Fingerprint) PublicKey(string root)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(Path.Combine(root, SampleDataGenerator.PublicKeyFileName)));
        var fingerprint = ReadDigest(Digests(root)[0])["digestPublicKeyFingerprint"]!.GetValue<string>();
        return (rsa.ExportRSAPublicKey(), fingerprint);
    }
}

/// <summary>Runs the validator and collects what it reports.</summary>
internal static class IntegrityRun
{
    public sealed record Outcome(List<LogIntegrityResult> Results, List<ObjectNotChecked> NotChecked, LogIntegritySummary Summary, int Listed);

    public static async Task<Outcome> RunAsync(IIntegrityStore store, IPublicKeySource keys, IntegrityOptions? options = null)
    {
        var validator = new IntegrityValidator(store, keys, options ?? new IntegrityOptions { EndTime = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc) });
        var results = new List<LogIntegrityResult>();
        var errors = new List<ObjectNotChecked>();
        var listed = -1;
        await foreach (var e in validator.RunAsync(default))
        {
            switch (e)
            {
                case DigestsListed l: listed = l.Count; break;
                case ObjectChecked c: results.Add(c.Result); break;
                case ObjectNotChecked n: errors.Add(n); break;
            }
        }
        return new Outcome(results, errors, validator.Summary, listed);
    }

    public static FixedPublicKeySource KeysFrom(string path) => new(PublicKeyFile.Load(path));

    public static async Task<Outcome> FolderAsync(string root, IntegrityOptions? options = null, string? keyPath = null)
    {
        using var store = new FolderIntegrityStore(root);
        using var keys = KeysFrom(keyPath ?? Path.Combine(root, SampleDataGenerator.PublicKeyFileName));
        return await RunAsync(store, keys, options);
    }
}

/// <summary>Puts a sample folder into moto's S3 as CloudTrail delivers it: digest objects carry their signature as
/// x-amz-meta-signature and x-amz-meta-signature-algorithm.</summary>
internal static class MotoSamples
{
    public static Amazon.S3.AmazonS3Client Client(Support.MotoServerFixture moto) =>
        new(new Amazon.Runtime.BasicAWSCredentials(Support.MotoServerFixture.AccessKey, Support.MotoServerFixture.SecretKey), new Amazon.S3.AmazonS3Config
        {
            ServiceURL = moto.EndpointUrl, ForcePathStyle = true, AuthenticationRegion = Support.MotoServerFixture.Region,
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        });

    public static Core.Aws.AwsSession Session(Support.MotoServerFixture moto) => Core.Aws.AwsSessionResolver.Resolve(new Core.Aws.AwsConnectionOptions
    {
        AccessKeyId = Support.MotoServerFixture.AccessKey, SecretAccessKey = Support.MotoServerFixture.SecretKey, EndpointUrl = moto.EndpointUrl,
        Region = Support.MotoServerFixture.Region,
    }, _ => null);

    /// <summary>A fresh moto holding the folder's AWSLogs/ under <paramref name="bucket"/> (the digests' own bucket by default).</summary>
    public static async Task UploadAsync(Support.MotoServerFixture moto, string root, string bucket = IntegritySampleFixture.Bucket, Func<string, bool>? withoutMetadata = null)
    {
        await moto.ResetAsync();
        using var s3 = Client(moto);
        await s3.PutBucketAsync(new Amazon.S3.Model.PutBucketRequest { BucketName = bucket });
        var files = Directory.EnumerateFiles(Path.Combine(root, "AWSLogs"), "*.json.gz", SearchOption.AllDirectories).ToList();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (f, ct) =>
        {
            var put = new Amazon.S3.Model.PutObjectRequest
            {
                BucketName = bucket, Key = SampleTamper.Rel(root, f), InputStream = new MemoryStream(await File.ReadAllBytesAsync(f, ct)), UseChunkEncoding = false,
            };
            var sidecar = f + DigestWriter.SignatureSuffix;
            if (File.Exists(sidecar) && withoutMetadata?.Invoke(f) != true)
            {
                put.Metadata.Add("signature", (await File.ReadAllTextAsync(sidecar, ct)).Trim());
                put.Metadata.Add("signature-algorithm", "SHA256withRSA");
                if (File.Exists(f + SampleTamper.BackfillSuffix)) put.Metadata.Add("backfill-generation-timestamp", (await File.ReadAllTextAsync(f + SampleTamper.BackfillSuffix, ct)).Trim());
            }
            await s3.PutObjectAsync(put, ct);
        });
    }
}

/// <summary>ListPublicKeys served from keys given, recording the calls (the online path, without AWS).</summary>
internal sealed class FakePublicKeyApi(params (byte[] Der, string Fingerprint)[] keys) : ICloudTrailPublicKeyApi
{
    public List<(string Region, DateTime Start, DateTime End)> Calls { get; } = [];
    public Exception? Failure { get; set; }

    public Task<CloudTrailPublicKeyPage> ListPublicKeysAsync(string region, DateTime startTime, DateTime endTime, string? nextToken, CancellationToken cancellationToken)
    {
        lock (Calls) Calls.Add((region, startTime, endTime));
        if (Failure is not null) throw Failure;
        return Task.FromResult(new CloudTrailPublicKeyPage(keys.Select(k => new CloudTrailPublicKey(k.Der, null, null, k.Fingerprint)).ToList(), null));
    }
}
