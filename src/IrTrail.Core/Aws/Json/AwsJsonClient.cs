using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;

namespace IrTrail.Core.Aws.Json;

/// <summary>
/// Base of IrTrail's generated clients for AWS JSON-protocol services (Glue, Athena, CloudTrail, Config): the SDK's
/// own AmazonServiceClient pipeline (credentials, SigV4, endpoint resolution, retries, AmazonServiceException) with a
/// model-driven marshaller. Every failure leaves as an <see cref="AwsException"/> naming the service and operation.
/// </summary>
internal abstract class AwsJsonClient : AmazonServiceClient
{
    private readonly ServiceMetadataOf _metadata;

    protected AwsJsonClient(AWSCredentials credentials, AwsJsonClientConfig config) : base(credentials, config)
    {
        _metadata = new ServiceMetadataOf(config.Service.ServiceId);
    }

    public AwsJsonService Service => ((AwsJsonClientConfig)Config).Service;

    // The base constructor reads this while it builds the pipeline, before _metadata is assigned.
    protected override IServiceMetadata ServiceMetadata => _metadata ?? new ServiceMetadataOf(Service.ServiceId);

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        pipeline.RemoveHandler<EndpointResolver>();
        pipeline.AddHandlerAfter<Marshaller>(new AwsJsonEndpointResolver());
        pipeline.AddHandlerAfter<Marshaller>(new AwsSigV4AuthResolver());
        pipeline.AddHandlerAfter<Signer>(new AwsRequestTapHandler());
    }

    /// <summary>The endpoint a request would go to (no network).</summary>
    public Endpoint DetermineEndpoint(AmazonWebServiceRequest request) =>
        Config.DetermineServiceOperationEndpoint(new ServiceOperationEndpointParameters(request));

    protected async Task<TResponse> SendAsync<TResponse>(AwsRequest request, string operation, CancellationToken cancellationToken)
        where TResponse : AmazonWebServiceResponse, new()
    {
        var options = new AwsInvokeOptions(operation)
        {
            RequestMarshaller = new AwsJsonRequestMarshaller(Service, operation),
            ResponseUnmarshaller = AwsJsonResponseUnmarshaller<TResponse>.Instance,
        };
        try
        {
            return await InvokeAsync<TResponse>(request, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw AwsServiceErrors.Map(ex, Service.ShortName, operation, resource: null);
        }
    }

    private sealed class ServiceMetadataOf(string serviceId) : IServiceMetadata
    {
        public string ServiceId => serviceId;
        public IDictionary<string, string> OperationNameMapping { get; } = new Dictionary<string, string>(0);
    }
}

/// <summary>Invoke options that carry the operation name (for the request tap).</summary>
internal sealed class AwsInvokeOptions(string operation) : InvokeOptions
{
    public string Operation { get; } = operation;
}
