using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace IrTrail.Core.Aws;

/// <summary>Builds S3 clients from a resolved session: standard retries with backoff, path style for custom endpoints.</summary>
internal static class S3ClientFactory
{
    public static AmazonS3Client Create(AwsSession session, string? region = null)
    {
        var config = new AmazonS3Config
        {
            // Checksums only when the API requires them: S3-compatible servers (and older appliances) reject or
            // mangle the newer default flexible checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            RetryMode = RequestRetryMode.Standard, // throttling and 5xx retried with bounded exponential backoff
            MaxErrorRetry = 4,
        };
        var r = region ?? session.Region ?? "us-east-1";
        if (!string.IsNullOrEmpty(session.EndpointUrl))
        {
            config.ServiceURL = session.EndpointUrl;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = r;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(r);
        }
        return new AmazonS3Client(session.Credentials, config);
    }
}
