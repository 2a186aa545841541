using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using IrTrail.Core.Sources;

namespace IrTrail.Core.Aws;

/// <summary>
/// Downloads log files into a case folder, preserving the key layout under the bucket name, in parallel. Each
/// object goes to a temporary name, is hashed while written, checked against its length and (for single-part
/// objects) its MD5 ETag, then renamed. A file already present is skipped when its size and hash match the last
/// manifest (or the ETag), which makes an interrupted run resumable.
/// </summary>
public sealed class LogAcquirer(S3Reader? s3, string destination)
{
    public const string ManifestPrefix = IrTrail.Core.Sources.LogFileNames.AcquisitionManifestPrefix;
    private readonly string _root = Path.GetFullPath(destination);

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>The case-folder-relative path a log file is saved to.</summary>
    public static string RelativePathOf(LogFile f) =>
        f.IsS3 ? $"{f.BucketName}/{f.Key}" : f.Key is { Length: > 0 } k ? k : Path.GetFileName(f.Uri);

    public string FullPathOf(LogFile f) => Path.Combine(_root, RelativePathOf(f).Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Acquires the files with at most <paramref name="throttleLimit"/> at a time; results stream as they finish.</summary>
    /// <param name="acquired">Called (on a worker thread) as each object is done, whether or not the consumer reads its
    /// result: a custody record that stays complete when the consumer stops early.</param>
    public async IAsyncEnumerable<AcquiredObject> AcquireAsync(IReadOnlyList<LogFile> files, int throttleLimit,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, Action<AcquiredObject>? acquired = null)
    {
        Directory.CreateDirectory(_root);
        var known = LoadKnownHashes();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var results = Channel.CreateUnbounded<AcquiredObject>();
        var worker = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, throttleLimit), CancellationToken = stop.Token },
                    async (f, ct) =>
                    {
                        var o = await AcquireOneAsync(f, known, ct).ConfigureAwait(false);
                        acquired?.Invoke(o);
                        results.Writer.TryWrite(o); // unbounded: never refused, also once stopping
                    }).ConfigureAwait(false);
                results.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                results.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var r in results.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false)) yield return r;
        }
        finally
        {
            // A consumer that stops early stops the downloads and waits for them to clean up (no .partial left).
            await stop.CancelAsync().ConfigureAwait(false);
            await worker.ConfigureAwait(false); // never faults: failures complete the channel
        }
    }

    private async Task<AcquiredObject> AcquireOneAsync(LogFile f, IReadOnlyDictionary<string, KnownObject> known, CancellationToken ct)
    {
        var relative = RelativePathOf(f);
        var path = FullPathOf(f);
        try
        {
            if (File.Exists(path) && new FileInfo(path).Length == f.Size)
            {
                var (sha, md5) = await HashFileAsync(path, ct).ConfigureAwait(false);
                var sameAsBefore = known.TryGetValue(f.Uri, out var k) && k.Size == f.Size && string.Equals(k.Sha256, sha, StringComparison.OrdinalIgnoreCase);
                if (sameAsBefore || IsPlainMd5(f.ETag) && string.Equals(f.ETag, md5, StringComparison.OrdinalIgnoreCase))
                {
                    // A digest's signature lives in its S3 metadata, which offline validation needs in the manifest: kept
                    // from the run that recorded it, else read again (HeadObject).
                    var recorded = sameAsBefore ? k!.Metadata : null;
                    if (recorded is null && f.IsS3 && f.Kind == LogFileKind.Digest && s3 is not null)
                        recorded = NullIfEmpty(await s3.GetMetadataAsync(f.BucketName!, f.Key!, f.BucketRegion, ct).ConfigureAwait(false));
                    else if (recorded is null && !f.IsS3)
                        recorded = NullIfEmpty(LocalMetadata(f));
                    return new AcquiredObject
                    {
                        SourceUri = f.Uri, ETag = f.ETag, Size = f.Size, Sha256 = sha, AcquiredUtc = DateTime.UtcNow, LocalPath = relative,
                        Metadata = recorded, Status = AcquisitionStatus.AlreadyPresent,
                    };
                }
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var partial = path + ".partial";
            string? etag = f.ETag, versionId = null;
            IReadOnlyDictionary<string, string>? metadata = null;
            long? expected = f.Size;
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var md5Hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            long written = 0;
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                OpenedObject opened;
                if (f.IsS3)
                {
                    if (s3 is null) throw new InvalidOperationException("S3 objects need AWS credentials.");
                    opened = await s3.OpenWithMetadataAsync(f.BucketName!, f.Key!, f.BucketRegion, ct).ConfigureAwait(false);
                }
                else
                {
                    opened = new OpenedObject(await new LocalFileSource(f.Uri).OpenAsync(ct).ConfigureAwait(false), f.Size, null, null, null)
                    {
                        Metadata = LocalMetadata(f),
                    };
                }
                using (opened)
                {
                    etag = opened.ETag ?? etag;
                    versionId = opened.VersionId;
                    metadata = NullIfEmpty(opened.Metadata);
                    expected = opened.Length ?? expected;
                    var buffer = new byte[1 << 16];
                    int n;
                    while ((n = await opened.Stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                    {
                        sha256.AppendData(buffer, 0, n);
                        md5Hash.AppendData(buffer, 0, n);
                        await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                        written += n;
                    }
                }
            }
            var shaHex = Convert.ToHexString(sha256.GetHashAndReset()).ToLowerInvariant();
            var md5Hex = Convert.ToHexString(md5Hash.GetHashAndReset()).ToLowerInvariant();
            if (expected is { } e && e != written)
                throw new InvalidDataException($"Downloaded {written:N0} bytes of {f.Uri}, expected {e:N0}.");
            if (IsPlainMd5(etag) && !string.Equals(etag, md5Hex, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"The MD5 of the downloaded {f.Uri} ({md5Hex}) does not match its ETag ({etag}).");
            File.Move(partial, path, overwrite: true);
            return new AcquiredObject
            {
                SourceUri = f.Uri, ETag = etag, VersionId = versionId, Size = written, Sha256 = shaHex, AcquiredUtc = DateTime.UtcNow,
                LocalPath = relative, Metadata = metadata, Status = AcquisitionStatus.Downloaded,
            };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped mid-download: leave no partial file behind (the next run starts that object again).
            TryDelete(path + ".partial");
            throw;
        }
        catch (Exception ex)
        {
            TryDelete(path + ".partial");
            return new AcquiredObject
            {
                SourceUri = f.Uri, ETag = f.ETag, Size = f.Size, LocalPath = relative, Status = AcquisitionStatus.Failed, Error = ex.Message, Exception = ex,
            };
        }
    }

    /// <summary>Writes the run's manifest into the case folder (temporary name, then rename); returns its path.</summary>
    public string WriteManifest(AcquisitionManifest manifest)
    {
        Directory.CreateDirectory(_root);
        var path = Path.Combine(_root, $"{ManifestPrefix}{manifest.StartedUtc:yyyyMMdd'T'HHmmss'Z'}.json");
        for (var i = 2; File.Exists(path); i++) path = Path.Combine(_root, $"{ManifestPrefix}{manifest.StartedUtc:yyyyMMdd'T'HHmmss'Z'}-{i}.json");
        var tmp = path + ".partial";
        File.WriteAllText(tmp, JsonSerializer.Serialize(manifest, JsonOptions));
        File.Move(tmp, path);
        return path;
    }

    /// <summary>A local digest's signature, where New-IrTrailSampleData keeps it: "&lt;digest&gt;.signature" beside it (what S3
    /// holds as x-amz-meta-signature), so a case folder made from local files validates offline as well.</summary>
    private static IReadOnlyDictionary<string, string> LocalMetadata(LogFile f)
    {
        var sidecar = f.Uri + IrTrail.Core.Sample.DigestWriter.SignatureSuffix;
        return f.Kind == LogFileKind.Digest && File.Exists(sidecar)
            ? new Dictionary<string, string>
            {
                [IrTrail.Core.Integrity.DigestSignature.SignatureMetadata] = File.ReadAllText(sidecar).Trim(),
                [IrTrail.Core.Integrity.DigestSignature.AlgorithmMetadata] = IrTrail.Core.Integrity.DigestSignature.Algorithm,
            }
            : new Dictionary<string, string>();
    }

    private static IReadOnlyDictionary<string, string>? NullIfEmpty(IReadOnlyDictionary<string, string> m) => m.Count == 0 ? null : m;

    private sealed record KnownObject(long Size, string Sha256, IReadOnlyDictionary<string, string>? Metadata);

    /// <summary>What earlier runs into this case folder recorded, by source URI (latest wins).</summary>
    private Dictionary<string, KnownObject> LoadKnownHashes()
    {
        var known = new Dictionary<string, KnownObject>(StringComparer.Ordinal);
        foreach (var m in Directory.EnumerateFiles(_root, ManifestPrefix + "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                var manifest = JsonSerializer.Deserialize<AcquisitionManifest>(File.ReadAllText(m), JsonOptions);
                foreach (var o in manifest?.Objects ?? [])
                    if (o.Status != AcquisitionStatus.Failed && o.Sha256 is { } s) known[o.SourceUri] = new KnownObject(o.Size, s, o.Metadata);
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                // An unreadable manifest only means those files are downloaded again.
            }
        }
        return known;
    }

    public static async Task<(string Sha256, string Md5)> HashFileAsync(string path, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = await s.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            sha.AppendData(buffer, 0, n);
            md5.AppendData(buffer, 0, n);
        }
        return (Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant(), Convert.ToHexString(md5.GetHashAndReset()).ToLowerInvariant());
    }

    /// <summary>Single-part, non-KMS objects have the MD5 of their bytes as ETag; multipart ETags contain '-'.</summary>
    private static bool IsPlainMd5(string? etag) => etag is { Length: 32 } && etag.All(Uri.IsHexDigit);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
