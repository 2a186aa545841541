namespace IrTrail.Core.Sample;

/// <summary>
/// Turns decisions into <see cref="SampleEvent"/>s: background calls drawn from <see cref="BackgroundProfile"/>, and the
/// explicit calls the scenarios make. Identities are built once per principal and shared between events.
/// </summary>
public sealed class SampleEventFactory
{
    private readonly SampleRandom _rng;
    private readonly Dictionary<string, Principals> _principals = new(StringComparer.Ordinal);

    public SampleEventFactory(SampleRandom rng, IReadOnlyList<SampleAccount> accounts, DateTime start)
    {
        _rng = rng;
        Accounts = accounts;
        var created = SampleRecordWriter.FormatTime(start.AddMinutes(-37));
        foreach (var a in accounts)
        {
            var p = new Principals
            {
                Users = a.Users.Select(u => SampleIdentity.IamUser(a.Id, u.Name, u.PrincipalId, u.AccessKeyId)).ToArray(),
                Roles = a.Roles.Skip(1).Select(r => SampleIdentity.Role(a.Id, r.Name, r.RoleId, r.Name + "-" + rng.HexLower(6), rng.IamId("ASIA"), created)).ToArray(),
                InstanceRoles = a.InstanceIds.Select(i => SampleIdentity.Role(a.Id, a.InstanceRole.Name, a.InstanceRole.RoleId, i, rng.IamId("ASIA"), created, instanceRole: true)).ToArray(),
                InstanceIps = a.InstanceIds.Select(_ => $"203.0.113.{rng.Next(2, 250)}").ToArray(),
                Root = SampleIdentity.Root(a.Id, rng.IamId("ASIA"), created, mfa: true),
                Federated = SampleIdentity.Federated(a.Id, "sso-reader", a.Users[1].Name, a.Users[1].PrincipalId, rng.IamId("ASIA"), created),
                Other = SampleIdentity.OtherAccount("210987654321", rng.IamId("AIDA", 21), null),
            };
            _principals[a.Id] = p;
        }
    }

    public IReadOnlyList<SampleAccount> Accounts { get; }

    private sealed class Principals
    {
        public required SampleIdentity[] Users, Roles, InstanceRoles;
        public required string[] InstanceIps;
        public required SampleIdentity Root, Federated, Other;
    }

    public SampleIdentity User(SampleAccount a, int index) => _principals[a.Id].Users[index];

    /// <summary>A background call in one account and region at a time.</summary>
    public SampleEvent Background(DateTime time, SampleAccount account, string region, bool hasUsEast1)
    {
        var t = BackgroundProfile.Calls[_rng.Weighted(BackgroundProfile.Cumulative)];
        var p = _principals[account.Id];
        if (t.Global && hasUsEast1) region = "us-east-1";
        SampleIdentity id;
        string ip, ua;
        bool? console = null;
        switch (t.Actor)
        {
            case ActorKind.Service:
                id = SampleIdentity.Service(t.InvokedBy!);
                ip = ua = t.InvokedBy!;
                break;
            case ActorKind.Role:
                id = _rng.Pick(p.Roles);
                ip = $"203.0.113.{_rng.Next(2, 250)}";
                ua = SampleUserAgents.Clients[2 + _rng.Next(2)];
                break;
            case ActorKind.InstanceRole:
                {
                    var i = _rng.Next(p.InstanceRoles.Length);
                    id = p.InstanceRoles[i];
                    ip = p.InstanceIps[i];
                    ua = SampleUserAgents.Clients[2];
                    break;
                }
            case ActorKind.User:
                {
                    var i = _rng.Next(account.Users.Count);
                    id = p.Users[i];
                    ip = account.Users[i].HomeIp;
                    ua = account.Users[i].UserAgent;
                    break;
                }
            case ActorKind.Root:
                id = p.Root;
                ip = "198.51.100.7";
                ua = SampleUserAgents.Console;
                console = true;
                break;
            case ActorKind.Federated:
                id = p.Federated;
                ip = "198.51.100.31";
                ua = SampleUserAgents.S3Console;
                console = true;
                break;
            default:
                id = p.Other;
                ip = $"192.0.2.{_rng.Next(2, 60)}";
                ua = SampleUserAgents.Clients[3];
                break;
        }
        if (t.Name == "ConsoleLogin") return ConsoleLogin(time, account, id, ip, mfa: true, success: true, scenario: null);
        var failed = t.ErrorRate > 0 && _rng.Chance(t.ErrorRate);
        var (req, resp, add, res) = BackgroundProfile.Details(t.Name, t.Source, account, region, _rng);
        return new SampleEvent
        {
            Time = time, EventId = _rng.Uuid(), Account = account.Id, Region = region, EventSource = t.Source, EventName = t.Name,
            Identity = id, SourceIp = ip, UserAgent = ua, ErrorCode = failed ? t.ErrorCode : null, ErrorMessage = failed ? t.ErrorMessage : null,
            RequestParameters = req, ResponseElements = failed ? null : resp, AdditionalEventData = add, Resources = res,
            RequestId = RequestId(t.Source), ReadOnly = t.ReadOnly, ManagementEvent = !t.Data,
            TlsHost = t.Actor == ActorKind.Service ? null : Host(t.Source, region), SessionCredentialFromConsole = console,
            SharedEventId = t.Actor == ActorKind.OtherAccount ? _rng.Uuid() : null,
        };
    }

