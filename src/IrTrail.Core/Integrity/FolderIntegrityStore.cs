using System.Runtime.CompilerServices;
using System.Text.Json;
using IrTrail.Core.Aws;
using IrTrail.Core.Sample;
using IrTrail.Core.Sources;

namespace IrTrail.Core.Integrity;

/// <summary>
/// A local copy of CloudTrail's delivery layout, validated offline: a Save-IrTrailLog case folder
/// (<c>&lt;case&gt;/&lt;bucket&gt;/[prefix/]AWSLogs/…</c>, with irtrail-acquisition-*.json manifests that hold each object's S3
/// location and each digest's signature metadata), or any folder holding <c>AWSLogs/</c> (a New-IrTrailSampleData
/// output, whose digests have "&lt;digest&gt;.signature" files beside them, or a copy made with other tools).
/// An object's S3 location comes from the manifest when one lists it; otherwise from its path: <c>&lt;bucket&gt;/&lt;key&gt;</c>
/// as Save-IrTrailLog lays it out, or the key alone (bucket unknown) when AWSLogs/ is at the top.
/// </summary>
internal sealed class FolderIntegrityStore : IIntegrityStore
{
    private readonly string _root;
    private readonly Dictionary<string, (ObjectLocation Location, IReadOnlyDictionary<string, string>? Metadata)> _byPath;
    private readonly Dictionary<(string Bucket, string Key), string> _byLocation = [];

    public FolderIntegrityStore(string folder)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        // Given the AWSLogs folder itself (New-IrTrailSampleData's Path), work from the folder above it.
        _root = Path.GetFileName(full) == "AWSLogs" && Path.GetDirectoryName(full) is { } parent ? parent : full;
        _byPath = new Dictionary<string, (ObjectLocation, IReadOnlyDictionary<string, string>?)>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        LoadManifests();
        _bucketless = Directory.Exists(Path.Combine(_root, "AWSLogs"));
    }

    /// <summary>AWSLogs/ is right in the root: paths are keys, with no bucket folder above them.</summary>
    private readonly bool _bucketless;

    public string Description => _root;

    /// <summary>Manifest files read (the nearest folder at or above the root that has any), for messages.</summary>
    public IReadOnlyList<string> Manifests { get; private set; } = [];

    private void LoadManifests()
    {
        // The case folder is the root or (when given the bucket's folder) a level or two above it.
        for (var dir = _root; dir is not null && Manifests.Count == 0 && Path.GetRelativePath(dir, _root).Count(c => c == Path.DirectorySeparatorChar) < 3;
             dir = Path.GetDirectoryName(dir))
        {
            List<string> files;
            try { files = Directory.EnumerateFiles(dir, LogFileNames.AcquisitionManifestPrefix + "*.json").Order(StringComparer.Ordinal).ToList(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; }
            foreach (var m in files)
            {
                AcquisitionManifest? manifest;
                try { manifest = JsonSerializer.Deserialize<AcquisitionManifest>(File.ReadAllText(m), LogAcquirer.JsonOptions); }
                catch (JsonException ex) { throw new InvalidDataException($"The case manifest '{m}' is not readable: {ex.Message}", ex); }
                // Later manifests (name order is time order) win: a resumed acquisition re-records what it verified.
                foreach (var o in manifest?.Objects ?? [])
                {
                    if (o.Status == AcquisitionStatus.Failed || !S3Reader.TryParseUri(o.SourceUri, out var bucket, out var key)) continue;
                    var path = Path.GetFullPath(Path.Combine(dir, o.LocalPath.Replace('/', Path.DirectorySeparatorChar)));
                    _byPath[path] = (new ObjectLocation(bucket, key), o.Metadata);
                    _byLocation[(bucket, key)] = path;
                }
            }
            if (files.Count > 0) Manifests = files;
        }
    }

    public async IAsyncEnumerable<ListedDigest> ListDigestsAsync(LogFileQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var q = new LogFileQuery
        {
            Prefix = "", Accounts = query.Accounts, Regions = query.Regions, StartTime = query.StartTime, EndTime = query.EndTime,
            Kinds = [LogFileKind.Digest], MaxSearchDepth = query.MaxSearchDepth,
        };
        await foreach (var f in LogFileFinder.FindAsync(new LocalLogStore(_root), q, null, null, cancellationToken).ConfigureAwait(false))
        {
            if (DigestKey.TryParse(f.Key!) is not { } info) continue;
            var path = Path.GetFullPath(f.Uri);
            yield return new ListedDigest(info, LocationsOf(path, f.Key!), path);
        }
    }

    /// <summary>Where a file came from: its manifest entry, else each way its path can be read.</summary>
    private IReadOnlyList<ObjectLocation> LocationsOf(string path, string relative)
    {
        if (_byPath.TryGetValue(path, out var known)) return [known.Location];
        var slash = relative.IndexOf('/');
        return relative.StartsWith("AWSLogs/", StringComparison.Ordinal) || slash < 0
            ? [new ObjectLocation(null, relative)]
            : [new ObjectLocation(relative[..slash], relative[(slash + 1)..]), new ObjectLocation(null, relative)];
    }

    public Task<StoredObject?> OpenAsync(ListedDigest digest, CancellationToken cancellationToken) =>
        Task.FromResult(Open(digest.LocalPath!, digest.Primary));

    public Task<StoredObject?> OpenAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        foreach (var path in Candidates(bucket, key))
        {
            if (File.Exists(path)) return Task.FromResult(Open(path, new ObjectLocation(bucket, key)));
            // Something is there but it cannot be the object: unreadable, not missing.
            if (Directory.Exists(path)) throw new IOException($"'{path}' is a folder, not the file of s3://{bucket}/{key}.");
        }
        return Task.FromResult<StoredObject?>(null);
    }

    public string? LocalPathOf(string bucket, string key) => Candidates(bucket, key).FirstOrDefault();

    private IEnumerable<string> Candidates(string bucket, string key)
    {
        if (_byLocation.TryGetValue((bucket, key), out var known)) yield return known;
        if (!IsSafeRelative(bucket) || !IsSafeRelative(key)) yield break; // a digest's names never lead outside the folder
        var withBucket = Path.Combine(_root, bucket, key.Replace('/', Path.DirectorySeparatorChar));
        var keyOnly = Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
        // The layout this folder has comes first (it is also where a missing object is said to belong).
        if (_bucketless) { yield return keyOnly; yield return withBucket; }
        else { yield return withBucket; yield return keyOnly; }
    }

    private static bool IsSafeRelative(string s) =>
        s.Length > 0 && !Path.IsPathRooted(s) && !s.Contains('\\') && s.Split('/').All(seg => seg is not ("" or "." or ".."));

    private StoredObject? Open(string path, ObjectLocation location)
    {
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan); }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException) { return null; }
        return new StoredObject(stream, stream.Length, MetadataOf(path), path);
    }

    /// <summary>S3 metadata recorded at acquisition; else a sample's "&lt;digest&gt;.signature" file (SHA256withRSA).</summary>
    private IReadOnlyDictionary<string, string> MetadataOf(string path)
    {
        if (_byPath.TryGetValue(path, out var known) && known.Metadata is { } m) return m;
        var sidecar = path + DigestWriter.SignatureSuffix;
        if (File.Exists(sidecar))
            return new Dictionary<string, string>
            {
                [DigestSignature.SignatureMetadata] = File.ReadAllText(sidecar).Trim(),
                [DigestSignature.AlgorithmMetadata] = DigestSignature.Algorithm,
            };
        return new Dictionary<string, string>();
    }

    public void Dispose() { }
}
