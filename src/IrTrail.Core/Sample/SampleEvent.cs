namespace IrTrail.Core.Sample;

/// <summary>
/// One generated CloudTrail record, fully decided (every random choice already drawn) so that serialising it needs no
/// randomness and files can be written in any order or in parallel with identical bytes.
/// </summary>
public sealed class SampleEvent
{
    public required DateTime Time { get; init; }
    public required string EventId { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string EventSource { get; init; }
    public required string EventName { get; init; }
    public required SampleIdentity Identity { get; init; }
    public required string SourceIp { get; init; }
    public required string UserAgent { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public string? RequestParameters { get; init; }
    public string? ResponseElements { get; init; }
    public string? AdditionalEventData { get; init; }
    public string? Resources { get; init; }
    public required string RequestId { get; init; }
    public bool ReadOnly { get; init; }
    public string EventType { get; init; } = "AwsApiCall";
    public bool ManagementEvent { get; init; } = true;
    public string? SharedEventId { get; init; }
    public string? ApiVersion { get; init; }
    /// <summary>tlsDetails.clientProvidedHostHeader; null for calls made by AWS services (no tlsDetails).</summary>
    public string? TlsHost { get; init; }
    public bool? SessionCredentialFromConsole { get; init; }
    /// <summary>Planted scenario this event belongs to; null for background.</summary>
    public string? Scenario { get; init; }
    /// <summary>Delivered this many 5-minute windows late (0 = on time).</summary>
    public int DelayWindows { get; set; }

    public string EventCategory => ManagementEvent ? "Management" : "Data";
}
