using System.Management.Automation;
using IrTrail.Core.Aws;

namespace IrTrail.Common;

/// <summary>
/// Maps engine AWS failures to stable error ids and real categories, with the S3 object or the resource as target.
/// Ids name the service: S3AccessDenied, GlueAccessDenied, AthenaThrottled, CloudTrailNotFound, ConfigServiceRequestFailed...
/// </summary>
internal static class AwsErrors
{
    public static ErrorRecord ToErrorRecord(AwsException ex, object? target)
    {
        var service = ex.Service ?? "S3";
        var s3 = ex.Service is null;
        var (id, category, action) = ex.Kind switch
        {
            AwsErrorKind.NoCredentials => ("AwsNoCredentials", ErrorCategory.AuthenticationError, "Use -Credential or -ProfileName, or set AWS_ACCESS_KEY_ID / AWS_PROFILE."),
            AwsErrorKind.ProfileNotFound => ("AwsProfileNotFound", ErrorCategory.ObjectNotFound, "Check the profile name (tab completion lists them) and -ProfileLocation."),
            AwsErrorKind.NoRegion => ("AwsNoRegion", ErrorCategory.InvalidArgument, "Use -Region or set AWS_REGION."),
            AwsErrorKind.AccessDenied => ($"{service}AccessDenied", ErrorCategory.PermissionDenied, "See docs/aws-permissions.md for the permissions this cmdlet needs."),
            AwsErrorKind.KmsAccessDenied => ($"{service}KmsAccessDenied", ErrorCategory.PermissionDenied, "Grant kms:Decrypt on the bucket's KMS key to the caller."),
            AwsErrorKind.NotFound => (s3 ? "S3ObjectNotFound" : $"{service}NotFound", ErrorCategory.ObjectNotFound, s3 ? "Check the bucket name and key." : "Check the name and -Region."),
            AwsErrorKind.AlreadyExists => ($"{service}AlreadyExists", ErrorCategory.ResourceExists, null),
            AwsErrorKind.InvalidRequest => ($"{service}InvalidRequest", ErrorCategory.InvalidArgument, null),
            AwsErrorKind.Throttled => ($"{service}Throttled", ErrorCategory.LimitsExceeded, s3 ? "Run again later or lower -ThrottleLimit." : "Run again later."),
            AwsErrorKind.Network => ($"{service}ConnectionFailed", ErrorCategory.ConnectionError, "Check the network and -EndpointUrl."),
            _ => ($"{service}RequestFailed", s3 ? ErrorCategory.ReadError : ErrorCategory.InvalidOperation, null),
        };
        var message = ex.Message + (ex.RequestId is { Length: > 0 } r ? $" (request id {r})" : "");
        return new ErrorRecord(ex, id, category, target ?? ex.Target)
        {
            ErrorDetails = new ErrorDetails(message) { RecommendedAction = action },
        };
    }
}
