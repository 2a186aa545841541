using System.Management.Automation;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using IrTrail.Core.Aws;
using IrTrail.Core.Aws.CloudTrail;
using IrTrail.Core.Aws.Glue;
using IrTrail.Core.Aws.Json;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// The SDK pipeline under IrTrail's generated clients, against a canned JSON-protocol responder on loopback: requests
/// are SigV4-signed for the session's region and the service's signing name, throttling and 5xx are retried with
/// backoff until success, what is not retried (or still fails) surfaces as AwsException carrying the SDK's
/// exception with AWS's error code and request id, and NextToken paging follows every page.
/// </summary>
public sealed class AwsJsonPipelineTests : IAsyncLifetime
{
    private AwsJsonResponder _aws = null!;

    public Task InitializeAsync()
    {
        _aws = AwsJsonResponder.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    private AwsSession Session(string region = "eu-west-2") => AwsSessionResolver.Resolve(new AwsConnectionOptions
    {
        AccessKeyId = "AKIDEXAMPLE", SecretAccessKey = "secret", SessionToken = "session-token", Region = region, EndpointUrl = _aws.EndpointUrl,
    }, _ => null);

    private static JsonObject Database(string name) => new() { ["Database"] = new JsonObject { ["Name"] = name, ["CreateTime"] = 1700000000.5 } };

    [Fact]
    public async Task Requests_are_SigV4_signed_JSON_1_1_posts_and_responses_are_read()
    {
        _aws.Reply("GetDatabase", Database("evidence"));
        using var glue = new GlueClient(Session());

        var response = await glue.GetDatabaseAsync(new GetDatabaseRequest { Name = "evidence" });

        Assert.Equal("evidence", response.Database!.Name);
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20, 500, DateTimeKind.Utc), response.Database.CreateTime);
        Assert.Equal("canned-1", response.ResponseMetadata.RequestId);
        var request = Assert.Single(_aws.Requests);
        Assert.Equal("AWSGlue.GetDatabase", request.Target);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Equal("""{"Name":"evidence"}""", request.Json.ToJsonString());
        // Signed by the SDK: key id, today's scope in the session's region for the signing name "glue", and the token.
        var auth = request.Headers["Authorization"];
        Assert.StartsWith($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{DateTime.UtcNow:yyyyMMdd}/eu-west-2/glue/aws4_request", auth);
        Assert.Contains("x-amz-target", auth);
        Assert.Equal("session-token", request.Headers["X-Amz-Security-Token"]);
        _aws.AssertAllValid();
    }

