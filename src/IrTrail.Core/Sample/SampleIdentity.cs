namespace IrTrail.Core.Sample;

/// <summary>
/// A principal as CloudTrail's userIdentity describes it. Only the fields CloudTrail defines for the type are set;
/// null members are not written.
/// </summary>
public sealed class SampleIdentity
{
    public required string Type { get; init; }           // AWSService, AssumedRole, IAMUser, Root, FederatedUser, AWSAccount
    public string? PrincipalId { get; init; }
    public string? Arn { get; init; }
    public string? AccountId { get; init; }
    public string? AccessKeyId { get; init; }
    public string? UserName { get; init; }
    public string? InvokedBy { get; init; }
    /// <summary>For sessions: the issuer (role or IAM user) and its type.</summary>
    public string? IssuerType { get; init; }
    public string? IssuerPrincipalId { get; init; }
    public string? IssuerArn { get; init; }
    public string? IssuerUserName { get; init; }
    public bool HasSessionContext { get; init; }
    public bool MfaAuthenticated { get; init; }
    public string? SessionCreationDate { get; init; }
    /// <summary>"2.0" for EC2 instance-role credentials (sessionContext.ec2RoleDelivery).</summary>
    public string? Ec2RoleDelivery { get; init; }

    /// <summary>A label for ground truth: the ARN, or the service / principal id when there is none.</summary>
    public string Label => Arn ?? InvokedBy ?? PrincipalId ?? Type;

    public static SampleIdentity Service(string service) => new() { Type = "AWSService", InvokedBy = service };

    public static SampleIdentity IamUser(string account, string userName, string principalId, string accessKeyId) => new()
    {
        Type = "IAMUser", PrincipalId = principalId, Arn = $"arn:aws:iam::{account}:user/{userName}", AccountId = account,
        AccessKeyId = accessKeyId, UserName = userName,
    };

    public static SampleIdentity Role(string account, string roleName, string roleId, string sessionName, string accessKeyId,
        string creationDate, bool mfa = false, bool instanceRole = false) => new()
    {
        Type = "AssumedRole", PrincipalId = $"{roleId}:{sessionName}", Arn = $"arn:aws:sts::{account}:assumed-role/{roleName}/{sessionName}",
        AccountId = account, AccessKeyId = accessKeyId, HasSessionContext = true, IssuerType = "Role", IssuerPrincipalId = roleId,
        IssuerArn = $"arn:aws:iam::{account}:role/{roleName}", IssuerUserName = roleName, MfaAuthenticated = mfa,
        SessionCreationDate = creationDate, Ec2RoleDelivery = instanceRole ? "2.0" : null,
    };

    public static SampleIdentity Root(string account, string? accessKeyId, string creationDate, bool mfa) => new()
    {
        Type = "Root", PrincipalId = account, Arn = $"arn:aws:iam::{account}:root", AccountId = account, AccessKeyId = accessKeyId,
        HasSessionContext = accessKeyId is not null, MfaAuthenticated = mfa, SessionCreationDate = creationDate,
    };

    public static SampleIdentity Federated(string account, string name, string issuerUser, string issuerId, string accessKeyId, string creationDate) => new()
    {
        Type = "FederatedUser", PrincipalId = $"{account}:{name}", Arn = $"arn:aws:sts::{account}:federated-user/{name}", AccountId = account,
        AccessKeyId = accessKeyId, HasSessionContext = true, IssuerType = "IAMUser", IssuerPrincipalId = issuerId,
        IssuerArn = $"arn:aws:iam::{account}:user/{issuerUser}", IssuerUserName = issuerUser, SessionCreationDate = creationDate,
    };

    public static SampleIdentity OtherAccount(string otherAccount, string principalId, string? invokedBy) => new()
    {
        Type = "AWSAccount", PrincipalId = principalId, AccountId = otherAccount, InvokedBy = invokedBy,
    };
}
