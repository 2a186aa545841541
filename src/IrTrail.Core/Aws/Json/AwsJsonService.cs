namespace IrTrail.Core.Aws.Json;

/// <summary>
/// What the SDK pipeline needs to know about one AWS JSON-protocol service, taken from its model's metadata by the
/// generator (tools/AwsModelGen). <see cref="ServiceId"/> also names the endpoint override variable
/// (AWS_ENDPOINT_URL_&lt;SERVICE_ID&gt;, spaces as underscores) and the service in error ids.
/// </summary>
internal sealed record AwsJsonService(
    string ServiceId, string EndpointPrefix, string SigningName, string TargetPrefix, string JsonVersion, string ApiVersion)
{
    /// <summary>The service name in messages and error ids: "Glue", "Athena", "CloudTrail", "ConfigService".</summary>
    public string ShortName => ServiceId.Replace(" ", "", StringComparison.Ordinal);
}
