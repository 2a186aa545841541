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
    AlreadyExists,
    InvalidRequest,
    Throttled,
    Service,
    Network,
}

/// <summary>
/// An AWS failure carrying the AWS error code, request id and the bucket/key or resource it concerns; no SDK types
/// (the SDK's exception, when there was one, is the inner exception). An IOException
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

    /// <summary>The service in error ids and messages ("Glue", "Athena", ...); null for S3 and for local failures.</summary>
    public string? Service { get; init; }

    /// <summary>The API operation that failed ("GetDatabase").</summary>
    public string? Operation { get; init; }

    /// <summary>What the operation was about, as a user names it: "database 'x'", "crawler 'y'".</summary>
    public string? Resource { get; init; }

    /// <summary>s3://bucket/key (or bucket only), else the resource this error is about, for error record targets.</summary>
    public string? Target => BucketName is null ? Resource : Key is null ? $"s3://{BucketName}" : $"s3://{BucketName}/{Key}";

    /// <summary>The same failure named after the resource it concerns (engine code knows it, the client does not).</summary>
    public AwsException About(string resource) =>
        Service is null || Operation is null ? this : AwsServiceErrors.Map(InnerException ?? this, Service, Operation, resource);
}
