using IrTrail.Core.Aws.Json;

namespace IrTrail.Tests.Support;

/// <summary>
/// Records every request IrTrail's AWS service clients send to one endpoint (a moto fixture or a canned responder),
/// through the clients' request tap, and checks them against the official models. Use one per test:
/// <code>using var wire = AwsRequestCapture.Start(moto.EndpointUrl); ... wire.AssertAllValid();</code>
/// </summary>
internal sealed class AwsRequestCapture : IDisposable
{
    private readonly List<AwsSentRequest> _requests = [];
    private readonly IDisposable _subscription;

    private AwsRequestCapture(string endpointUrl)
    {
        var prefix = endpointUrl.TrimEnd('/') + "/";
        _subscription = AwsRequestTap.Subscribe(r =>
        {
            if (!r.Url.AbsoluteUri.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return;
            lock (_requests) _requests.Add(r);
        });
    }

    public static AwsRequestCapture Start(string endpointUrl) => new(endpointUrl);

    public IReadOnlyList<AwsSentRequest> Requests
    {
        get
        {
            lock (_requests) return [.. _requests];
        }
    }

    public IReadOnlyList<string> Operations => Requests.Select(r => r.Operation).ToList();

    /// <summary>Fails with every violation of every captured request; also fails when fewer than
    /// <paramref name="atLeast"/> requests were captured (a check of nothing proves nothing).</summary>
    public void AssertAllValid(int atLeast = 1)
    {
        var requests = Requests;
        Assert.True(requests.Count >= atLeast, $"Expected at least {atLeast} captured request(s), got {requests.Count}.");
        var problems = requests.SelectMany(r => AwsModelValidator.ValidateHttp(r.HttpMethod, r.Url.AbsolutePath, r.Headers, r.Body)).ToList();
        Assert.True(problems.Count == 0, "Requests that the real service would reject:\n" + string.Join("\n", problems));
    }

    public void Dispose() => _subscription.Dispose();
}
