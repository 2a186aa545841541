using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace IrTrail.Tests.Support;

/// <summary>One request the canned responder received.</summary>
public sealed record CannedRequest(string Operation, string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Target => Headers.TryGetValue("X-Amz-Target", out var t) ? t : null;
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
}

/// <summary>What the canned responder answers: a JSON body, or an AWS JSON error (__type + message).</summary>
public sealed record CannedResponse(int Status, string Body)
{
    public static CannedResponse Json(JsonNode body) => new(200, body.ToJsonString());

    public static CannedResponse Error(int status, string errorCode, string message = "") =>
        new(status, new JsonObject { ["__type"] = errorCode, ["message"] = message }.ToJsonString());

    /// <summary>A 400 ThrottlingException, which AWS SDKs retry with backoff.</summary>
    public static CannedResponse Throttle() => Error(400, "ThrottlingException", "Rate exceeded");
}

/// <summary>
/// A scripted AWS JSON-protocol (1.0/1.1) service on a loopback port, for what moto lacks: paging (moto ignores
/// MaxResults/NextToken), throttling, AccessDenied, LookupEvents, ListPublicKeys. Point a client at
/// <see cref="EndpointUrl"/> (AwsConnectionOptions.EndpointUrl). Per operation (the part of X-Amz-Target after the dot)
/// it answers scripted responses in order, then the <see cref="Always"/> handler; anything unscripted is a 400
/// UnknownOperationException so a test sees it. Every request is recorded in <see cref="Requests"/>, and every
/// response carries an x-amzn-RequestId "canned-N" (N counts from 1).
/// </summary>
public sealed class AwsJsonResponder : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly ConcurrentQueue<CannedRequest> _requests = new();
    private readonly Dictionary<string, Queue<Func<CannedRequest, CannedResponse>>> _scripts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<CannedRequest, CannedResponse>> _always = new(StringComparer.Ordinal);
    private int _count;

    private AwsJsonResponder(HttpListener listener, string url)
    {
        _listener = listener;
        EndpointUrl = url;
        _loop = Task.Run(LoopAsync);
    }

    public string EndpointUrl { get; }

    public IReadOnlyList<CannedRequest> Requests => [.. _requests];

    public IReadOnlyList<CannedRequest> RequestsFor(string operation) => [.. _requests.Where(r => r.Operation == operation)];

    public static AwsJsonResponder Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var url = $"http://127.0.0.1:{port}/";
            var listener = new HttpListener();
            listener.Prefixes.Add(url);
            try
            {
                listener.Start();
                return new AwsJsonResponder(listener, url.TrimEnd('/'));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close(); // the port was taken between probe and bind: try another
            }
        }
    }

    /// <summary>Fails with every request the real service would reject (see <see cref="AwsModelValidator"/>).</summary>
    public void AssertAllValid(int atLeast = 1)
    {
        var requests = Requests;
        Assert.True(requests.Count >= atLeast, $"Expected at least {atLeast} request(s), got {requests.Count}.");
        var problems = requests.SelectMany(r => AwsModelValidator.ValidateHttp(r.Method, r.Path, r.Headers, r.Body)).ToList();
        Assert.True(problems.Count == 0, "Requests that the real service would reject:\n" + string.Join("\n", problems));
    }

    /// <summary>The next request for <paramref name="operation"/> gets this body (200).</summary>
    public AwsJsonResponder Reply(string operation, JsonNode body) => Then(operation, _ => CannedResponse.Json(body));

    /// <summary>The next request for <paramref name="operation"/> gets this error.</summary>
    public AwsJsonResponder Fail(string operation, int status, string errorCode, string message = "") =>
        Then(operation, _ => CannedResponse.Error(status, errorCode, message));

    /// <summary>The next request for <paramref name="operation"/> is answered by <paramref name="handler"/>.</summary>
    public AwsJsonResponder Then(string operation, Func<CannedRequest, CannedResponse> handler)
    {
        lock (_scripts)
        {
            if (!_scripts.TryGetValue(operation, out var q)) _scripts[operation] = q = new();
            q.Enqueue(handler);
        }
        return this;
    }

    /// <summary>Answers <paramref name="operation"/> with <paramref name="handler"/> once its scripted responses are used up.</summary>
    public AwsJsonResponder Always(string operation, Func<CannedRequest, CannedResponse> handler)
    {
        lock (_scripts) _always[operation] = handler;
        return this;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            var target = headers.GetValueOrDefault("X-Amz-Target") ?? "";
            var request = new CannedRequest(target[(target.LastIndexOf('.') + 1)..], context.Request.HttpMethod,
                context.Request.Url?.AbsolutePath ?? "/", headers, body.ToArray());
            _requests.Enqueue(request);
            Func<CannedRequest, CannedResponse>? handler;
            lock (_scripts)
            {
                handler = _scripts.TryGetValue(request.Operation, out var q) && q.Count > 0 ? q.Dequeue() : _always.GetValueOrDefault(request.Operation);
            }
            CannedResponse response;
            try
            {
                response = handler?.Invoke(request)
                    ?? CannedResponse.Error(400, "UnknownOperationException", $"The canned responder has no response for '{request.Operation}'.");
            }
            catch (Exception ex)
            {
                response = CannedResponse.Error(400, "CannedResponderFault", ex.ToString()); // a bug in a test's handler: shown, not retried
            }
            var bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = headers.GetValueOrDefault("Content-Type") is { Length: > 0 } ct ? ct : "application/x-amz-json-1.1";
            context.Response.AddHeader("x-amzn-RequestId", $"canned-{Interlocked.Increment(ref _count)}");
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception) when (!_listener.IsListening)
        {
            // disposed while answering
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
