namespace IrTrail.Core.Report;

/// <summary>
/// A finding the dashboard counts: a predicate over the dashboard's projected events (<c>ev</c>), with its MITRE
/// ATT&amp;CK technique ids. The built-in set stands in until the query library feeds this list.
/// </summary>
public sealed record Detection(string Name, string Title, string[] Mitre, string[] Tags, string Predicate);

/// <summary>IrTrail's built-in detections (columns of <c>ev</c>: see DashboardBuilder.Projection).</summary>
public static class BuiltInDetections
{
    public const string SourceName = "IrTrail built-in detections";

    public static IReadOnlyList<Detection> All { get; } =
    [
        new("root-account-usage", "The root user made API calls", ["T1078.004"], ["privilege", "initial-access"],
            "identityType = 'Root' AND coalesce(eventType, '') <> 'AwsServiceEvent'"),
        new("console-login-without-mfa", "Console sign-in succeeded without MFA", ["T1078", "T1078.004"], ["initial-access"],
            "eventName = 'ConsoleLogin' AND consoleLogin = 'Success' AND coalesce(mfaUsed, 'No') = 'No'"),
        new("console-login-failures", "Console sign-in failures", ["T1110"], ["credential-access"],
            "eventName = 'ConsoleLogin' AND (consoleLogin = 'Failure' OR errorMessage IS NOT NULL)"),
        new("cloudtrail-tampering", "CloudTrail logging stopped, deleted or changed", ["T1562.008"], ["defense-evasion"],
            "eventSource = 'cloudtrail.amazonaws.com' AND eventName IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors')"),
        new("security-tooling-disabled", "GuardDuty, Config, Security Hub or flow logs disabled", ["T1562.001"], ["defense-evasion"],
            "eventName IN ('DeleteDetector', 'UpdateDetector', 'DisassociateFromMasterAccount', 'StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel', 'DisableSecurityHub', 'DeleteFlowLogs')"),
        new("iam-persistence", "IAM users, keys, login profiles or policies created", ["T1098", "T1136.003", "T1098.001"], ["persistence"],
            "eventSource = 'iam.amazonaws.com' AND eventName IN ('CreateUser', 'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile', 'AttachUserPolicy', 'PutUserPolicy', 'AttachRolePolicy', 'PutRolePolicy', 'UpdateAssumeRolePolicy', 'AddUserToGroup', 'CreatePolicyVersion') AND errorCode IS NULL"),
        new("access-denied", "Calls denied for lack of permission (discovery or misuse)", ["T1580", "T1526"], ["discovery"],
            "errorCode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation', 'UnauthorizedAccess')"),
        new("instance-role-s3-enumeration", "An EC2 instance role listed S3 buckets or objects", ["T1619", "T1552.005"], ["discovery", "credential-access"],
            "identityType = 'AssumedRole' AND arn LIKE '%/i-%' AND eventSource = 's3.amazonaws.com' AND eventName IN ('ListBuckets', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions')"),
        new("s3-data-destruction", "S3 objects, versions or buckets deleted", ["T1485", "T1490"], ["impact"],
            "eventSource = 's3.amazonaws.com' AND eventName IN ('DeleteObject', 'DeleteObjects', 'DeleteBucket', 'DeleteObjectVersion', 'PutBucketLifecycle', 'PutBucketLifecycleConfiguration', 'PutBucketVersioning')"),
        new("s3-exposure", "S3 bucket policy, ACL or public-access block changed", ["T1530", "T1537"], ["exfiltration", "collection"],
            "eventSource = 's3.amazonaws.com' AND eventName IN ('PutBucketPolicy', 'PutBucketAcl', 'DeleteBucketPolicy', 'PutPublicAccessBlock', 'DeletePublicAccessBlock', 'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock')"),
        new("security-group-opened", "Security group opened to the internet", ["T1562.007"], ["defense-evasion"],
            "eventName IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules') AND (requestParameters LIKE '%0.0.0.0/0%' OR requestParameters LIKE '%::/0%')"),
        new("secrets-access", "Secrets or decrypted parameters read", ["T1555", "T1552"], ["credential-access"],
            "eventName IN ('GetSecretValue', 'GetPasswordData') OR (eventName IN ('GetParameter', 'GetParameters', 'GetParametersByPath') AND requestParameters LIKE '%\"withDecryption\":true%')"),
    ];
}

/// <summary>A library query the dashboard runs as a finding: its definition and its SQL bound with defaults.</summary>
public sealed record LibraryDetection(Query.QueryDefinition Query, string Sql);

/// <summary>
/// The findings panel's list from the query library: every query of a detection group (not the overview, timeline or
/// IOC pivots) that needs no parameter. Each runs as one query over the <c>cloudtrail</c> view.
/// </summary>
public static class LibraryDetections
{
    public static readonly string[] Groups = ["Errors", "Identity", "Persistence", "EC2", "Exfiltration", "DefenseEvasion", "Impact"];

    public static IReadOnlyList<LibraryDetection> From(Query.QueryLibrary library, string engine = "Local")
    {
        var list = new List<LibraryDetection>();
        foreach (var q in library.Queries.OrderBy(q => Array.IndexOf(Groups, q.Group)).ThenBy(q => q.Name, StringComparer.Ordinal))
        {
            if (!Groups.Contains(q.Group, StringComparer.OrdinalIgnoreCase) || q.Parameters.Any(p => p.Required) || q.SqlFor(engine) is null) continue;
            list.Add(new LibraryDetection(q, Query.QueryLibrary.ReplaceTablePlaceholder(Query.QueryLibrary.Bind(q, engine, null))));
        }
        return list;
    }
}
