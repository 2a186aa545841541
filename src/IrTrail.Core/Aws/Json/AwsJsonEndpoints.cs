using Amazon.Runtime;
using Amazon.Runtime.Credentials.Internal;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using static Amazon.Runtime.Internal.Endpoints.StandardLibrary.Fn;

namespace IrTrail.Core.Aws.Json;

/// <summary>
/// The endpoint rules these services share: a configured endpoint as is; otherwise
/// https://{prefix}[-fips].{region}.{partition's (dual-stack) DNS suffix}, the partition from the SDK's own data.
/// </summary>
internal sealed class AwsJsonEndpointProvider(string endpointPrefix) : IEndpointProvider
{
    public Endpoint ResolveEndpoint(EndpointParameters parameters)
    {
        var fips = Equals(parameters["UseFIPS"], true);
        var dualStack = Equals(parameters["UseDualStack"], true);
        if (parameters["Endpoint"] is string { Length: > 0 } custom)
        {
            if (fips || dualStack) throw new AmazonClientException("Invalid Configuration: FIPS and dual-stack endpoints cannot be combined with a custom endpoint.");
            return new Endpoint(custom);
        }
        if (parameters["Region"] is not string { Length: > 0 } region) throw new AmazonClientException("Invalid Configuration: Missing Region");
        var partition = Partition(region) ?? throw new AmazonClientException($"No partition is known for the region '{region}'.");
        if (fips && !partition.supportsFIPS) throw new AmazonClientException("FIPS is enabled but this partition does not support FIPS");
        if (dualStack && !partition.supportsDualStack) throw new AmazonClientException("DualStack is enabled but this partition does not support DualStack");
        var suffix = dualStack ? partition.dualStackDnsSuffix : partition.dnsSuffix;
        return new Endpoint($"https://{endpointPrefix}{(fips ? "-fips" : "")}.{region}.{suffix}");
    }
}

/// <summary>Collects the endpoint parameters (region, FIPS, dual-stack, configured endpoint) from the client config.</summary>
internal sealed class AwsJsonEndpointResolver : BaseEndpointResolver
{
    protected override EndpointParameters MapEndpointsParameters(IRequestContext requestContext)
    {
        var config = requestContext.ClientConfig;
        var parameters = new EndpointParameters
        {
            ["Region"] = requestContext.Request.AlternateEndpoint?.SystemName ?? config.RegionEndpoint?.SystemName ?? config.AuthenticationRegion,
            ["UseFIPS"] = config.UseFIPSEndpoint,
            ["UseDualStack"] = config.UseDualstackEndpoint,
            ["Endpoint"] = config.ServiceURL,
        };
        return parameters;
    }
}

/// <summary>Every operation of these services is signed with SigV4 (the models' "auth": ["aws.auth#sigv4"]).</summary>
internal sealed class AwsSigV4AuthResolver : BaseAuthResolverHandler
{
    protected override List<IAuthSchemeOption> ResolveAuthOptions(IExecutionContext executionContext) => AuthSchemeOption.DEFAULT_SIGV4;
}
