namespace IrTrail.Core.Aws;

/// <summary>The AWS common parameters of every cmdlet that talks to AWS, as the engine sees them.</summary>
public sealed class AwsConnectionOptions
{
    public string? ProfileName { get; init; }
    public string? Region { get; init; }
    public string? AccessKeyId { get; init; }
    public string? SecretAccessKey { get; init; }
    public string? SessionToken { get; init; }

    /// <summary>A shared credentials file (its "config" file beside it is read too).</summary>
    public string? ProfileLocation { get; init; }

    /// <summary>An S3-compatible or VPC endpoint; when set, requests use path-style addressing.</summary>
    public string? EndpointUrl { get; init; }
}
