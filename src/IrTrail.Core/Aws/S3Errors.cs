using System.Net;
using Amazon.Runtime;
using Amazon.S3;

namespace IrTrail.Core.Aws;

/// <summary>Maps SDK exceptions to <see cref="AwsException"/> naming the bucket and key, so cmdlets never see SDK types.</summary>
internal static class S3Errors
{
    public static AwsException Map(Exception ex, string bucket, string? key, string operation)
    {
        if (ex is AwsException a) return a;
        var where = key is null ? $"s3://{bucket}" : $"s3://{bucket}/{key}";
        if (ex is AmazonServiceException s)
        {
            var code = s.ErrorCode ?? "";
            var message = s.Message ?? "";
            AwsErrorKind kind;
            string text;
            if (code == "AccessDenied" && (message.Contains("KMS", StringComparison.OrdinalIgnoreCase) || message.Contains("kms:", StringComparison.Ordinal))
                || code.StartsWith("KMS.", StringComparison.Ordinal) || code == "KMS.AccessDeniedException")
            {
                kind = AwsErrorKind.KmsAccessDenied;
                text = $"{operation} {where} was denied by AWS KMS: the object is encrypted with a KMS key and the caller needs kms:Decrypt on that key ({message}).";
            }
            else if (code is "AccessDenied" or "AllAccessDisabled" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" || s.StatusCode == HttpStatusCode.Forbidden)
            {
                kind = AwsErrorKind.AccessDenied;
                text = $"{operation} {where} was denied ({(code.Length > 0 ? code : "403")}): {message}";
            }
            else if (code is "NoSuchBucket" or "NoSuchKey" or "NotFound" || s.StatusCode == HttpStatusCode.NotFound)
            {
                kind = AwsErrorKind.NotFound;
                text = code == "NoSuchBucket" ? $"The bucket '{bucket}' does not exist." : $"{where} does not exist.";
            }
            else if (code is "SlowDown" or "Throttling" or "ThrottlingException" or "RequestLimitExceeded" || (int)s.StatusCode == 503)
            {
                kind = AwsErrorKind.Throttled;
                text = $"{operation} {where} was throttled after retries ({code}).";
            }
            else
            {
                kind = AwsErrorKind.Service;
                text = $"{operation} {where} failed ({(code.Length > 0 ? code : ((int)s.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture))}): {message}";
            }
            return new AwsException(kind, text, ex)
            {
                ErrorCode = code.Length > 0 ? code : null, RequestId = s.RequestId, StatusCode = (int)s.StatusCode, BucketName = bucket, Key = key,
            };
        }
        if (ex is AmazonClientException or HttpRequestException or IOException or TimeoutException)
            return new AwsException(AwsErrorKind.Network, $"{operation} {where} failed: {ex.Message}", ex) { BucketName = bucket, Key = key };
        return new AwsException(AwsErrorKind.Service, $"{operation} {where} failed: {ex.Message}", ex) { BucketName = bucket, Key = key };
    }
}
