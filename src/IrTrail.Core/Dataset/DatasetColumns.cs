namespace IrTrail.Core.Dataset;

/// <summary>
/// The dataset's text columns as slots of a <see cref="RowBuffer"/>. Names are CloudTrail's own; userIdentity leaves are
/// dotted paths inside the userIdentity struct. JSON-kind slots hold JSON text exactly as received.
/// </summary>
public static class DatasetColumns
{
    public const int EventVersion = 0, EventSource = 1, EventName = 2, AwsRegion = 3, SourceIPAddress = 4, UserAgent = 5,
        ErrorCode = 6, ErrorMessage = 7, RequestParameters = 8, ResponseElements = 9, AdditionalEventData = 10, RequestID = 11,
        EventID = 12, EventType = 13, ApiVersion = 14, Resources = 15, RecipientAccountId = 16, ServiceEventDetails = 17,
        SharedEventID = 18, VpcEndpointId = 19, VpcEndpointAccountId = 20, EventCategory = 21, Addendum = 22,
        EdgeDeviceDetails = 23, TlsDetails = 24, InsightDetails = 25,
        UiType = 26, UiPrincipalId = 27, UiArn = 28, UiAccountId = 29, UiAccessKeyId = 30, UiUserName = 31, UiInvokedBy = 32,
        UiIdentityProvider = 33, UiCredentialId = 34, UiOnBehalfOf = 35, ScCreationDate = 36, ScMfaAuthenticated = 37,
        SiType = 38, SiPrincipalId = 39, SiArn = 40, SiAccountId = 41, SiUserName = 42, ScWebIdFederationData = 43,
        ScSourceIdentity = 44, ScEc2RoleDelivery = 45, ScAssumedRoot = 46, OtherFields = 47, SourceFile = 48;

    public const int Count = 49;

    /// <summary>Bits of <see cref="RowBuffer.StructBits"/>: which of sessionContext's objects a record had. Their structs
    /// are NULL in the dataset when the object was absent, and a struct of NULLs when it was empty ({}).</summary>
    public const byte AttributesBit = 1, SessionIssuerBit = 2;

    /// <summary>Boolean slots.</summary>
    public const int ManagementEvent = 0, ReadOnly = 1, SessionCredentialFromConsole = 2, BoolCount = 3;

    /// <summary>The column holding every top-level field the schema does not know (and values of known fields that
    /// cannot go in their typed column), as one JSON object text.</summary>
    public const string OtherFieldsName = "otherFields";

    /// <summary>Top-level blobs CloudTrail writes on every API call, as <c>null</c> when there is nothing to say: a NULL in
    /// their column means that null, and only a record without the key says so in otherFields (under
    /// <see cref="AbsentKey"/>). Most events have a null one, so otherFields stays empty for ordinary records.</summary>
    public static readonly string[] NullWhenEmpty = ["requestParameters", "responseElements"];

    /// <summary>IrTrail's own key in otherFields: the <see cref="NullWhenEmpty"/> fields the record did not have, as a
    /// JSON array of their names. An input field whose name starts with <see cref="ReservedPrefix"/> is kept under that
    /// name with the prefix once more in front, so it can never be taken for this.</summary>
    public const string AbsentKey = "irtrail:absent";
    public const string ReservedPrefix = "irtrail:";

    /// <summary>Top-level text columns, by JSON name; true when the value is a JSON blob kept as text.</summary>
    public static readonly (string Name, int Slot, bool Json)[] TopLevel =
    [
        ("eventVersion", EventVersion, false), ("eventSource", EventSource, false), ("eventName", EventName, false),
        ("awsRegion", AwsRegion, false), ("sourceIPAddress", SourceIPAddress, false), ("userAgent", UserAgent, false),
        ("errorCode", ErrorCode, false), ("errorMessage", ErrorMessage, false), ("requestParameters", RequestParameters, true),
        ("responseElements", ResponseElements, true), ("additionalEventData", AdditionalEventData, true),
        ("requestID", RequestID, false), ("eventID", EventID, false), ("eventType", EventType, false),
        ("apiVersion", ApiVersion, false), ("resources", Resources, true), ("recipientAccountId", RecipientAccountId, false),
        ("serviceEventDetails", ServiceEventDetails, true), ("sharedEventID", SharedEventID, false),
        ("vpcEndpointId", VpcEndpointId, false), ("vpcEndpointAccountId", VpcEndpointAccountId, false),
        ("eventCategory", EventCategory, false), ("addendum", Addendum, true), ("edgeDeviceDetails", EdgeDeviceDetails, true),
        ("tlsDetails", TlsDetails, true), ("insightDetails", InsightDetails, true),
    ];

    public static readonly (string Name, int Slot)[] TopLevelBools =
        [("managementEvent", ManagementEvent), ("readOnly", ReadOnly), ("sessionCredentialFromConsole", SessionCredentialFromConsole)];

    /// <summary>userIdentity members (struct fields) → slot; Json = kept as JSON text.</summary>
    public static readonly (string Name, int Slot, bool Json)[] UserIdentity =
    [
        ("type", UiType, false), ("principalId", UiPrincipalId, false), ("arn", UiArn, false), ("accountId", UiAccountId, false),
        ("accessKeyId", UiAccessKeyId, false), ("userName", UiUserName, false), ("invokedBy", UiInvokedBy, false),
        ("identityProvider", UiIdentityProvider, false), ("credentialId", UiCredentialId, false), ("onBehalfOf", UiOnBehalfOf, true),
    ];

    public static readonly (string Name, int Slot, bool Json)[] SessionContext =
    [
        ("webIdFederationData", ScWebIdFederationData, true), ("sourceIdentity", ScSourceIdentity, false),
        ("ec2RoleDelivery", ScEc2RoleDelivery, false), ("assumedRoot", ScAssumedRoot, false),
    ];

    public static readonly (string Name, int Slot, bool Json)[] Attributes =
        [("creationDate", ScCreationDate, false), ("mfaAuthenticated", ScMfaAuthenticated, false)];

    public static readonly (string Name, int Slot, bool Json)[] SessionIssuer =
    [
        ("type", SiType, false), ("principalId", SiPrincipalId, false), ("arn", SiArn, false), ("accountId", SiAccountId, false),
        ("userName", SiUserName, false),
    ];
}
