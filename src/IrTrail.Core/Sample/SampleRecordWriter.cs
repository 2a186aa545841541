using System.Globalization;
using System.Text.Json;

namespace IrTrail.Core.Sample;

/// <summary>
/// Writes a <see cref="SampleEvent"/> as a CloudTrail eventVersion 1.08 record, with the fields in the order CloudTrail
/// delivers them and only the fields that version defines.
/// </summary>
public static class SampleRecordWriter
{
    public const string EventVersion = "1.08";

    /// <summary>The top-level fields CloudTrail defines for eventVersion 1.08 (1.09 adds addendum, edgeDeviceDetails).</summary>
    public static readonly IReadOnlySet<string> DefinedFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
        "errorCode", "errorMessage", "requestParameters", "responseElements", "additionalEventData", "requestID", "eventID",
        "readOnly", "resources", "eventType", "apiVersion", "managementEvent", "recipientAccountId", "serviceEventDetails",
        "sharedEventID", "vpcEndpointId", "eventCategory", "tlsDetails", "sessionCredentialFromConsole", "insightDetails",
    };

    public static readonly IReadOnlySet<string> DefinedIdentityFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "type", "principalId", "arn", "accountId", "accessKeyId", "userName", "invokedBy", "sessionContext",
        "identityProvider", "onBehalfOf", "credentialId",
    };

    public static string FormatTime(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static void Write(Utf8JsonWriter w, SampleEvent e)
    {
        w.WriteStartObject();
        w.WriteString("eventVersion"u8, EventVersion);
        WriteIdentity(w, e.Identity);
        w.WriteString("eventTime"u8, FormatTime(e.Time));
        w.WriteString("eventSource"u8, e.EventSource);
        w.WriteString("eventName"u8, e.EventName);
        w.WriteString("awsRegion"u8, e.Region);
        w.WriteString("sourceIPAddress"u8, e.SourceIp);
        w.WriteString("userAgent"u8, e.UserAgent);
        if (e.ErrorCode is not null)
        {
            w.WriteString("errorCode"u8, e.ErrorCode);
            if (e.ErrorMessage is not null) w.WriteString("errorMessage"u8, e.ErrorMessage);
        }
        Raw(w, "requestParameters"u8, e.RequestParameters);
        Raw(w, "responseElements"u8, e.ResponseElements);
        if (e.AdditionalEventData is not null) Raw(w, "additionalEventData"u8, e.AdditionalEventData);
        w.WriteString("requestID"u8, e.RequestId);
        w.WriteString("eventID"u8, e.EventId);
        w.WriteBoolean("readOnly"u8, e.ReadOnly);
        if (e.Resources is not null) Raw(w, "resources"u8, e.Resources);
        w.WriteString("eventType"u8, e.EventType);
        if (e.ApiVersion is not null) w.WriteString("apiVersion"u8, e.ApiVersion);
        w.WriteBoolean("managementEvent"u8, e.ManagementEvent);
        w.WriteString("recipientAccountId"u8, e.Account);
        if (e.SharedEventId is not null) w.WriteString("sharedEventID"u8, e.SharedEventId);
        w.WriteString("eventCategory"u8, e.EventCategory);
        if (e.TlsHost is not null)
        {
            w.WriteStartObject("tlsDetails"u8);
            w.WriteString("tlsVersion"u8, "TLSv1.2");
            w.WriteString("cipherSuite"u8, "ECDHE-RSA-AES128-GCM-SHA256");
            w.WriteString("clientProvidedHostHeader"u8, e.TlsHost);
            w.WriteEndObject();
        }
        if (e.SessionCredentialFromConsole is { } console) w.WriteString("sessionCredentialFromConsole"u8, console ? "true" : "false");
        w.WriteEndObject();
    }

    private static void Raw(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? json)
    {
        w.WritePropertyName(name);
        if (json is null) w.WriteNullValue();
        else w.WriteRawValue(json, skipInputValidation: true);
    }

    private static void WriteIdentity(Utf8JsonWriter w, SampleIdentity id)
    {
        w.WriteStartObject("userIdentity"u8);
        w.WriteString("type"u8, id.Type);
        if (id.PrincipalId is not null) w.WriteString("principalId"u8, id.PrincipalId);
        if (id.Arn is not null) w.WriteString("arn"u8, id.Arn);
        if (id.AccountId is not null) w.WriteString("accountId"u8, id.AccountId);
        if (id.AccessKeyId is not null) w.WriteString("accessKeyId"u8, id.AccessKeyId);
        if (id.UserName is not null) w.WriteString("userName"u8, id.UserName);
        if (id.HasSessionContext)
        {
            w.WriteStartObject("sessionContext"u8);
            if (id.IssuerType is not null)
            {
                w.WriteStartObject("sessionIssuer"u8);
                w.WriteString("type"u8, id.IssuerType);
                w.WriteString("principalId"u8, id.IssuerPrincipalId);
                w.WriteString("arn"u8, id.IssuerArn);
                w.WriteString("accountId"u8, id.AccountId);
                w.WriteString("userName"u8, id.IssuerUserName);
                w.WriteEndObject();
                w.WriteStartObject("webIdFederationData"u8);
                w.WriteEndObject();
            }
            w.WriteStartObject("attributes"u8);
            w.WriteString("creationDate"u8, id.SessionCreationDate);
            w.WriteString("mfaAuthenticated"u8, id.MfaAuthenticated ? "true" : "false");
            w.WriteEndObject();
            if (id.Ec2RoleDelivery is not null) w.WriteString("ec2RoleDelivery"u8, id.Ec2RoleDelivery);
            w.WriteEndObject();
        }
        if (id.InvokedBy is not null) w.WriteString("invokedBy"u8, id.InvokedBy);
        w.WriteEndObject();
    }
}
