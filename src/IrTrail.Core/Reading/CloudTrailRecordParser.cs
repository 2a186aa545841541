using System.Globalization;
using System.Text.Json;
using IrTrail.Core.Model;

namespace IrTrail.Core.Reading;

/// <summary>
/// Turns one record's raw JSON into a <see cref="CloudTrailEvent"/>. Known fields are matched by CloudTrail's exact
/// (case-sensitive) names; anything else — unknown fields, known names in another case, known fields holding an
/// unexpected JSON type — is kept verbatim in AdditionalFields so nothing is lost. Where a known field appears only
/// in another case (exports that lower-case keys), it also fills the typed property so filters still work.
/// </summary>
public static class CloudTrailRecordParser
{
    private static readonly string[] EventMarkers = ["eventVersion", "eventTime", "eventName", "eventSource", "eventID"];

    /// <summary>True when the object looks like a CloudTrail event (has at least one of its identifying fields).</summary>
    public static bool IsEvent(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return false;
        foreach (var p in root.EnumerateObject())
            foreach (var m in EventMarkers)
                if (string.Equals(p.Name, m, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// Parses a record. With <paramref name="requireEventFields"/> (loose top-level objects, where nothing else says
    /// the JSON is CloudTrail) a record without any identifying field throws <see cref="CloudTrailFormatException"/>;
    /// inside a Records envelope or an array the container already says so.
    /// </summary>
    public static CloudTrailEvent Parse(ReadOnlyMemory<byte> json, string? sourceFile = null, long recordIndex = 0, bool requireEventFields = true)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (requireEventFields && !IsEvent(root))
            throw new CloudTrailFormatException(ReadFaultKind.NotCloudTrail,
                $"Record {recordIndex} is not a CloudTrail event: it has none of eventVersion, eventTime, eventName, eventSource or eventID.",
                null, recordIndex);
        var e = new CloudTrailEvent { SourceFile = sourceFile, RecordIndex = recordIndex };
        List<JsonProperty>? extra = null;
        List<JsonProperty>? otherCase = null;
        foreach (var p in root.EnumerateObject())
        {
            if (!Assign(e, p.Name, p.Value))
            {
                (extra ??= []).Add(p);
                if (Field.ByLowerName.ContainsKey(p.Name.ToLowerInvariant())) (otherCase ??= []).Add(p);
            }
        }
        if (otherCase is not null)
            foreach (var p in otherCase)
            {
                var canonical = Field.ByLowerName[p.Name.ToLowerInvariant()];
                if (!root.TryGetProperty(canonical, out _)) Assign(e, canonical, p.Value);
            }
        if (extra is not null) e.AdditionalFields = new CloudTrailJson(BuildObject(extra));
        return e;
    }

    private static string BuildObject(List<JsonProperty> props)
    {
        var sb = new System.Text.StringBuilder("{");
        for (var i = 0; i < props.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(JsonSerializer.Serialize(props[i].Name)).Append(':').Append(props[i].Value.GetRawText());
        }
        return sb.Append('}').ToString();
    }

    /// <summary>Sets a known field; false when the name is unknown or the value has an unexpected type.</summary>
    private static bool Assign(CloudTrailEvent e, string name, JsonElement v)
    {
        switch (name)
        {
            case "eventVersion": return Str(v, s => e.EventVersion = s);
            case "eventTime":
                if (v.ValueKind == JsonValueKind.Null) return true;
                if (v.ValueKind != JsonValueKind.String) return false;
                e.EventTimeText = v.GetString();
                e.EventTime = ParseTime(e.EventTimeText);
                return true;
            case "userIdentity":
                if (v.ValueKind == JsonValueKind.Null) return true;
                if (v.ValueKind != JsonValueKind.Object) return false;
                e.UserIdentity = ParseIdentity(v);
                return true;
            case "eventSource": return Str(v, s => e.EventSource = s);
            case "eventName": return Str(v, s => e.EventName = s);
            case "awsRegion": return Str(v, s => e.AwsRegion = s);
            case "sourceIPAddress": return Str(v, s => e.SourceIPAddress = s);
            case "userAgent": return Str(v, s => e.UserAgent = s);
            case "errorCode": return Str(v, s => e.ErrorCode = s);
            case "errorMessage": return Str(v, s => e.ErrorMessage = s);
            case "requestParameters": e.RequestParameters = Blob(v); return true;
            case "responseElements": e.ResponseElements = Blob(v); return true;
            case "additionalEventData": e.AdditionalEventData = Blob(v); return true;
            case "requestID": return Str(v, s => e.RequestID = s);
            case "eventID": return Str(v, s => e.EventID = s);
            case "eventType": return Str(v, s => e.EventType = s);
            case "apiVersion": return Str(v, s => e.ApiVersion = s);
            case "managementEvent": return Bool(v, b => e.ManagementEvent = b);
            case "readOnly": return Bool(v, b => e.ReadOnly = b);
            case "resources": e.Resources = Blob(v); return true;
            case "recipientAccountId": return Str(v, s => e.RecipientAccountId = s);
            case "serviceEventDetails": e.ServiceEventDetails = Blob(v); return true;
            case "sharedEventID": return Str(v, s => e.SharedEventID = s);
            case "vpcEndpointId": return Str(v, s => e.VpcEndpointId = s);
            case "vpcEndpointAccountId": return Str(v, s => e.VpcEndpointAccountId = s);
            case "eventCategory": return Str(v, s => e.EventCategory = s);
            case "addendum": e.Addendum = Blob(v); return true;
            case "sessionCredentialFromConsole": return Bool(v, b => e.SessionCredentialFromConsole = b);
            case "edgeDeviceDetails": e.EdgeDeviceDetails = Blob(v); return true;
            case "tlsDetails": e.TlsDetails = Blob(v); return true;
            case "insightDetails": e.InsightDetails = Blob(v); return true;
            default: return false;
        }
    }

    /// <summary>CloudTrail's documented top-level fields, for matching keys written in another case.</summary>
    public static class Field
    {
        public static readonly string[] Names =
        [
            "eventVersion", "eventTime", "userIdentity", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
            "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements", "additionalEventData",
            "requestID", "eventID", "eventType", "apiVersion", "managementEvent", "readOnly", "resources",
            "recipientAccountId", "serviceEventDetails", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId",
            "eventCategory", "addendum", "sessionCredentialFromConsole", "edgeDeviceDetails", "tlsDetails", "insightDetails",
        ];

        public static readonly Dictionary<string, string> ByLowerName =
            Names.ToDictionary(n => n.ToLowerInvariant(), n => n, StringComparer.Ordinal);
    }

    private static CloudTrailJson? Blob(JsonElement v) =>
        v.ValueKind == JsonValueKind.Null ? null : new CloudTrailJson(v.GetRawText());

    private static bool Str(JsonElement v, Action<string?> set)
    {
        if (v.ValueKind == JsonValueKind.Null) return true;
        if (v.ValueKind != JsonValueKind.String) return false;
        set(v.GetString());
        return true;
    }

    /// <summary>Booleans arrive as JSON booleans or as the strings "true"/"false": both normalise to bool.</summary>
    private static bool Bool(JsonElement v, Action<bool?> set)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Null: return true;
            case JsonValueKind.True: set(true); return true;
            case JsonValueKind.False: set(false); return true;
            case JsonValueKind.String when bool.TryParse(v.GetString(), out var b): set(b); return true;
            default: return false;
        }
    }

