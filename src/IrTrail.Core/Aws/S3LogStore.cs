using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace IrTrail.Core.Aws;

/// <summary>An S3 bucket as a key space for the listing planner (ListObjectsV2, one page at a time).</summary>
public sealed class S3LogStore : ILogStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;

    public S3LogStore(AwsSession session, string bucketName, string? region = null)
    {
        _client = S3ClientFactory.Create(session, region);
        _bucket = bucketName;
    }

    /// <summary>Raised before every ListObjectsV2 request (prefix, delimiter or null): lets tests count what was listed.</summary>
    public event Action<string, string?>? ListRequested;

    /// <summary>Page size; S3's maximum (and default) is 1000.</summary>
    public int PageSize { get; init; } = 1000;

    public async Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken)
    {
        var result = new List<string>();
        var sawObjects = false;
        string? token = null;
        do
        {
            ListRequested?.Invoke(prefix, "/");
            ListObjectsV2Response page;
            try
            {
                page = await _client.ListObjectsV2Async(new ListObjectsV2Request
                {
                    BucketName = _bucket, Prefix = prefix, Delimiter = "/", ContinuationToken = token, MaxKeys = PageSize,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw S3Errors.Map(ex, _bucket, prefix.Length > 0 ? prefix : null, "Listing");
            }
            if (page.CommonPrefixes is { } cps) result.AddRange(cps);
            sawObjects |= page.S3Objects is { Count: > 0 };
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
        if (result.Count == 0 && !sawObjects) await SkipScanFoldersAsync(prefix, result, cancellationToken).ConfigureAwait(false);
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    /// <summary>
    /// Folder listing for servers whose delimiter support only sees folders holding objects directly (s3rver, some
    /// appliances): one MaxKeys=1 request per child, jumping past each child with StartAfter. Only used when the
    /// delimiter listing came back empty, so on S3 it costs one request for a prefix that really is empty.
    /// </summary>
    private async Task SkipScanFoldersAsync(string prefix, List<string> result, CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            ListRequested?.Invoke(prefix, ScanMarker);
            ListObjectsV2Response page;
            try
            {
                page = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix, MaxKeys = 1, StartAfter = after }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw S3Errors.Map(ex, _bucket, prefix.Length > 0 ? prefix : null, "Listing");
            }
            var key = page.S3Objects is { Count: > 0 } o ? o[0].Key : null;
            if (key is null) return;
            var rest = key[prefix.Length..];
            var slash = rest.IndexOf('/');
            if (slash < 0)
            {
                after = key;
                continue;
            }
            var child = prefix + rest[..(slash + 1)];
            result.Add(child);
            after = child + "\uDBFF\uDFFF"; // U+10FFFF: sorts after every key below the child (and is valid in XML)
        }
    }

    /// <summary>The "delimiter" reported to <see cref="ListRequested"/> for a skip-scan request.</summary>
    public const string ScanMarker = "(scan)";

    public async IAsyncEnumerable<StoreObject> ListObjectsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            ListRequested?.Invoke(prefix, null);
            ListObjectsV2Response page;
            try
            {
                page = await _client.ListObjectsV2Async(new ListObjectsV2Request
                {
                    BucketName = _bucket, Prefix = prefix, ContinuationToken = token, MaxKeys = PageSize,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw S3Errors.Map(ex, _bucket, prefix.Length > 0 ? prefix : null, "Listing");
            }
            if (page.S3Objects is { } objects)
                foreach (var o in objects)
                    yield return new StoreObject(o.Key, o.Size ?? 0, o.LastModified?.ToUniversalTime(), o.ETag?.Trim('"'));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        } while (token is not null);
    }

    public string UriOf(string key) => $"s3://{_bucket}/{key}";

    /// <summary>The bucket's own region (GetBucketLocation), or null when it cannot be found.</summary>
    public static async Task<string?> FindBucketRegionAsync(AwsSession session, string bucketName, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(session.EndpointUrl)) return null; // custom endpoints have no AWS region to find
        using var client = S3ClientFactory.Create(session, "us-east-1");
        try
        {
            var r = await client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucketName }, cancellationToken).ConfigureAwait(false);
            var v = r.Location?.Value;
            return string.IsNullOrEmpty(v) ? "us-east-1" : v == "EU" ? "eu-west-1" : v;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var mapped = S3Errors.Map(ex, bucketName, null, "Finding the region of");
            if (mapped.Kind == AwsErrorKind.NotFound) throw mapped;
            return null;
        }
    }

    public void Dispose() => _client.Dispose();
}
