using System.Collections.Immutable;
using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace IrTrail.Core.Aws.Json;

/// <summary>One HTTP request attempt as signed and about to be sent (a retry is another attempt).</summary>
internal sealed record AwsSentRequest(
    string ServiceId, string Operation, Uri Url, string HttpMethod, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Retry);

/// <summary>
/// Lets tests see every request IrTrail's service clients send, to check them against the official models (moto does
/// not validate). Nothing is captured unless something subscribes; the cost otherwise is one field read per attempt.
/// </summary>
internal static class AwsRequestTap
{
    private static ImmutableArray<Action<AwsSentRequest>> _observers = [];

    public static IDisposable Subscribe(Action<AwsSentRequest> observer)
    {
        ImmutableInterlocked.Update(ref _observers, o => o.Add(observer));
        return new Subscription(observer);
    }

    internal static void Publish(IRequestContext context)
    {
        var observers = _observers;
        if (observers.IsEmpty) return;
        var request = context.Request;
        var operation = (context.Options as AwsInvokeOptions)?.Operation ?? request.RequestName;
        var url = new Uri(request.Endpoint, request.ResourcePath ?? "/");
        var headers = new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase);
        var sent = new AwsSentRequest(context.ServiceMetaData?.ServiceId ?? request.ServiceName, operation, url, request.HttpMethod,
            headers, request.Content ?? [], context.Retries);
        foreach (var observer in observers) observer(sent);
    }

    private sealed class Subscription(Action<AwsSentRequest> observer) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref _observers, o => o.Remove(observer));
    }
}

/// <summary>Sits just inside the SDK's Signer, so it sees each attempt with its final headers.</summary>
internal sealed class AwsRequestTapHandler : PipelineHandler
{
    public override void InvokeSync(IExecutionContext executionContext)
    {
        AwsRequestTap.Publish(executionContext.RequestContext);
        base.InvokeSync(executionContext);
    }

    public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        AwsRequestTap.Publish(executionContext.RequestContext);
        return base.InvokeAsync<T>(executionContext);
    }
}