    private static bool? ToBool(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String when bool.TryParse(v.GetString(), out var b) => b,
        _ => null,
    };

    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyyMMdd'T'HHmmss'Z'",
    ];

    /// <summary>eventTime → UTC. CloudTrail writes ISO 8601 with Z; exports also use a space and nanoseconds.</summary>
    public static DateTime? ParseTime(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        var t = s.Trim();
        // Nanoseconds (9 digits) exceed .NET's 7: trim the fraction before parsing.
        var dot = t.IndexOf('.');
        if (dot > 0)
        {
            var endFrac = dot + 1;
            while (endFrac < t.Length && char.IsAsciiDigit(t[endFrac])) endFrac++;
            if (endFrac - dot - 1 > 7) t = t[..(dot + 8)] + t[endFrac..];
        }
        if (DateTime.TryParseExact(t, TimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
            return DateTime.SpecifyKind(dt, DateTimeKind.Utc);
        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto))
            return dto.UtcDateTime;
        return null;
    }

    private static CloudTrailUserIdentity ParseIdentity(JsonElement v)
    {
        var u = new CloudTrailUserIdentity { Json = new CloudTrailJson(v.GetRawText()) };
        foreach (var p in v.EnumerateObject())
        {
            var s = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
            switch (p.Name)
            {
                case "type": u.Type = s; break;
                case "principalId": u.PrincipalId = s; break;
                case "arn": u.Arn = string.IsNullOrEmpty(s) ? null : s; break;
                case "accountId": u.AccountId = s; break;
                case "accessKeyId": u.AccessKeyId = string.IsNullOrEmpty(s) ? null : s; break;
                case "userName": u.UserName = s; break;
                case "invokedBy": u.InvokedBy = s; break;
                case "identityProvider": u.IdentityProvider = s; break;
                case "credentialId": u.CredentialId = s; break;
                case "onBehalfOf": u.OnBehalfOf = Blob(p.Value); break;
                case "sessionContext" when p.Value.ValueKind == JsonValueKind.Object:
                    u.SessionContext = ParseSession(p.Value);
                    break;
            }
        }
        return u;
    }

    private static CloudTrailSessionContext ParseSession(JsonElement v)
    {
        var c = new CloudTrailSessionContext();
        foreach (var p in v.EnumerateObject())
        {
            var s = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
            switch (p.Name)
            {
                case "attributes" when p.Value.ValueKind == JsonValueKind.Object:
                    var a = new CloudTrailSessionAttributes();
                    foreach (var ap in p.Value.EnumerateObject())
                    {
                        if (ap.Name == "creationDate" && ap.Value.ValueKind == JsonValueKind.String) a.CreationDate = ap.Value.GetString();
                        else if (ap.Name == "mfaAuthenticated") a.MfaAuthenticated = ToBool(ap.Value);
                    }
                    c.Attributes = a;
                    break;
                case "sessionIssuer" when p.Value.ValueKind == JsonValueKind.Object:
                    var i = new CloudTrailSessionIssuer();
                    foreach (var ip in p.Value.EnumerateObject())
                    {
                        var iv = ip.Value.ValueKind == JsonValueKind.String ? ip.Value.GetString() : null;
                        switch (ip.Name)
                        {
                            case "type": i.Type = iv; break;
                            case "principalId": i.PrincipalId = iv; break;
                            case "arn": i.Arn = iv; break;
                            case "accountId": i.AccountId = iv; break;
                            case "userName": i.UserName = iv; break;
                        }
                    }
                    c.SessionIssuer = i;
                    break;
                case "webIdFederationData": c.WebIdFederationData = Blob(p.Value); break;
                case "sourceIdentity": c.SourceIdentity = s; break;
                case "ec2RoleDelivery": c.Ec2RoleDelivery = s; break;
                case "assumedRoot": c.AssumedRoot = s; break;
            }
        }
        return c;
    }
}
