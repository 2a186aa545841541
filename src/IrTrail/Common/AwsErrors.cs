using System.Management.Automation;
using IrTrail.Core.Aws;

namespace IrTrail.Common;

/// <summary>Maps engine AWS failures to stable error ids and real categories, with the S3 object as target.</summary>
internal static class AwsErrors
{
    public static ErrorRecord ToErrorRecord(AwsException ex, object? target)
    {
        var (id, category, action) = ex.Kind switch
        {
            AwsErrorKind.NoCredentials => ("AwsNoCredentials", ErrorCategory.AuthenticationError, "Use -Credential or -ProfileName, or set AWS_ACCESS_KEY_ID / AWS_PROFILE."),
            AwsErrorKind.ProfileNotFound => ("AwsProfileNotFound", ErrorCategory.ObjectNotFound, "Check the profile name (tab completion lists them) and -ProfileLocation."),
            AwsErrorKind.NoRegion => ("AwsNoRegion", ErrorCategory.InvalidArgument, "Use -Region or set AWS_REGION."),
            AwsErrorKind.AccessDenied => ("S3AccessDenied", ErrorCategory.PermissionDenied, "See docs/aws-permissions.md for the permissions this cmdlet needs."),
            AwsErrorKind.KmsAccessDenied => ("S3KmsAccessDenied", ErrorCategory.PermissionDenied, "Grant kms:Decrypt on the bucket's KMS key to the caller."),
            AwsErrorKind.NotFound => ("S3ObjectNotFound", ErrorCategory.ObjectNotFound, "Check the bucket name and key."),
            AwsErrorKind.Throttled => ("S3Throttled", ErrorCategory.LimitsExceeded, "Run again later or lower -ThrottleLimit."),
            AwsErrorKind.Network => ("S3ConnectionFailed", ErrorCategory.ConnectionError, "Check the network and -EndpointUrl."),
            _ => ("S3RequestFailed", ErrorCategory.ReadError, null),
        };
        var message = ex.Message + (ex.RequestId is { Length: > 0 } r ? $" (request id {r})" : "");
        return new ErrorRecord(ex, id, category, target ?? ex.Target)
        {
            ErrorDetails = new ErrorDetails(message) { RecommendedAction = action },
        };
    }
}
