namespace IrTrail.Core.Aws;

/// <summary>What went wrong talking to AWS, in terms a cmdlet maps to an error category.</summary>
public enum AwsErrorKind
{
    NoCredentials,
    ProfileNotFound,
    NoRegion,
    AccessDenied,
    KmsAccessDenied,
    NotFound,
    Throttled,
    Service,
    Network,
}

/// <summary>
/// An AWS failure carrying the AWS error code, request id and the bucket/key it concerns; no SDK types. An IOException
/// so the record reader reports an S3 object that cannot be opened as that source's fault and goes on with the rest.
/// </summary>
public sealed class AwsException : IOException
{
    public AwsException(AwsErrorKind kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    public AwsErrorKind Kind { get; }
    public string? ErrorCode { get; init; }
    public string? RequestId { get; init; }
    public int? StatusCode { get; init; }
    public string? BucketName { get; init; }
    public string? Key { get; init; }

    /// <summary>s3://bucket/key (or bucket only) this error is about, for error record targets.</summary>
    public string? Target => BucketName is null ? null : Key is null ? $"s3://{BucketName}" : $"s3://{BucketName}/{Key}";
}
