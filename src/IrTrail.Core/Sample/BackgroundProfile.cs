using static IrTrail.Core.Sample.SampleJson;

namespace IrTrail.Core.Sample;

/// <summary>Who makes a background call.</summary>
public enum ActorKind { Service, Role, User, Root, Federated, OtherAccount, InstanceRole }

/// <summary>One kind of background call and how often it happens.</summary>
public sealed record CallTemplate(string Source, string Name, bool ReadOnly, bool Data, ActorKind Actor, double Weight,
    double ErrorRate = 0, string? ErrorCode = null, string? ErrorMessage = null, bool Global = false, string? InvokedBy = null);

/// <summary>
/// The background mix. Weights were derived once from ../shared/data/cloudtrail-real (the SANS ransomware lab and the
/// Invictus IR account: ~33k events, de-duplicated by eventID): per (eventSource, eventName) frequency, readOnly,
/// data vs management, the usual caller type and error rate. The lab's one-off ransomware burst of S3 PutObject
/// (15k events) is weighted down to ordinary traffic. Shares in the corpus: AWSService ~90%, IAMUser ~8%, Root ~2%;
/// here people and workloads get more (roles ~25%) because real organisations mostly use roles. No record is copied.
/// </summary>
public static class BackgroundProfile
{
    public static readonly CallTemplate[] Calls =
    [
        // AWS services acting for the account (corpus: GetBucketAcl, GenerateDataKey, AssumeRole, HeadBucket, PutObject by CloudTrail/Config)
        new("s3.amazonaws.com", "GetBucketAcl", true, false, ActorKind.Service, 16, InvokedBy: "cloudtrail.amazonaws.com"),
        new("kms.amazonaws.com", "GenerateDataKey", true, false, ActorKind.Service, 12, InvokedBy: "cloudtrail.amazonaws.com"),
        new("kms.amazonaws.com", "Decrypt", true, false, ActorKind.Service, 6, InvokedBy: "s3.amazonaws.com"),
        new("sts.amazonaws.com", "AssumeRole", true, false, ActorKind.Service, 7, InvokedBy: "lambda.amazonaws.com"),
        new("s3.amazonaws.com", "PutObject", false, true, ActorKind.Service, 10, InvokedBy: "cloudtrail.amazonaws.com"),
        new("s3.amazonaws.com", "HeadBucket", true, true, ActorKind.Service, 2, 0.9, "AccessDenied", "Access Denied", InvokedBy: "config.amazonaws.com"),
        new("config.amazonaws.com", "PutEvaluations", false, false, ActorKind.Service, 2, InvokedBy: "config.amazonaws.com"),
        // Workloads on roles
        new("s3.amazonaws.com", "GetObject", true, true, ActorKind.Role, 9, 0.02, "AccessDenied", "Access Denied"),
        new("s3.amazonaws.com", "PutObject", false, true, ActorKind.Role, 5, 0.01, "AccessDenied", "Access Denied"),
        new("s3.amazonaws.com", "ListObjects", true, true, ActorKind.Role, 3),
        new("kms.amazonaws.com", "Decrypt", true, false, ActorKind.Role, 4),
        new("sts.amazonaws.com", "GetCallerIdentity", true, false, ActorKind.Role, 2),
        new("secretsmanager.amazonaws.com", "GetSecretValue", true, false, ActorKind.Role, 2),
        new("dynamodb.amazonaws.com", "DescribeTable", true, false, ActorKind.Role, 2),
        new("logs.amazonaws.com", "CreateLogStream", false, false, ActorKind.Role, 2, 0.05, "ResourceAlreadyExistsException", "The specified log stream already exists"),
        new("ec2.amazonaws.com", "DescribeInstances", true, false, ActorKind.InstanceRole, 2),
        new("s3.amazonaws.com", "GetObject", true, true, ActorKind.InstanceRole, 3),
        new("ssm.amazonaws.com", "UpdateInstanceInformation", false, false, ActorKind.InstanceRole, 2),
        // People and pipelines with IAM users (corpus: aws-cli and console; ~4% AccessDenied outside the lab burst)
        new("ec2.amazonaws.com", "DescribeInstances", true, false, ActorKind.User, 2, 0.02, "Client.UnauthorizedOperation", "You are not authorized to perform this operation."),
        new("s3.amazonaws.com", "ListBuckets", true, false, ActorKind.User, 1, Global: false),
        new("iam.amazonaws.com", "ListUsers", true, false, ActorKind.User, 0.6, Global: true),
        new("iam.amazonaws.com", "ListRoles", true, false, ActorKind.User, 0.5, Global: true),
        new("sts.amazonaws.com", "GetCallerIdentity", true, false, ActorKind.User, 1),
        new("cloudformation.amazonaws.com", "DescribeStacks", true, false, ActorKind.User, 1),
        new("lambda.amazonaws.com", "ListFunctions20150331", true, false, ActorKind.User, 0.6),
        new("ec2.amazonaws.com", "DescribeSecurityGroups", true, false, ActorKind.User, 0.8),
        new("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", false, false, ActorKind.User, 0.1, 0.2, "Client.InvalidPermission.Duplicate", "the specified rule already exists"),
        new("s3.amazonaws.com", "GetBucketPolicy", true, false, ActorKind.User, 0.4, 0.6, "NoSuchBucketPolicy", "The bucket policy does not exist"),
        new("s3.amazonaws.com", "GetObject", true, true, ActorKind.User, 2),
        new("kms.amazonaws.com", "Decrypt", true, false, ActorKind.User, 1.5),
        new("signin.amazonaws.com", "ConsoleLogin", false, false, ActorKind.User, 0.05, Global: true),
        // Root (corpus: console browsing — Describe*, ListBuckets)
        new("ec2.amazonaws.com", "DescribeVpcs", true, false, ActorKind.Root, 0.3),
        new("cloudtrail.amazonaws.com", "DescribeTrails", true, false, ActorKind.Root, 0.2),
        new("cloudtrail.amazonaws.com", "LookupEvents", true, false, ActorKind.Root, 0.2),
        new("s3.amazonaws.com", "GetBucketPolicyStatus", true, false, ActorKind.Root, 0.1, 0.8, "NoSuchBucketPolicy", "The bucket policy does not exist"),
        // Federated users and other accounts
        new("s3.amazonaws.com", "ListObjects", true, true, ActorKind.Federated, 0.5),
        new("ec2.amazonaws.com", "DescribeVolumes", true, false, ActorKind.Federated, 0.4),
        new("kms.amazonaws.com", "Decrypt", true, false, ActorKind.OtherAccount, 0.6),
        new("s3.amazonaws.com", "GetObject", true, true, ActorKind.OtherAccount, 0.6),
    ];

