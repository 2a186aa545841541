using Amazon.S3;
using Amazon.S3.Model;
using IrTrail.Core.Sources;

namespace IrTrail.Core.Aws;

/// <summary>
/// An S3 object read in place: GetObject's response stream is handed to the reader as it arrives (not staged to
/// disk), and the s3:// URI is recorded as each event's source.
/// </summary>
public sealed class S3ObjectSource : ILogSource
{
    private readonly AmazonS3Client _client;

    /// <param name="client">Shared by many sources of one command; owned by the caller (see <see cref="S3Reader"/>).</param>
    internal S3ObjectSource(AmazonS3Client client, string bucketName, string key, long? length)
    {
        _client = client;
        BucketName = bucketName;
        Key = key;
        Length = length;
    }

    public string BucketName { get; }
    public string Key { get; }
    public string Uri => $"s3://{BucketName}/{Key}";
    public long? Length { get; }

    public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = BucketName, Key = Key }, cancellationToken).ConfigureAwait(false);
            return new ResponseStream(response);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw S3Errors.Map(ex, BucketName, Key, "Reading");
        }
    }

    public override string ToString() => Uri;

    /// <summary>Keeps the response alive as long as its stream, and disposes both together.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _inner.Read(buffer);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _inner.ReadAsync(buffer, offset, count, ct);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => _inner.ReadAsync(buffer, ct);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>Creates S3 sources for one command, with one client per bucket region; dispose when the command ends.</summary>
public sealed class S3Reader(AwsSession session) : IDisposable
{
    // One client per region, shared by parallel downloads (the SDK client is thread-safe); guarded for creation.
    private readonly Dictionary<string, AmazonS3Client> _clients = new(StringComparer.Ordinal);

    public S3ObjectSource Open(string bucketName, string key, long? length = null, string? bucketRegion = null)
    {
        var client = ClientFor(bucketRegion);
        return new S3ObjectSource(client, bucketName, key, length);
    }

    private AmazonS3Client ClientFor(string? bucketRegion)
    {
        var region = bucketRegion ?? session.Region ?? "us-east-1";
        lock (_clients)
        {
            if (!_clients.TryGetValue(region, out var client)) _clients[region] = client = S3ClientFactory.Create(session, region);
            return client;
        }
    }

    /// <summary>Opens an object with the metadata a chain-of-custody record needs.</summary>
    public async Task<OpenedObject> OpenWithMetadataAsync(string bucketName, string key, string? bucketRegion, CancellationToken cancellationToken)
    {
        var client = ClientFor(bucketRegion);
        try
        {
            var r = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucketName, Key = key }, cancellationToken).ConfigureAwait(false);
            return new OpenedObject(r.ResponseStream, r.ContentLength, r.ETag?.Trim('"'), string.IsNullOrEmpty(r.VersionId) || r.VersionId == "null" ? null : r.VersionId, r)
            {
                Metadata = UserMetadata(r.Metadata),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw S3Errors.Map(ex, bucketName, key, "Reading");
        }
    }

    /// <summary>An object's user metadata (x-amz-meta-*) without its metadata fetched: HeadObject.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetMetadataAsync(string bucketName, string key, string? bucketRegion, CancellationToken cancellationToken)
    {
        var client = ClientFor(bucketRegion);
        try
        {
            var r = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucketName, Key = key }, cancellationToken).ConfigureAwait(false);
            return UserMetadata(r.Metadata);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw S3Errors.Map(ex, bucketName, key, "Reading the metadata of");
        }
    }

    /// <summary>User metadata with the x-amz-meta- prefix removed and names in lower case (as S3 stores them), e.g. CloudTrail's
    /// "signature" and "signature-algorithm" on digest files.</summary>
    internal static IReadOnlyDictionary<string, string> UserMetadata(MetadataCollection metadata)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in metadata.Keys)
        {
            var key = name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? name["x-amz-meta-".Length..] : name;
            result[key.ToLowerInvariant()] = metadata[name];
        }
        return result;
    }

    /// <summary>Parses s3://bucket/key.</summary>
    public static bool TryParseUri(string uri, out string bucket, out string key)
    {
        bucket = key = "";
        if (!uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) return false;
        var rest = uri[5..];
        var slash = rest.IndexOf('/');
        bucket = slash < 0 ? rest : rest[..slash];
        key = slash < 0 ? "" : rest[(slash + 1)..];
        return bucket.Length > 0;
    }

    public void Dispose()
    {
        foreach (var c in _clients.Values) c.Dispose();
        _clients.Clear();
    }
}

/// <summary>An open object stream with its S3 metadata; disposing closes the response.</summary>
public sealed class OpenedObject(Stream stream, long? length, string? etag, string? versionId, IDisposable? owner) : IDisposable
{
    public Stream Stream { get; } = stream;
    public long? Length { get; } = length;
    public string? ETag { get; } = etag;
    public string? VersionId { get; } = versionId;

    /// <summary>User metadata (x-amz-meta- removed, lower-case names); empty for local files.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public void Dispose()
    {
        Stream.Dispose();
        owner?.Dispose();
    }
}
