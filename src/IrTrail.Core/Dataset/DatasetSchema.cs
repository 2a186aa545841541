using Parquet;
using Parquet.Schema;
using static IrTrail.Core.Dataset.DatasetColumns;

namespace IrTrail.Core.Dataset;

/// <summary>
/// The schema of an IrTrail dataset as a tree, and the order its leaf columns are handed to the writer in
/// (<see cref="ArrowRows"/>, <see cref="ParquetFileWriter"/>). CloudTrail's own names; eventTime a UTC TIMESTAMP
/// (microseconds); booleans BOOLEAN; userIdentity a struct; blobs JSON text.
/// </summary>
public static class DatasetSchema
{
    /// <summary>Hive partition keys (folder names), chosen not to be SQL reserved words in DuckDB or Athena.</summary>
    public const string AccountKey = "account_id", RegionKey = "region_name", DateKey = "event_date";

    /// <summary>The partition value used when the account, region or date is missing.</summary>
    public const string Unknown = "unknown";

    internal enum Kind { Text, Bool, Time, Record }

    internal readonly record struct Leaf(DataField Field, Kind Kind, int Slot);

    public static ParquetSchema Schema { get; }
    internal static Leaf[] Leaves { get; }

    static DatasetSchema()
    {
        var leaves = new List<Leaf>();
        // Text columns go from the row buffer's UTF-8 slices to the writer as they are: no UTF-16 round trip per value.
        DataField T(string name, int slot) { var f = new DataField(name, typeof(byte[]), isNullable: true); leaves.Add(new Leaf(f, Kind.Text, slot)); return f; }
        DataField B(string name, int slot) { var f = new DataField<bool?>(name); leaves.Add(new Leaf(f, Kind.Bool, slot)); return f; }
        // Field order = leaf write order (depth first).
        var fields = new List<Field>
        {
            T("eventVersion", EventVersion),
            new StructField("userIdentity",
                T("type", UiType), T("principalId", UiPrincipalId), T("arn", UiArn), T("accountId", UiAccountId),
                T("accessKeyId", UiAccessKeyId), T("userName", UiUserName), T("invokedBy", UiInvokedBy),
                T("identityProvider", UiIdentityProvider), T("credentialId", UiCredentialId), T("onBehalfOf", UiOnBehalfOf),
                new StructField("sessionContext",
                    new StructField("attributes", T("creationDate", ScCreationDate), T("mfaAuthenticated", ScMfaAuthenticated)),
                    new StructField("sessionIssuer", T("type", SiType), T("principalId", SiPrincipalId), T("arn", SiArn),
                        T("accountId", SiAccountId), T("userName", SiUserName)),
                    T("webIdFederationData", ScWebIdFederationData), T("sourceIdentity", ScSourceIdentity),
                    T("ec2RoleDelivery", ScEc2RoleDelivery), T("assumedRoot", ScAssumedRoot))),
        };
        // eventTime: TIMESTAMP WITH TIME ZONE in the file (Parquet INT64 micros, isAdjustedToUTC), from ArrowRows.
        var time = new DataField<long?>("eventTime");
        leaves.Add(new Leaf(time, Kind.Time, 0));
        fields.Add(time);
        fields.AddRange([
            T("eventSource", EventSource), T("eventName", EventName), T("awsRegion", AwsRegion),
            T("sourceIPAddress", SourceIPAddress), T("userAgent", UserAgent), T("errorCode", ErrorCode), T("errorMessage", ErrorMessage),
            T("requestParameters", RequestParameters), T("responseElements", ResponseElements),
            T("additionalEventData", AdditionalEventData), T("requestID", RequestID), T("eventID", EventID),
            B("readOnly", ReadOnly), T("resources", Resources), T("eventType", EventType), T("apiVersion", ApiVersion),
            B("managementEvent", ManagementEvent), T("recipientAccountId", RecipientAccountId),
            T("serviceEventDetails", ServiceEventDetails), T("sharedEventID", SharedEventID), T("vpcEndpointId", VpcEndpointId),
            T("vpcEndpointAccountId", VpcEndpointAccountId), T("eventCategory", EventCategory), T("addendum", Addendum),
            B("sessionCredentialFromConsole", SessionCredentialFromConsole), T("edgeDeviceDetails", EdgeDeviceDetails),
            T("tlsDetails", TlsDetails), T("insightDetails", InsightDetails), T(OtherFieldsName, OtherFields),
            T("sourceFile", SourceFile),
        ]);
        var record = new DataField<long>("sourceRecord");
        leaves.Add(new Leaf(record, Kind.Record, 0));
        fields.Add(record);
        Schema = new ParquetSchema(fields);
        // The schema may hand out its own field instances: use those, in its leaf order.
        var data = Schema.GetDataFields();
        if (data.Length != leaves.Count) throw new InvalidOperationException("Dataset schema leaf count mismatch.");
        for (var i = 0; i < data.Length; i++) leaves[i] = leaves[i] with { Field = data[i] };
        Leaves = leaves.ToArray();
    }

    /// <summary>A partition value made safe as a folder name (the row's own columns keep the exact value).</summary>
    public static string PartitionValue(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty) return Unknown;
        var chars = new char[value.Length];
        var n = 0;
        foreach (var b in value)
        {
            if (n == 64) break;
            chars[n++] = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' ? (char)b : '_';
        }
        return new string(chars, 0, n);
    }
}