    public static readonly double[] Cumulative = SampleRandom.Cumulative(Calls.Select(c => c.Weight));

    /// <summary>Share of events that AWS delivers a second time (same eventID in another file); the corpus shows 21% in one
    /// lab that had two trails, so this is deliberately lower.</summary>
    public const double DuplicateRate = 0.01;

    /// <summary>Share of events delivered one to three windows late.</summary>
    public const double LateRate = 0.005;

    /// <summary>Per-API requestParameters / responseElements / additionalEventData / resources.</summary>
    public static (string? Request, string? Response, string? Additional, string? Resources) Details(
        string name, string source, SampleAccount account, string region, SampleRandom rng, string? bucket = null, string? key = null)
    {
        bucket ??= rng.Pick(account.Buckets);
        key ??= $"data/{rng.HexLower(8)}.json";
        switch (source, name)
        {
            case ("s3.amazonaws.com", "GetObject" or "PutObject" or "DeleteObject" or "HeadObject"):
                {
                    var size = rng.Next(200, 900_000);
                    var get = name == "GetObject";
                    var add = Obj(("SignatureVersion", "SigV4"), ("CipherSuite", "ECDHE-RSA-AES128-GCM-SHA256"),
                        ("bytesTransferredIn", (double)(get ? 0 : size)), ("AuthenticationMethod", "AuthHeader"),
                        ("x-amz-id-2", rng.Alphanumeric(56)), ("bytesTransferredOut", (double)(get ? size : 0)));
                    return (Obj(("bucketName", bucket), ("Host", $"{bucket}.s3.{region}.amazonaws.com"), ("key", key)), null, add, S3Resources(account.Id, bucket, key));
                }
            case ("s3.amazonaws.com", "ListObjects"):
                return (Obj(("list-type", "2"), ("bucketName", bucket), ("encoding-type", "url"), ("prefix", ""), ("Host", $"{bucket}.s3.{region}.amazonaws.com")), null,
                    Obj(("SignatureVersion", "SigV4"), ("AuthenticationMethod", "AuthHeader"), ("bytesTransferredIn", 0.0), ("bytesTransferredOut", (double)rng.Next(400, 9000))),
                    Arr(O(("accountId", account.Id), ("type", "AWS::S3::Bucket"), ("ARN", $"arn:aws:s3:::{bucket}"))).Json);
            case ("s3.amazonaws.com", "GetBucketAcl" or "HeadBucket" or "GetBucketPolicy" or "GetBucketPolicyStatus" or "GetBucketVersioning" or "PutBucketVersioning" or "GetBucketEncryption"):
                return (Obj((name == "GetBucketAcl" ? "acl" : name == "GetBucketPolicy" ? "policy" : "Host", name is "GetBucketAcl" or "GetBucketPolicy" ? "" : $"{bucket}.s3.{region}.amazonaws.com"), ("bucketName", bucket)), null,
                    Obj(("SignatureVersion", "SigV4"), ("AuthenticationMethod", "AuthHeader")),
                    Arr(O(("accountId", account.Id), ("type", "AWS::S3::Bucket"), ("ARN", $"arn:aws:s3:::{bucket}"))).Json);
            case ("s3.amazonaws.com", "ListBuckets"):
                return (Obj(("Host", $"s3.{region}.amazonaws.com")), null, Obj(("SignatureVersion", "SigV4"), ("AuthenticationMethod", "AuthHeader")), null);
            case ("kms.amazonaws.com", "GenerateDataKey" or "Decrypt" or "Encrypt" or "ReEncrypt"):
                {
                    var keyArn = $"arn:aws:kms:{region}:{account.Id}:key/{account.KmsKeyId}";
                    var req = name == "GenerateDataKey"
                        ? Obj(("keyId", keyArn), ("encryptionContext", O(("aws:cloudtrail:arn", $"arn:aws:cloudtrail:{region}:{account.Id}:trail/management-events"), ("aws:s3:arn", $"arn:aws:s3:::{bucket}/AWSLogs/{account.Id}/CloudTrail/{region}"))), ("keySpec", "AES_256"))
                        : Obj(("encryptionAlgorithm", "SYMMETRIC_DEFAULT"), ("encryptionContext", O(("aws:s3:arn", $"arn:aws:s3:::{bucket}/{key}"))));
                    return (req, null, null, Arr(O(("accountId", account.Id), ("type", "AWS::KMS::Key"), ("ARN", keyArn))).Json);
                }
            case ("sts.amazonaws.com", "AssumeRole"):
                {
                    var role = rng.Pick(account.Roles);
                    var session = "session-" + rng.HexLower(8);
                    var req = Obj(("roleArn", $"arn:aws:iam::{account.Id}:role/{role.Name}"), ("roleSessionName", session), ("durationSeconds", 3600));
                    var resp = Obj(("credentials", O(("accessKeyId", rng.IamId("ASIA")), ("sessionToken", "IQoJb3JpZ2luX2VjE" + rng.Alphanumeric(40)), ("expiration", "Jan 1, 2030, 12:00:00 AM"))),
                        ("assumedRoleUser", O(("assumedRoleId", $"{role.RoleId}:{session}"), ("arn", $"arn:aws:sts::{account.Id}:assumed-role/{role.Name}/{session}"))));
                    return (req, resp, null, Arr(O(("accountId", account.Id), ("type", "AWS::IAM::Role"), ("ARN", $"arn:aws:iam::{account.Id}:role/{role.Name}"))).Json);
                }
            case ("sts.amazonaws.com", "GetCallerIdentity"):
            case ("s3.amazonaws.com", _):
                return (null, null, null, null);
            case ("ec2.amazonaws.com", "DescribeInstances"):
                return (Obj(("instancesSet", O()), ("filterSet", O())), null, null, null);
            case ("ec2.amazonaws.com", "DescribeSecurityGroups" or "DescribeVpcs" or "DescribeVolumes"):
                return (Obj(("maxResults", 1000), ("filterSet", O())), null, null, null);
            case ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"):
                return (Obj(("groupId", "sg-0" + rng.HexLower(16)), ("ipPermissions", O(("items", Arr(O(("ipProtocol", "tcp"), ("fromPort", 443), ("toPort", 443), ("ipRanges", O(("items", Arr(O(("cidrIp", "10.0.0.0/16")))))))))))), null, null, null);
            case ("iam.amazonaws.com", "ListUsers" or "ListRoles"):
            case ("lambda.amazonaws.com", _):
                return (null, null, null, null);
            case ("secretsmanager.amazonaws.com", "GetSecretValue"):
                return (Obj(("secretId", $"arn:aws:secretsmanager:{region}:{account.Id}:secret:prod/db-{rng.Alphanumeric(6)}")), null, null, null);
            case ("dynamodb.amazonaws.com", "DescribeTable"):
                return (Obj(("tableName", "orders")), null, null, Arr(O(("accountId", account.Id), ("type", "AWS::DynamoDB::Table"), ("ARN", $"arn:aws:dynamodb:{region}:{account.Id}:table/orders"))).Json);
            case ("logs.amazonaws.com", "CreateLogStream"):
                return (Obj(("logGroupName", "/aws/lambda/etl"), ("logStreamName", $"2025/01/01/[$LATEST]{rng.HexLower(32)}")), null, null, null);
            case ("cloudformation.amazonaws.com", "DescribeStacks"):
                return (Obj(("stackName", "network-baseline")), null, null, null);
            case ("cloudtrail.amazonaws.com", "DescribeTrails"):
                return (Obj(("includeShadowTrails", false)), null, null, null);
            case ("cloudtrail.amazonaws.com", "LookupEvents"):
                return (Obj(("maxResults", 50)), null, null, null);
            case ("ssm.amazonaws.com", "UpdateInstanceInformation"):
                return (Obj(("instanceId", rng.Pick(account.InstanceIds)), ("agentVersion", "3.3.40.0"), ("platformType", "Linux")), null, null, null);
            case ("config.amazonaws.com", "PutEvaluations"):
                return (Obj(("evaluations", Arr(O(("complianceResourceType", "AWS::S3::Bucket"), ("complianceResourceId", bucket), ("complianceType", "COMPLIANT")))), ("testMode", false)), Obj(("failedEvaluations", Arr())), null, null);
            default:
                return (null, null, null, null);
        }
    }

    public static string S3Resources(string account, string bucket, string key) =>
        Arr(O(("type", "AWS::S3::Object"), ("ARN", $"arn:aws:s3:::{bucket}/{key}")),
            O(("accountId", account), ("type", "AWS::S3::Bucket"), ("ARN", $"arn:aws:s3:::{bucket}"))).Json;
}
