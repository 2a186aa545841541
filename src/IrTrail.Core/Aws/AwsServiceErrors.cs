using System.Globalization;
using System.Net;
using Amazon.Runtime;

namespace IrTrail.Core.Aws;

/// <summary>
/// Maps the SDK's exceptions from IrTrail's service clients (Glue, Athena, CloudTrail, Config) to
/// <see cref="AwsException"/>: a kind a cmdlet turns into an error category, and the AWS error code, request id,
/// service, operation and resource for the error record. S3 has its own (<see cref="S3Errors"/>).
/// </summary>
internal static class AwsServiceErrors
{
    private static readonly HashSet<string> Denied = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException", "NotAuthorized",
        "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch",
        "IncompleteSignature", "MissingAuthenticationToken", "ExpiredToken", "ExpiredTokenException",
        "InsufficientS3BucketPolicyException", "InsufficientDeliveryPolicyException",
    };

    private static readonly HashSet<string> Throttles = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
        "RequestThrottledException", "SlowDown", "LimitExceededException",
    };

    private static readonly HashSet<string> Invalid = new(StringComparer.Ordinal)
    {
        "ValidationException", "InvalidInputException", "InvalidRequestException", "InvalidParameterValueException",
        "InvalidParameterException", "SerializationException", "InvalidParameterCombinationException",
    };

    public static AwsException Map(Exception ex, string service, string operation, string? resource)
    {
        if (ex is AwsException { Service: null } or AwsException { InnerException: null }) return (AwsException)ex;
        if (ex is AwsException a) ex = a.InnerException!;
        var about = resource is null ? "" : $" for {resource}";
        if (ex is AmazonServiceException s)
        {
            var code = s.ErrorCode is { Length: > 0 } c ? c : null;
            var status = (int)s.StatusCode;
            var shown = code ?? status.ToString(CultureInfo.InvariantCulture);
            var message = string.IsNullOrWhiteSpace(s.Message) ? "" : $": {s.Message}";
            var kind = Kind(code, s.StatusCode);
            var text = kind switch
            {
                AwsErrorKind.AccessDenied => $"{service} {operation}{about} was denied ({shown}){message}",
                AwsErrorKind.Throttled => $"{service} {operation}{about} was throttled after retries ({shown}){message}",
                AwsErrorKind.NotFound => $"{service} {operation}{about}: not found ({shown}){message}",
                AwsErrorKind.AlreadyExists => $"{service} {operation}{about}: already exists ({shown}){message}",
                _ => $"{service} {operation}{about} failed ({shown}){message}",
            };
            return new AwsException(kind, text, s)
            {
                ErrorCode = code, RequestId = s.RequestId is { Length: > 0 } r ? r : null, StatusCode = status,
                Service = service, Operation = operation, Resource = resource,
            };
        }
        var network = ex is AmazonClientException or HttpRequestException or IOException or TimeoutException or OperationCanceledException;
        return new AwsException(network ? AwsErrorKind.Network : AwsErrorKind.Service, $"{service} {operation}{about} failed: {ex.Message}", ex)
        {
            Service = service, Operation = operation, Resource = resource,
        };
    }

    private static AwsErrorKind Kind(string? code, HttpStatusCode status)
    {
        if (code is not null)
        {
            if (Denied.Contains(code)) return AwsErrorKind.AccessDenied;
            if (Throttles.Contains(code)) return AwsErrorKind.Throttled;
            if (code.EndsWith("NotFoundException", StringComparison.Ordinal) || code.StartsWith("NoSuch", StringComparison.Ordinal)
                || code.EndsWith("NotFound", StringComparison.Ordinal))
                return AwsErrorKind.NotFound;
            if (code.Contains("AlreadyExists", StringComparison.Ordinal)) return AwsErrorKind.AlreadyExists;
            if (Invalid.Contains(code)) return AwsErrorKind.InvalidRequest;
        }
        return status switch
        {
            HttpStatusCode.Forbidden => AwsErrorKind.AccessDenied,
            HttpStatusCode.NotFound => AwsErrorKind.NotFound,
            HttpStatusCode.TooManyRequests => AwsErrorKind.Throttled,
            _ => AwsErrorKind.Service,
        };
    }
}
