using Amazon.Runtime;

namespace IrTrail.Core.Aws.Json;

/// <summary>Base of every generated request: the SDK pipeline takes <see cref="AmazonWebServiceRequest"/>s.</summary>
internal abstract class AwsRequest : AmazonWebServiceRequest
{
    /// <summary>Fills members the model marks idempotencyToken with a new UUID when unset, as AWS SDKs do. Runs once
    /// per call, before the retries, so every attempt carries the same token.</summary>
    internal virtual void FillIdempotencyTokens()
    {
    }
}

/// <summary>The request of an operation whose model has no input shape (sent as {}).</summary>
internal sealed class AwsEmptyRequest : AwsRequest
{
}

/// <summary>Base of every generated response; the request id is in <see cref="AmazonWebServiceResponse.ResponseMetadata"/>.</summary>
internal abstract class AwsResponse : AmazonWebServiceResponse
{
}

/// <summary>The response of an operation whose model has no output shape.</summary>
internal sealed class AwsEmptyResponse : AwsResponse
{
}