    /// <summary>An explicit call, as the scenarios make them.</summary>
    public SampleEvent Call(string scenario, DateTime time, SampleAccount account, string region, string source, string name,
        SampleIdentity id, string ip, string ua, bool readOnly, string? request = null, string? response = null,
        string? errorCode = null, string? errorMessage = null, string? additional = null, string? resources = null, bool data = false)
    {
        if (source is "iam.amazonaws.com" or "signin.amazonaws.com") region = "us-east-1";
        return new SampleEvent
        {
            Time = time, EventId = _rng.Uuid(), Account = account.Id, Region = region, EventSource = source, EventName = name,
            Identity = id, SourceIp = ip, UserAgent = ua, ErrorCode = errorCode, ErrorMessage = errorMessage,
            RequestParameters = request, ResponseElements = errorCode is null ? response : null, AdditionalEventData = additional,
            Resources = resources, RequestId = RequestId(source), ReadOnly = readOnly, ManagementEvent = !data, TlsHost = Host(source, region),
            Scenario = scenario,
        };
    }

    public SampleEvent ConsoleLogin(DateTime time, SampleAccount account, SampleIdentity id, string ip, bool mfa, bool success, string? scenario)
    {
        var add = SampleJson.Obj(("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true"),
            ("MobileVersion", "No"), ("MFAIdentifier", mfa ? $"arn:aws:iam::{account.Id}:mfa/{id.UserName ?? "root-account-mfa-device"}" : null), ("MFAUsed", mfa ? "Yes" : "No"));
        if (!mfa) add = SampleJson.Obj(("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true"), ("MobileVersion", "No"), ("MFAUsed", "No"));
        var consoleId = new SampleIdentity
        {
            Type = id.Type, PrincipalId = id.PrincipalId, Arn = id.Arn, AccountId = id.AccountId, UserName = id.UserName,
        };
        return new SampleEvent
        {
            Time = time, EventId = _rng.Uuid(), Account = account.Id, Region = "us-east-1", EventSource = "signin.amazonaws.com",
            EventName = "ConsoleLogin", Identity = consoleId, SourceIp = ip, UserAgent = SampleUserAgents.Browser,
            ErrorMessage = success ? null : "Failed authentication", ErrorCode = null,
            RequestParameters = null, ResponseElements = SampleJson.Obj(("ConsoleLogin", success ? "Success" : "Failure")),
            AdditionalEventData = add, RequestId = _rng.Uuid(), ReadOnly = false, EventType = "AwsConsoleSignIn",
            TlsHost = "signin.aws.amazon.com", Scenario = scenario,
        };
    }

    private string RequestId(string source) => source == "s3.amazonaws.com" ? _rng.HexUpper(16) : _rng.Uuid();

    private static string Host(string source, string region)
    {
        var service = source[..source.IndexOf('.')];
        return service is "iam" or "signin" ? $"{service}.amazonaws.com" : $"{service}.{region}.amazonaws.com";
    }
}
