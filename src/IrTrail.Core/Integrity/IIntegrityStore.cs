using IrTrail.Core.Aws;

namespace IrTrail.Core.Integrity;

/// <summary>An object's S3 location; the bucket is null when a local copy does not say which bucket it came from.</summary>
internal readonly record struct ObjectLocation(string? Bucket, string Key)
{
    public string UriWith(string? knownBucket) => $"s3://{Bucket ?? knownBucket ?? "(unknown bucket)"}/{Key}";

    /// <summary>Whether a digest claiming to be at bucket/key is here (an unknown bucket matches any).</summary>
    public bool IsAt(string bucket, string key) => (Bucket is null || Bucket == bucket) && Key == key;
}

/// <summary>A digest file found by listing, with the locations it may have come from (one for S3; for a local copy
/// without a manifest entry, each way its path can be read) and its file when local.</summary>
internal sealed record ListedDigest(DigestKeyInfo Info, IReadOnlyList<ObjectLocation> Locations, string? LocalPath)
{
    public ObjectLocation Primary => Locations[0];
}

/// <summary>An object opened for validation: its bytes, length, S3 user metadata, and the file when local.</summary>
internal sealed class StoredObject(Stream stream, long length, IReadOnlyDictionary<string, string> metadata, string? localPath, IDisposable? owner = null) : IDisposable
{
    public Stream Stream { get; } = stream;
    public long Length { get; } = length;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;
    public string? LocalPath { get; } = localPath;

    public void Dispose()
    {
        Stream.Dispose();
        owner?.Dispose();
    }
}

/// <summary>
/// Where digest and log files are validated: an S3 bucket (as CloudTrail delivered them) or a local copy (a
/// Save-IrTrailLog case folder, whose manifests hold each digest's signature metadata). Thread-safe.
/// </summary>
internal interface IIntegrityStore : IDisposable
{
    /// <summary>What the store is, for messages (s3://bucket/prefix or a folder).</summary>
    string Description { get; }

    /// <summary>Digest files whose keys match the query's accounts, regions and days, of any trail, in key order.</summary>
    IAsyncEnumerable<ListedDigest> ListDigestsAsync(LogFileQuery query, CancellationToken cancellationToken);

    /// <summary>Opens a listed digest; null when it is gone. Other failures throw (<see cref="AwsException"/>, IOException).</summary>
    Task<StoredObject?> OpenAsync(ListedDigest digest, CancellationToken cancellationToken);

    /// <summary>Opens the object CloudTrail delivered at bucket/key; null when it does not exist.</summary>
    Task<StoredObject?> OpenAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>The file bucket/key would be for a local copy (for a NotFound result), else null.</summary>
    string? LocalPathOf(string bucket, string key);
}
