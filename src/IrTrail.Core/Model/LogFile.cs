namespace IrTrail;

/// <summary>Which CloudTrail delivery stream an object belongs to (the folder after the account in the key).</summary>
public enum LogFileKind
{
    Log,
    Digest,
    Insight,
}

/// <summary>
/// One CloudTrail delivery object found in S3 or in a local copy of the standard layout. Output of
/// Get-IrTrailLogFile and pipeline input of Save-IrTrailLog and Get-IrTrailEvent (bound by property name).
/// </summary>
public sealed class LogFile
{
    /// <summary>s3://bucket/key, or the full local path.</summary>
    public string Uri { get; init; } = "";

    public string? Account { get; init; }

    /// <summary>The AWS region the events were recorded in (from the key), not the bucket's region.</summary>
    public string? Region { get; init; }

    /// <summary>The delivery day (UTC) from the key.</summary>
    public DateTime? Date { get; init; }

    public LogFileKind Kind { get; init; }

    public long Size { get; init; }

    public DateTime? LastModified { get; init; }

    public string? ETag { get; init; }

    /// <summary>AWS Organizations id when the object is in an organization trail's layout.</summary>
    public string? OrganizationId { get; init; }

    /// <summary>Bucket for S3 objects, null for local files.</summary>
    public string? BucketName { get; init; }

    /// <summary>Object key (S3) or the path relative to the searched folder (local).</summary>
    public string? Key { get; init; }

    /// <summary>Region the bucket lives in, when it was found; used to address the object later.</summary>
    public string? BucketRegion { get; init; }

    public bool IsS3 => BucketName is not null;

    public override string ToString() => Uri;
}
