using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Util.Internal;

namespace IrTrail.Core.Aws.Json;

/// <summary>
/// The SDK client configuration of one JSON-protocol service. Setting <see cref="ClientConfig.ServiceId"/> is what makes
/// the SDK honour AWS_ENDPOINT_URL_&lt;SERVICE&gt;, AWS_ENDPOINT_URL and a profile's endpoint_url when no explicit endpoint is set.
/// </summary>
internal sealed class AwsJsonClientConfig : ClientConfig
{
    private static readonly IDefaultConfiguration[] Defaults =
        [.. Enum.GetValues<DefaultConfigurationMode>().Select(mode => new DefaultConfiguration { Name = mode, RetryMode = RequestRetryMode.Standard })];

    private static readonly AwsJsonEndpointResolver Resolver = new();

    public AwsJsonClientConfig(AwsJsonService service) : base(new DefaultConfigurationProvider(Defaults))
    {
        Service = service;
        base.ServiceId = service.ServiceId;
        AuthenticationServiceName = service.SigningName;
        EndpointProvider = new AwsJsonEndpointProvider(service.EndpointPrefix);
        UserAgent = InternalSDKUtils.BuildUserAgentString(service.ServiceId, typeof(AwsJsonClientConfig).Assembly.GetName().Version?.ToString() ?? "0");
        // Throttling and 5xx are retried with bounded exponential backoff and jitter, as for S3.
        RetryMode = RequestRetryMode.Standard;
        MaxErrorRetry = 4;
    }

    public AwsJsonService Service { get; }
    public override string RegionEndpointServiceName => Service.EndpointPrefix;
    public override string ServiceVersion => Service.ApiVersion;
    public override string UserAgent { get; }

    public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters)
    {
        var context = new RequestContext(false)
        {
            ClientConfig = this,
            OriginalRequest = parameters.Request,
            Request = new DefaultRequest(parameters.Request, Service.ServiceId) { AlternateEndpoint = parameters.AlternateEndpoint },
        };
        return Resolver.GetEndpoint(new Amazon.Runtime.Internal.ExecutionContext(context, null));
    }

    /// <summary>The configuration for a resolved session: its region (or <paramref name="region"/>), and its
    /// -EndpointUrl when given. Requests are signed for that region even when the endpoint comes from
    /// AWS_ENDPOINT_URL_&lt;SERVICE&gt; (the SDK would otherwise guess the region from the URL's host).</summary>
    public static AwsJsonClientConfig For(AwsJsonService service, AwsSession session, string? region = null)
    {
        var config = new AwsJsonClientConfig(service);
        var r = region ?? session.Region ?? "us-east-1";
        if (!string.IsNullOrEmpty(session.EndpointUrl)) config.ServiceURL = session.EndpointUrl;
        else config.RegionEndpoint = RegionEndpoint.GetBySystemName(r);
        config.AuthenticationRegion = r;
        return config;
    }
}
