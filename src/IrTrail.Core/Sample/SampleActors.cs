namespace IrTrail.Core.Sample;

/// <summary>An IAM user of the background with the access key, address and client it normally uses.</summary>
public sealed record SampleUser(string Name, string PrincipalId, string AccessKeyId, string HomeIp, string UserAgent);

/// <summary>A role assumed by workloads or people.</summary>
public sealed record SampleRole(string Name, string RoleId);

/// <summary>The principals, buckets and keys of one generated account, drawn once from the seed.</summary>
public sealed class SampleAccount
{
    public required string Id { get; init; }
    public required IReadOnlyList<SampleUser> Users { get; init; }
    public required IReadOnlyList<SampleRole> Roles { get; init; }
    public required SampleRole InstanceRole { get; init; }
    public required IReadOnlyList<string> InstanceIds { get; init; }
    public required IReadOnlyList<string> Buckets { get; init; }
    public required string KmsKeyId { get; init; }

    private static readonly string[] UserNames = ["ci-builder", "alice.admin", "bob.dev", "carol.ops", "dave.analyst", "backup-svc"];
    private static readonly string[] RoleNames = ["OrganizationAccountAccessRole", "DevOpsEngineer", "ReadOnlyAuditor", "lambda-etl-exec", "eks-node-group"];
    private static readonly string[] BucketStems = ["app-assets", "finance-reports", "customer-exports", "build-artifacts", "db-backups"];

    public static SampleAccount Create(string id, SampleRandom rng)
    {
        var users = new List<SampleUser>();
        foreach (var u in UserNames)
            users.Add(new SampleUser(u, rng.IamId("AIDA", 21), rng.IamId("AKIA"), $"198.51.100.{rng.Next(2, 250)}", rng.Pick(SampleUserAgents.Clients)));
        var roles = RoleNames.Select(r => new SampleRole(r, rng.IamId("AROA", 21))).ToList();
        var instances = Enumerable.Range(0, 4).Select(_ => "i-0" + rng.HexLower(16)).ToList();
        return new SampleAccount
        {
            Id = id,
            Users = users,
            Roles = roles,
            InstanceRole = new SampleRole("ec2-app-server-role", rng.IamId("AROA", 21)),
            InstanceIds = instances,
            Buckets = BucketStems.Select(b => $"{b}-{id}").ToList(),
            KmsKeyId = rng.Uuid(),
        };
    }
}

/// <summary>User agents seen in the real corpus, by kind (versions modernised; shapes kept).</summary>
public static class SampleUserAgents
{
    public static readonly string[] Clients =
    [
        "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls",
        "aws-cli/2.15.30 Python/3.11.8 Windows/10 exe/AMD64 prompt/off command/ec2.describe-instances",
        "Boto3/1.34.60 md/Botocore#1.34.60 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.60",
        "aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.4",
        "Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.41.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1",
        "AWSPowerShell.Common/4.1.541.0 .NET_Core/8.0.3 OS/Microsoft_Windows_10.0.19045 PowerShellCore/7.4.1",
    ];

    public const string Console = "AWS Internal";
    public const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";
    public const string S3Console = "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.638 Linux/5.10.210 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard]";
    public const string Curl = "curl/7.88.1";
    public const string PythonRequests = "python-requests/2.31.0";
    public const string Pacu = "aws-cli/1.16.300 Python/3.8.10 Linux/5.4.0 botocore/1.13.36 (Pacu)";
}
