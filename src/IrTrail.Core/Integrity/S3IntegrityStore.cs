using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using IrTrail.Core.Aws;

namespace IrTrail.Core.Integrity;

/// <summary>Digest and log files in S3, where CloudTrail delivered them: listed with the prefix planner, read with GetObject.</summary>
internal sealed class S3IntegrityStore : IIntegrityStore
{
    private readonly AwsSession _session;
    private readonly string _bucket;
    private readonly S3LogStore _listing;
    private readonly S3Reader _reader;
    private readonly ConcurrentDictionary<string, Task<string?>> _regions = new(StringComparer.Ordinal);

    /// <param name="bucketRegion">The bucket's region when known (GetBucketLocation); other buckets a digest names are looked up.</param>
    public S3IntegrityStore(AwsSession session, string bucket, string? bucketRegion, string prefix)
    {
        _session = session;
        _bucket = bucket;
        Prefix = prefix;
        _listing = new S3LogStore(session, bucket, bucketRegion);
        _reader = new S3Reader(session);
        _regions[bucket] = Task.FromResult(bucketRegion);
    }

    public string Prefix { get; }

    public string Description => $"s3://{_bucket}/{Prefix}";

    /// <summary>Raised before every ListObjectsV2 request (see <see cref="S3LogStore.ListRequested"/>).</summary>
    public event Action<string, string?>? ListRequested
    {
        add => _listing.ListRequested += value;
        remove => _listing.ListRequested -= value;
    }

    public async IAsyncEnumerable<ListedDigest> ListDigestsAsync(LogFileQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var q = new LogFileQuery
        {
            Prefix = Prefix, Accounts = query.Accounts, Regions = query.Regions, StartTime = query.StartTime, EndTime = query.EndTime,
            Kinds = [LogFileKind.Digest], MaxSearchDepth = query.MaxSearchDepth,
        };
        await foreach (var f in LogFileFinder.FindAsync(_listing, q, _bucket, null, cancellationToken).ConfigureAwait(false))
            if (DigestKey.TryParse(f.Key!) is { } info) yield return new ListedDigest(info, [new ObjectLocation(_bucket, f.Key!)], null);
    }

    public Task<StoredObject?> OpenAsync(ListedDigest digest, CancellationToken cancellationToken) =>
        OpenAsync(digest.Primary.Bucket!, digest.Primary.Key, cancellationToken);

    public async Task<StoredObject?> OpenAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var region = await _regions.GetOrAdd(bucket, b => S3LogStore.FindBucketRegionAsync(_session, b, CancellationToken.None)).ConfigureAwait(false);
        try
        {
            var o = await _reader.OpenWithMetadataAsync(bucket, key, region, cancellationToken).ConfigureAwait(false);
            if (o.Length is { } length) return new StoredObject(o.Stream, length, o.Metadata, null, o);
            // Content-Length is always there on a GetObject response; without it trailing data could not be found.
            o.Dispose();
            throw new AwsException(AwsErrorKind.Service, $"s3://{bucket}/{key}: the GetObject response has no length.") { BucketName = bucket, Key = key };
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound && ex.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
    }

    public string? LocalPathOf(string bucket, string key) => null;

    public void Dispose()
    {
        _listing.Dispose();
        _reader.Dispose();
    }
}
