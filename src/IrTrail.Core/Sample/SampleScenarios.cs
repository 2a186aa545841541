using static IrTrail.Core.Sample.SampleJson;

namespace IrTrail.Core.Sample;

/// <summary>A MITRE ATT&amp;CK technique a scenario exercises.</summary>
public sealed record AttackTechnique(string Id, string Name);

/// <summary>What a planted scenario is and what a query should find: the ground truth for one scenario.</summary>
public sealed class ScenarioTruth
{
    public required string Name { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public required IReadOnlyList<AttackTechnique> Techniques { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public DateTime StartTime { get; set; }
    public DateTime EndTime { get; set; }
    public List<string> Principals { get; } = [];
    public List<string> SourceIPAddresses { get; } = [];
    public List<string> AccessKeyIds { get; } = [];
    public List<string> EventNames { get; } = [];
    public List<string> EventIds { get; } = [];
}

/// <summary>
/// The planted incidents. Each is a short burst of calls at a fixed point of the generated period, by actors that are
/// distinct from the background (except the exposed access key, whose normal use is background on purpose).
/// </summary>
public static class SampleScenarios
{
    public static readonly IReadOnlyList<string> Names =
    [
        "ApiErrors", "MaliciousIp", "InstanceRoleS3Enumeration", "ExposedAccessKey", "Persistence",
        "DefenseEvasion", "ConsoleLoginWithoutMfa", "Exfiltration", "S3Ransomware",
    ];

    public const string DefaultMaliciousIp = "5.205.62.253";
    public const string OutsideAccount = "999988887777";

    /// <summary>Builds every selected scenario's events (sorted by time) and its ground truth.</summary>
    public static (List<SampleEvent> Events, List<ScenarioTruth> Truth) Build(IReadOnlyCollection<string> selected, SampleEventFactory f,
        SampleRandom rng, DateTime start, DateTime end, IReadOnlyList<string> regions, string maliciousIp)
    {
        var events = new List<SampleEvent>();
        var truths = new List<ScenarioTruth>();
        var span = end - start;
        var accounts = f.Accounts;
        for (var i = 0; i < Names.Count; i++)
        {
            var name = Names[i];
            if (!selected.Contains(name)) continue;
            var account = accounts[i % accounts.Count];
            var region = regions[0];
            // Spread the incidents over the period (10% .. 90%), on whole seconds.
            var at = start + TimeSpan.FromSeconds(Math.Floor(span.TotalSeconds * (0.1 + 0.8 * i / Names.Count)));
            var ctx = new Ctx(name, f, rng, account, region, at, end, events.Count);
            var truth = name switch
            {
                "ApiErrors" => ApiErrors(ctx, events),
                "MaliciousIp" => MaliciousIp(ctx, events, maliciousIp),
                "InstanceRoleS3Enumeration" => InstanceRole(ctx, events),
                "ExposedAccessKey" => ExposedKey(ctx, events),
                "Persistence" => Persistence(ctx, events),
                "DefenseEvasion" => DefenseEvasion(ctx, events),
                "ConsoleLoginWithoutMfa" => ConsoleNoMfa(ctx, events),
                "Exfiltration" => Exfiltration(ctx, events),
                _ => Ransomware(ctx, events),
            };
            var mine = events.Skip(ctx.FirstIndex).ToList();
            truth.StartTime = mine.Min(e => e.Time);
            truth.EndTime = mine.Max(e => e.Time);
            foreach (var e in mine)
            {
                truth.EventIds.Add(e.EventId);
                AddOnce(truth.Principals, e.Identity.Label);
                AddOnce(truth.SourceIPAddresses, e.SourceIp);
                if (e.Identity.AccessKeyId is { } k) AddOnce(truth.AccessKeyIds, k);
                AddOnce(truth.EventNames, e.EventName);
            }
            truths.Add(truth);
        }
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : string.CompareOrdinal(a.EventId, b.EventId));
        return (events, truths);
    }

    private static void AddOnce(List<string> list, string value)
    {
        if (!list.Contains(value)) list.Add(value);
    }

    private sealed record Ctx(string Name, SampleEventFactory F, SampleRandom Rng, SampleAccount Account, string Region, DateTime At, DateTime End, int FirstIndex)
    {
        /// <summary>A time <paramref name="seconds"/> after the scenario start, kept inside the period.</summary>
        public DateTime T(double seconds)
        {
            var t = At.AddSeconds(Math.Floor(seconds));
            return t < End ? t : End.AddSeconds(-1);
        }

        public SampleEvent Call(double seconds, string source, string name, SampleIdentity id, string ip, string ua, bool readOnly,
            string? req = null, string? resp = null, string? error = null, string? message = null, string? add = null, string? res = null, bool data = false) =>
            F.Call(Name, T(seconds), Account, Region, source, name, id, ip, ua, readOnly, req, resp, error, message, add, res, data);

        public ScenarioTruth Truth(string title, string description, params AttackTechnique[] techniques) => new()
        {
            Name = Name, Title = title, Description = description, Techniques = techniques, Account = Account.Id, Region = Region,
        };
    }

    private static SampleIdentity AttackerUser(Ctx c, string userName) =>
        SampleIdentity.IamUser(c.Account.Id, userName, c.Rng.IamId("AIDA", 21), c.Rng.IamId("AKIA"));

    private static ScenarioTruth ApiErrors(Ctx c, List<SampleEvent> ev)
    {
        var id = AttackerUser(c, "svc-reporting");
        const string ip = "192.0.2.77";
        var calls = new (string Source, string Name, string Error, string Message)[]
        {
            ("ec2.amazonaws.com", "DescribeInstances", "Client.UnauthorizedOperation", "You are not authorized to perform this operation."),
            ("ec2.amazonaws.com", "RevokeSecurityGroupIngress", "Client.InvalidPermission.NotFound", "The specified rule does not exist in this security group."),
            ("ec2.amazonaws.com", "ModifyInstanceAttribute", "Client.OperationNotPermitted", "The instance is not in a state that allows this operation."),
            ("iam.amazonaws.com", "ListUsers", "AccessDenied", $"User: {id.Arn} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::{c.Account.Id}:user/"),
            ("s3.amazonaws.com", "ListBuckets", "AccessDenied", "Access Denied"),
            ("ec2.amazonaws.com", "CreateSnapshot", "Client.UnauthorizedOperation", "You are not authorized to perform this operation."),
        };
        for (var i = 0; i < 48; i++)
        {
            var call = calls[i % calls.Length];
            var readOnly = call.Name.StartsWith("Describe", StringComparison.Ordinal) || call.Name.StartsWith("List", StringComparison.Ordinal);
            string? req = call.Name switch
            {
                "RevokeSecurityGroupIngress" => Obj(("groupId", "sg-0" + c.Rng.HexLower(16)), ("ipPermissions", O(("items", Arr(O(("ipProtocol", "tcp"), ("fromPort", 22), ("toPort", 22))))))),
                "ModifyInstanceAttribute" => Obj(("instanceId", c.Rng.Pick(c.Account.InstanceIds)), ("disableApiTermination", O(("value", false)))),
                "CreateSnapshot" => Obj(("volumeId", "vol-0" + c.Rng.HexLower(16))),
                "DescribeInstances" => Obj(("instancesSet", O()), ("filterSet", O())),
                _ => null,
            };
            ev.Add(c.Call(i * 4.5, call.Source, call.Name, id, ip, SampleUserAgents.Pacu, readOnly, req, error: call.Error, message: call.Message));
        }
        return c.Truth("Burst of API errors", "A principal with few permissions probes many APIs in minutes: UnauthorizedOperation, InvalidPermission.NotFound, OperationNotPermitted and AccessDenied errors.",
            new("T1580", "Cloud Infrastructure Discovery"), new("T1087.004", "Account Discovery: Cloud Account"));
    }

    private static ScenarioTruth MaliciousIp(Ctx c, List<SampleEvent> ev, string ip)
    {
        var role = c.Account.Roles[1];
        var id = SampleIdentity.Role(c.Account.Id, role.Name, role.RoleId, "attacker-session", c.Rng.IamId("ASIA"), SampleRecordWriter.FormatTime(c.T(-60)));
        var ua = SampleUserAgents.PythonRequests;
        ev.Add(c.Call(0, "sts.amazonaws.com", "GetCallerIdentity", id, ip, ua, true));
        ev.Add(c.Call(20, "s3.amazonaws.com", "ListBuckets", id, ip, ua, true, Obj(("Host", $"s3.{c.Region}.amazonaws.com"))));
        ev.Add(c.Call(40, "ec2.amazonaws.com", "DescribeInstances", id, ip, ua, true, Obj(("instancesSet", O()), ("filterSet", O()))));
        ev.Add(c.Call(60, "iam.amazonaws.com", "ListRoles", id, ip, ua, true));
        for (var i = 0; i < 8; i++)
            ev.Add(c.Call(90 + i * 15, "secretsmanager.amazonaws.com", "GetSecretValue", id, ip, ua, true,
                Obj(("secretId", $"arn:aws:secretsmanager:{c.Region}:{c.Account.Id}:secret:prod/app-{i}"))));
        ev.Add(c.Call(240, "ssm.amazonaws.com", "GetParametersByPath", id, ip, ua, true, Obj(("path", "/prod/"), ("recursive", true), ("withDecryption", true))));
        return c.Truth($"Activity from a malicious IP ({ip})", "A stolen role session is used from a known-bad address to discover resources and read secrets.",
            new("T1078.004", "Valid Accounts: Cloud Accounts"), new("T1555.006", "Credentials from Password Stores: Cloud Secrets Management Stores"));
    }

    private static ScenarioTruth InstanceRole(Ctx c, List<SampleEvent> ev)
    {
        var instance = c.Account.InstanceIds[0];
        var id = SampleIdentity.Role(c.Account.Id, c.Account.InstanceRole.Name, c.Account.InstanceRole.RoleId, instance, c.Rng.IamId("ASIA"),
            SampleRecordWriter.FormatTime(c.T(-600)), instanceRole: true);
        const string ip = "192.0.2.200";
        var ua = SampleUserAgents.Clients[0].Replace("command/s3.ls", "command/s3api.list-buckets", StringComparison.Ordinal);
        for (var i = 0; i < 12; i++)
            ev.Add(c.Call(i * 20, "s3.amazonaws.com", "ListBuckets", id, ip, ua, true, Obj(("Host", $"s3.{c.Region}.amazonaws.com")),
                add: Obj(("SignatureVersion", "SigV4"), ("AuthenticationMethod", "AuthHeader"))));
        var t = 250;
        foreach (var bucket in c.Account.Buckets)
        {
            ev.Add(c.Call(t += 10, "s3.amazonaws.com", "GetBucketAcl", id, ip, ua, true, Obj(("acl", ""), ("bucketName", bucket)),
                res: Arr(O(("accountId", c.Account.Id), ("type", "AWS::S3::Bucket"), ("ARN", $"arn:aws:s3:::{bucket}"))).Json));
            ev.Add(c.Call(t += 10, "s3.amazonaws.com", "ListObjects", id, ip, ua, true, Obj(("bucketName", bucket), ("list-type", "2"), ("prefix", "")),
                res: Arr(O(("accountId", c.Account.Id), ("type", "AWS::S3::Bucket"), ("ARN", $"arn:aws:s3:::{bucket}"))).Json, data: true));
        }
        return c.Truth($"EC2 instance role credentials enumerating S3 ({instance})", "The instance profile credentials of an EC2 instance (principalId ending in :i-…) are used from outside the instance to list buckets and their contents.",
            new("T1552.005", "Unsecured Credentials: Cloud Instance Metadata API"), new("T1619", "Cloud Storage Object Discovery"));
    }

    private static ScenarioTruth ExposedKey(Ctx c, List<SampleEvent> ev)
    {
        // The ci-builder key is used every day from its home address by its pipeline; now from a new address and client.
        var id = c.F.User(c.Account, 0);
        const string ip = "192.0.2.150";
        var ua = SampleUserAgents.Curl;
        ev.Add(c.Call(0, "sts.amazonaws.com", "GetCallerIdentity", id, ip, ua, true));
        ev.Add(c.Call(30, "iam.amazonaws.com", "ListAttachedUserPolicies", id, ip, ua, true, Obj(("userName", id.UserName))));
        ev.Add(c.Call(45, "iam.amazonaws.com", "ListUsers", id, ip, ua, true));
        ev.Add(c.Call(60, "ec2.amazonaws.com", "DescribeRegions", id, ip, ua, true, Obj(("regionSet", O()))));
        ev.Add(c.Call(90, "s3.amazonaws.com", "ListBuckets", id, ip, ua, true, Obj(("Host", $"s3.{c.Region}.amazonaws.com"))));
        return c.Truth($"Exposed access key used from a new IP ({id.AccessKeyId})", "A long-lived IAM user access key, normally used only by its pipeline, is used from a new address with a new user agent.",
            new("T1078.004", "Valid Accounts: Cloud Accounts"), new("T1552.001", "Unsecured Credentials: Credentials In Files"));
    }

    private static ScenarioTruth Persistence(Ctx c, List<SampleEvent> ev)
    {
        var id = c.F.User(c.Account, 0);
        const string ip = "192.0.2.150";
        var ua = SampleUserAgents.Pacu;
        const string newUser = "support-backup";
        var newUserId = c.Rng.IamId("AIDA", 21);
        var newKey = c.Rng.IamId("AKIA");
        ev.Add(c.Call(0, "iam.amazonaws.com", "CreateUser", id, ip, ua, false, Obj(("userName", newUser)),
            Obj(("user", O(("path", "/"), ("userName", newUser), ("userId", newUserId), ("arn", $"arn:aws:iam::{c.Account.Id}:user/{newUser}"), ("createDate", "Jan 1, 2025, 12:00:00 AM"))))));
        ev.Add(c.Call(20, "iam.amazonaws.com", "AttachUserPolicy", id, ip, ua, false, Obj(("userName", newUser), ("policyArn", "arn:aws:iam::aws:policy/AdministratorAccess"))));
        ev.Add(c.Call(40, "iam.amazonaws.com", "CreateAccessKey", id, ip, ua, false, Obj(("userName", newUser)),
            Obj(("accessKey", O(("userName", newUser), ("accessKeyId", newKey), ("status", "Active"), ("createDate", "Jan 1, 2025, 12:00:00 AM"))))));
        ev.Add(c.Call(60, "iam.amazonaws.com", "CreateLoginProfile", id, ip, ua, false, Obj(("userName", newUser), ("passwordResetRequired", false)),
            Obj(("loginProfile", O(("userName", newUser), ("createDate", "Jan 1, 2025, 12:00:00 AM"), ("passwordResetRequired", false))))));
        return c.Truth("Persistence through a new IAM user", "The attacker creates a user, gives it AdministratorAccess, an access key and a console password.",
            new("T1136.003", "Create Account: Cloud Account"), new("T1098.001", "Account Manipulation: Additional Cloud Credentials"), new("T1098.003", "Account Manipulation: Additional Cloud Roles"));
    }

    private static ScenarioTruth DefenseEvasion(Ctx c, List<SampleEvent> ev)
    {
        var role = c.Account.Roles[0];
        var id = SampleIdentity.Role(c.Account.Id, role.Name, role.RoleId, "maint", c.Rng.IamId("ASIA"), SampleRecordWriter.FormatTime(c.T(-120)));
        const string ip = "192.0.2.91";
        var ua = SampleUserAgents.Clients[0];
        var trail = $"arn:aws:cloudtrail:{c.Region}:{c.Account.Id}:trail/management-events";
        var detector = c.Rng.HexLower(32);
        ev.Add(c.Call(0, "cloudtrail.amazonaws.com", "PutEventSelectors", id, ip, ua, false,
            Obj(("trailName", "management-events"), ("eventSelectors", Arr(O(("readWriteType", "WriteOnly"), ("includeManagementEvents", false), ("dataResources", Arr()), ("excludeManagementEventSources", Arr()))))),
            Obj(("trailARN", trail), ("eventSelectors", Arr(O(("readWriteType", "WriteOnly"), ("includeManagementEvents", false), ("dataResources", Arr()), ("excludeManagementEventSources", Arr())))))));
        ev.Add(c.Call(30, "guardduty.amazonaws.com", "ListDetectors", id, ip, ua, true));
        ev.Add(c.Call(40, "guardduty.amazonaws.com", "DeleteDetector", id, ip, ua, false, Obj(("detectorId", detector))));
        ev.Add(c.Call(60, "cloudtrail.amazonaws.com", "StopLogging", id, ip, ua, false, Obj(("name", trail))));
        ev.Add(c.Call(80, "cloudtrail.amazonaws.com", "DeleteTrail", id, ip, ua, false, Obj(("name", trail))));
        return c.Truth("Defense evasion: logging and detection disabled", "CloudTrail event selectors narrowed, logging stopped and the trail deleted; the GuardDuty detector deleted.",
            new("T1562.008", "Impair Defenses: Disable or Modify Cloud Logs"), new("T1562.001", "Impair Defenses: Disable or Modify Tools"));
    }

    private static ScenarioTruth ConsoleNoMfa(Ctx c, List<SampleEvent> ev)
    {
        const string ip = "192.0.2.33";
        var root = SampleIdentity.Root(c.Account.Id, c.Rng.IamId("ASIA"), SampleRecordWriter.FormatTime(c.T(0)), mfa: false);
        var user = c.F.User(c.Account, 2);
        ev.Add(c.F.ConsoleLogin(c.T(0), c.Account, user, ip, mfa: false, success: true, scenario: c.Name));
        ev.Add(c.F.ConsoleLogin(c.T(60), c.Account, root, ip, mfa: false, success: true, scenario: c.Name));
        ev.Add(c.Call(90, "iam.amazonaws.com", "GetAccountSummary", root, ip, SampleUserAgents.Console, true));
        ev.Add(c.Call(120, "iam.amazonaws.com", "CreateAccessKey", root, ip, SampleUserAgents.Console, false, null,
            Obj(("accessKey", O(("accessKeyId", c.Rng.IamId("AKIA")), ("status", "Active"), ("createDate", "Jan 1, 2025, 12:00:00 AM"))))));
        ev.Add(c.Call(150, "iam.amazonaws.com", "DeactivateMFADevice", root, ip, SampleUserAgents.Console, false,
            Obj(("serialNumber", $"arn:aws:iam::{c.Account.Id}:mfa/root-account-mfa-device"))));
        return c.Truth("Console sign-in without MFA and root activity", "An IAM user and then the root user sign in to the console without MFA from an unusual address; root creates an access key and removes its MFA device.",
            new("T1078.004", "Valid Accounts: Cloud Accounts"), new("T1556.006", "Modify Authentication Process: Multi-Factor Authentication"));
    }

    private static ScenarioTruth Exfiltration(Ctx c, List<SampleEvent> ev)
    {
        var role = c.Account.Roles[2];
        var id = SampleIdentity.Role(c.Account.Id, role.Name, role.RoleId, "exfil", c.Rng.IamId("ASIA"), SampleRecordWriter.FormatTime(c.T(-60)));
        const string ip = "192.0.2.240";
        var ua = SampleUserAgents.Clients[0].Replace("command/s3.ls", "command/s3.sync", StringComparison.Ordinal);
        var bucket = c.Account.Buckets[2];
        for (var i = 0; i < 150; i++)
        {
            var key = $"exports/customers-{i:D4}.csv.gz";
            var (req, _, add, res) = BackgroundProfile.Details("GetObject", "s3.amazonaws.com", c.Account, c.Region, c.Rng, bucket, key);
            ev.Add(c.Call(i * 2, "s3.amazonaws.com", "GetObject", id, ip, ua, true, req, add: add, res: res, data: true));
        }
        var snapshot = "snap-0" + c.Rng.HexLower(16);
        ev.Add(c.Call(320, "ec2.amazonaws.com", "CreateSnapshot", id, ip, ua, false, Obj(("volumeId", "vol-0" + c.Rng.HexLower(16))),
            Obj(("snapshotId", snapshot), ("status", "pending"))));
        ev.Add(c.Call(400, "ec2.amazonaws.com", "ModifySnapshotAttribute", id, ip, ua, false,
            Obj(("snapshotId", snapshot), ("createVolumePermission", O(("add", O(("items", Arr(O(("userId", OutsideAccount)))))))), ("attributeType", "CREATE_VOLUME_PERMISSION")),
            Obj(("_return", true))));
        return c.Truth("Exfiltration: bulk S3 download and a snapshot shared outside", $"Bulk GetObject from one bucket, then an EBS snapshot shared with account {OutsideAccount}.",
            new("T1530", "Data from Cloud Storage"), new("T1537", "Transfer Data to Cloud Account"));
    }

    private static ScenarioTruth Ransomware(Ctx c, List<SampleEvent> ev)
    {
        var id = AttackerUser(c, "s3-migration");
        const string ip = "192.0.2.66";
        var ua = SampleUserAgents.Clients[2];
        var bucket = c.Account.Buckets[1];
        var attackerKey = $"arn:aws:kms:{c.Region}:{OutsideAccount}:key/{c.Rng.Uuid()}";
        ev.Add(c.Call(0, "s3.amazonaws.com", "PutBucketVersioning", id, ip, ua, false,
            Obj(("bucketName", bucket), ("Host", $"{bucket}.s3.{c.Region}.amazonaws.com"), ("versioning", ""), ("VersioningConfiguration", O(("Status", "Suspended"), ("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/")))),
            res: Arr(O(("accountId", c.Account.Id), ("type", "AWS::S3::Bucket"), ("ARN", $"arn:aws:s3:::{bucket}"))).Json));
        for (var i = 0; i < 60; i++)
        {
            var key = $"reports/2024/q{i % 4 + 1}-{i:D3}.xlsx";
            var add = Obj(("SignatureVersion", "SigV4"), ("CipherSuite", "ECDHE-RSA-AES128-GCM-SHA256"), ("bytesTransferredIn", 0.0), ("SSEApplied", "SSE_KMS"),
                ("AuthenticationMethod", "AuthHeader"), ("x-amz-id-2", c.Rng.Alphanumeric(56)), ("bytesTransferredOut", 0.0));
            ev.Add(c.Call(30 + i * 3, "s3.amazonaws.com", "CopyObject", id, ip, ua, false,
                Obj(("bucketName", bucket), ("Host", $"{bucket}.s3.{c.Region}.amazonaws.com"), ("key", key), ("x-amz-copy-source", $"{bucket}/{key}"),
                    ("x-amz-server-side-encryption", "aws:kms"), ("x-amz-server-side-encryption-aws-kms-key-id", attackerKey)),
                Obj(("x-amz-server-side-encryption", "aws:kms"), ("x-amz-server-side-encryption-aws-kms-key-id", attackerKey)),
                add: add, res: BackgroundProfile.S3Resources(c.Account.Id, bucket, key), data: true));
        }
        for (var i = 0; i < 60; i++)
        {
            var key = $"reports/2024/q{i % 4 + 1}-{i:D3}.xlsx";
            var (req, _, add, res) = BackgroundProfile.Details("DeleteObject", "s3.amazonaws.com", c.Account, c.Region, c.Rng, bucket, key);
            ev.Add(c.Call(220 + i * 2, "s3.amazonaws.com", "DeleteObject", id, ip, ua, false, req, add: add, res: res, data: true));
        }
        ev.Add(c.Call(360, "s3.amazonaws.com", "PutObject", id, ip, ua, false,
            Obj(("bucketName", bucket), ("Host", $"{bucket}.s3.{c.Region}.amazonaws.com"), ("key", "README-RESTORE-FILES.txt")),
            add: Obj(("SignatureVersion", "SigV4"), ("bytesTransferredIn", 412.0), ("AuthenticationMethod", "AuthHeader"), ("bytesTransferredOut", 0.0)),
            res: BackgroundProfile.S3Resources(c.Account.Id, bucket, "README-RESTORE-FILES.txt"), data: true));
        return c.Truth("Ransomware on S3", $"Versioning suspended on {bucket}, objects re-encrypted with a KMS key in account {OutsideAccount}, originals deleted, a ransom note left.",
            new("T1486", "Data Encrypted for Impact"), new("T1485", "Data Destruction"), new("T1490", "Inhibit System Recovery"));
    }
}