    [Theory]
    [InlineData(500, "InternalFailure")]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(400, "ThrottlingException")]
    [InlineData(400, "TooManyRequestsException")]
    public async Task Throttling_and_server_errors_are_retried_until_success(int status, string code)
    {
        _aws.Fail("GetDatabase", status, code, "try again").Fail("GetDatabase", status, code, "try again").Reply("GetDatabase", Database("after-retries"));
        using var glue = new GlueClient(Session());

        var response = await glue.GetDatabaseAsync(new GetDatabaseRequest { Name = "after-retries" });

        Assert.Equal("after-retries", response.Database!.Name);
        Assert.Equal(3, _aws.Requests.Count);
        Assert.Equal(3, _aws.Requests.Select(r => r.Headers["Authorization"]).Count()); // each attempt signed afresh
        _aws.AssertAllValid(atLeast: 3);
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_retries_is_an_AwsException_with_code_and_request_id()
    {
        _aws.Always("GetTable", _ => CannedResponse.Throttle());
        var config = AwsJsonClientConfig.For(GlueClient.Definition, Session());
        config.MaxErrorRetry = 1;
        using var glue = new GlueClient(Session().Credentials, config);

        var ex = await Assert.ThrowsAsync<AwsException>(() => glue.GetTableAsync(new GetTableRequest { DatabaseName = "db", Name = "trail" }));

        Assert.Equal(2, _aws.Requests.Count);
        Assert.Equal(AwsErrorKind.Throttled, ex.Kind);
        Assert.Equal("ThrottlingException", ex.ErrorCode);
        Assert.Equal("canned-2", ex.RequestId);
        Assert.Equal(400, ex.StatusCode);
        var sdk = Assert.IsAssignableFrom<AmazonServiceException>(ex.InnerException);
        Assert.Equal("ThrottlingException", sdk.ErrorCode);
        Assert.Equal("canned-2", sdk.RequestId);
        Assert.Contains("Glue GetTable was throttled", ex.Message);
    }

    [Fact]
    public async Task AccessDenied_is_not_retried_and_becomes_an_error_record_naming_code_request_and_resource()
    {
        _aws.Always("CreateDatabase", _ => CannedResponse.Error(400, "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/ir is not authorized to perform: glue:CreateDatabase"));
        using var glue = new GlueClient(Session());

        var ex = await Assert.ThrowsAsync<AwsException>(() =>
            glue.CreateDatabaseAsync(new CreateDatabaseRequest { DatabaseInput = new DatabaseInput { Name = "evidence" } }));
        var named = ex.About("database 'evidence'");
        var record = IrTrail.Common.AwsErrors.ToErrorRecord(named, null);

        Assert.Single(_aws.Requests);
        Assert.Equal(AwsErrorKind.AccessDenied, ex.Kind);
        Assert.Equal("AccessDeniedException", named.ErrorCode);
        Assert.Equal("canned-1", named.RequestId);
        Assert.Equal("GlueAccessDenied", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, record.CategoryInfo.Category);
        Assert.Equal("database 'evidence'", record.TargetObject);
        Assert.Contains("AccessDeniedException", record.ErrorDetails.Message);
        Assert.Contains("request id canned-1", record.ErrorDetails.Message);
        Assert.Contains("glue:CreateDatabase", record.ErrorDetails.Message);
    }

    [Fact]
    public async Task Paging_follows_NextToken_across_pages_and_a_throttle()
    {
        // Three pages keyed by the token the client sends; the second page is throttled once first.
        _aws.Always("LookupEvents", r => CannedResponse.Json(((string?)r.Json["NextToken"]) switch
        {
            null => Events(["e1", "e2"], "t1"),
            "t1" => Events(["e3"], "t2"),
            "t2" => Events(["e4", "e5"], null),
            var t => throw new InvalidOperationException($"unexpected token {t}"),
        }));
        _aws.Then("LookupEvents", _ => CannedResponse.Json(Events(["e1", "e2"], "t1"))).Then("LookupEvents", _ => CannedResponse.Throttle());
        using var cloudtrail = new CloudTrailClient(Session());

        var ids = new List<string>();
        await foreach (var e in cloudtrail.LookupEventsItemsAsync(new LookupEventsRequest { MaxResults = 2 })) ids.Add(e.EventId!);

        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], ids);
        Assert.Equal([null, "t1", "t1", "t2"], _aws.Requests.Select(r => (string?)r.Json["NextToken"]));
        Assert.All(_aws.Requests, r => Assert.Equal(2, (int)r.Json["MaxResults"]!));
        _aws.AssertAllValid(atLeast: 4);
    }

    [Fact]
    public async Task Paging_stops_with_an_error_when_a_token_repeats()
    {
        _aws.Always("ListTrails", _ => CannedResponse.Json(new JsonObject { ["Trails"] = new JsonArray(), ["NextToken"] = "same" }));
        using var cloudtrail = new CloudTrailClient(Session());

        var ex = await Assert.ThrowsAsync<AwsException>(async () =>
        {
            await foreach (var _ in cloudtrail.ListTrailsPagesAsync(new ListTrailsRequest())) { }
        });

        Assert.Contains("same page token twice", ex.Message);
        Assert.Equal(2, _aws.Requests.Count);
    }

    [Fact]
    public async Task Cancellation_stops_a_call_waiting_for_its_retry()
    {
        _aws.Always("GetDatabase", _ => CannedResponse.Throttle());
        using var glue = new GlueClient(Session());
        using var cts = new CancellationTokenSource();

        var call = glue.GetDatabaseAsync(new GetDatabaseRequest { Name = "x" }, cts.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_aws.Requests.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.NotEmpty(_aws.Requests); // the call was under way
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static JsonObject Events(string[] ids, string? next)
    {
        var page = new JsonObject
        {
            ["Events"] = new JsonArray([.. ids.Select(id => (JsonNode)new JsonObject { ["EventId"] = id, ["EventName"] = "ConsoleLogin", ["EventTime"] = 1700000000 })]),
        };
        if (next is not null) page["NextToken"] = next;
        return page;
    }
}
