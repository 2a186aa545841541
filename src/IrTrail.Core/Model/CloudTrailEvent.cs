namespace IrTrail.Core.Model;

/// <summary>
/// One CloudTrail record. Property names follow CloudTrail's own field names (PascalCased for .NET); per-API blobs
/// are <see cref="CloudTrailJson"/> (original text plus a parsed view). Fields the schema does not know, and known
/// fields whose JSON type is not the documented one, are kept verbatim in <see cref="AdditionalFields"/>.
/// </summary>
public sealed class CloudTrailEvent
{
    public string? EventVersion { get; set; }
    /// <summary>eventTime as UTC; null when missing or unparseable (the original text is in <see cref="EventTimeText"/>).</summary>
    public DateTime? EventTime { get; set; }
    /// <summary>eventTime exactly as written in the source.</summary>
    public string? EventTimeText { get; set; }
    public CloudTrailUserIdentity? UserIdentity { get; set; }
    public string? EventSource { get; set; }
    public string? EventName { get; set; }
    public string? AwsRegion { get; set; }
    public string? SourceIPAddress { get; set; }
    public string? UserAgent { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public CloudTrailJson? RequestParameters { get; set; }
    public CloudTrailJson? ResponseElements { get; set; }
    public CloudTrailJson? AdditionalEventData { get; set; }
    public string? RequestID { get; set; }
    public string? EventID { get; set; }
    public string? EventType { get; set; }
    public string? ApiVersion { get; set; }
    public bool? ManagementEvent { get; set; }
    public bool? ReadOnly { get; set; }
    public CloudTrailJson? Resources { get; set; }
    public string? RecipientAccountId { get; set; }
    public CloudTrailJson? ServiceEventDetails { get; set; }
    public string? SharedEventID { get; set; }
    public string? VpcEndpointId { get; set; }
    public string? VpcEndpointAccountId { get; set; }
    public string? EventCategory { get; set; }
    public CloudTrailJson? Addendum { get; set; }
    public bool? SessionCredentialFromConsole { get; set; }
    public CloudTrailJson? EdgeDeviceDetails { get; set; }
    public CloudTrailJson? TlsDetails { get; set; }
    public CloudTrailJson? InsightDetails { get; set; }
    /// <summary>Top-level fields CloudTrail's schema does not define (or of an unexpected JSON type), verbatim.</summary>
    public CloudTrailJson? AdditionalFields { get; set; }

    /// <summary>Where the record came from: a file path or an s3:// URI.</summary>
    public string? SourceFile { get; set; }
    /// <summary>0-based position of the record within its source file.</summary>
    public long RecordIndex { get; set; }

    /// <summary>The readable "who": user name, else the issuing role's name, else the ARN, else the invoking service.</summary>
    public string? Principal =>
        UserIdentity is null ? null :
        UserIdentity.UserName
        ?? UserIdentity.SessionContext?.SessionIssuer?.UserName
        ?? UserIdentity.Arn
        ?? UserIdentity.InvokedBy
        ?? UserIdentity.PrincipalId;

    /// <summary>The account the event belongs to: recipientAccountId, else userIdentity.accountId.</summary>
    public string? AccountId => RecipientAccountId ?? UserIdentity?.AccountId;

    public override string ToString() => $"{EventTime:O} {EventSource} {EventName} {EventID}";
}

public sealed class CloudTrailUserIdentity
{
    public string? Type { get; set; }
    public string? PrincipalId { get; set; }
    public string? Arn { get; set; }
    public string? AccountId { get; set; }
    public string? AccessKeyId { get; set; }
    public string? UserName { get; set; }
    public string? InvokedBy { get; set; }
    public string? IdentityProvider { get; set; }
    public string? CredentialId { get; set; }
    public CloudTrailSessionContext? SessionContext { get; set; }
    public CloudTrailJson? OnBehalfOf { get; set; }
    /// <summary>The whole userIdentity object exactly as received (for lossless export and fields not typed here).</summary>
    public CloudTrailJson? Json { get; set; }
    public override string ToString() => Arn ?? PrincipalId ?? Type ?? string.Empty;
}

public sealed class CloudTrailSessionContext
{
    public CloudTrailSessionAttributes? Attributes { get; set; }
    public CloudTrailSessionIssuer? SessionIssuer { get; set; }
    public CloudTrailJson? WebIdFederationData { get; set; }
    public string? SourceIdentity { get; set; }
    public string? Ec2RoleDelivery { get; set; }
    public string? AssumedRoot { get; set; }
    public override string ToString() => SessionIssuer?.Arn ?? string.Empty;
}

public sealed class CloudTrailSessionAttributes
{
    /// <summary>As written: real data has ISO 8601 and the odd compact form 20131102T010628Z.</summary>
    public string? CreationDate { get; set; }
    public bool? MfaAuthenticated { get; set; }
    public override string ToString() => $"mfaAuthenticated={MfaAuthenticated}, creationDate={CreationDate}";
}

public sealed class CloudTrailSessionIssuer
{
    public string? Type { get; set; }
    public string? PrincipalId { get; set; }
    public string? Arn { get; set; }
    public string? AccountId { get; set; }
    public string? UserName { get; set; }
    public override string ToString() => Arn ?? string.Empty;
}
