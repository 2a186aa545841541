using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime;
using IrTrail.Core.Aws;
using IrTrail.Core.Aws.Athena;
using IrTrail.Core.Aws.CloudTrail;
using IrTrail.Core.Aws.ConfigService;
using IrTrail.Core.Aws.Glue;
using IrTrail.Core.Aws.Json;

namespace IrTrail.Tests.Engine;

/// <summary>The JSON wire format of the generated shapes, endpoint resolution and error mapping, without a network.</summary>
public sealed class AwsJsonClientTests
{
    private static readonly BasicAWSCredentials Keys = new("AKID", "secret");

    [Fact]
    public void Requests_serialise_members_by_model_name_and_leave_unset_members_out()
    {
        var request = new CreateTableRequest
        {
            DatabaseName = "db",
            TableInput = new TableInput
            {
                Name = "t",
                Parameters = new() { ["classification"] = "cloudtrail" },
                PartitionKeys = [new() { Name = "region", Type = "string" }],
                StorageDescriptor = new StorageDescriptor { Columns = [new() { Name = "eventtime", Type = "string" }], NumberOfBuckets = -1, Compressed = false },
            },
        };

        Assert.Equal(
            """{"DatabaseName":"db","TableInput":{"Name":"t","StorageDescriptor":{"Columns":[{"Name":"eventtime","Type":"string"}],"Compressed":false,"NumberOfBuckets":-1},"PartitionKeys":[{"Name":"region","Type":"string"}],"Parameters":{"classification":"cloudtrail"}}}""",
            JsonSerializer.Serialize(request, AwsJson.Options));
        Assert.Equal("{}", JsonSerializer.Serialize(new DescribeTrailsRequest(), AwsJson.Options));
    }

    [Theory]
    [InlineData("2024-01-01T00:00:00Z", "1704067200")]
    [InlineData("2024-01-01T00:00:00.5Z", "1704067200.5")]
    [InlineData("2024-01-01T00:00:00.123Z", "1704067200.123")]
    [InlineData("1969-12-31T23:59:59.5Z", "-0.5")]
    public void Timestamps_are_epoch_seconds(string utc, string json)
    {
        var time = DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        var request = new LookupEventsRequest { StartTime = time };

        Assert.Equal($$"""{"StartTime":{{json}}}""", JsonSerializer.Serialize(request, AwsJson.Options));
        var back = JsonSerializer.Deserialize<LookupEventsRequest>($$"""{"StartTime":{{json}}}""", AwsJson.Options)!.StartTime!.Value;
        Assert.Equal(time, back);
        Assert.Equal(DateTimeKind.Utc, back.Kind);
    }

    [Fact]
    public void Local_times_are_sent_as_the_same_instant()
    {
        var local = new DateTime(2024, 6, 1, 12, 0, 0, DateTimeKind.Local);
        var json = JsonSerializer.Serialize(new LookupEventsRequest { EndTime = local }, AwsJson.Options);
        Assert.Equal($$"""{"EndTime":{{new DateTimeOffset(local).ToUnixTimeSeconds()}}}""", json);
    }

    [Fact]
    public void Blobs_are_base64_and_non_finite_doubles_are_strings()
    {
        Assert.Equal("\"AAEC/w==\"", JsonSerializer.Serialize(new byte[] { 0, 1, 2, 255 }, AwsJson.Options));
        Assert.Equal("\"NaN\"", JsonSerializer.Serialize(double.NaN, AwsJson.Options));
        Assert.Equal(double.PositiveInfinity, JsonSerializer.Deserialize<double>("\"Infinity\"", AwsJson.Options));
    }

    [Fact]
    public void Raw_json_members_go_out_and_come_back_verbatim()
    {
        const string nodes = """{"node-1":{"S3CsvSource":{"Name":"src","Paths":["s3://b/"],"Separator":"comma","QuoteChar":"quote"}}}""";
        var request = new CreateJobRequest { Name = "j", Role = "r", Command = new JobCommand { Name = "glueetl" }, CodeGenConfigurationNodes = JsonNode.Parse(nodes) };

        var json = JsonSerializer.Serialize(request, AwsJson.Options);

        Assert.Contains($"\"CodeGenConfigurationNodes\":{nodes}", json);
        var job = JsonSerializer.Deserialize<GetJobResponse>("""{"Job":{"Name":"j","CodeGenConfigurationNodes":""" + nodes + "}}", AwsJson.Options)!.Job!;
        Assert.Equal(nodes, job.CodeGenConfigurationNodes!.ToJsonString());
    }

    [Fact]
    public void Responses_ignore_members_they_do_not_know_and_never_read_the_SDK_base_members()
    {
        var response = JsonSerializer.Deserialize<GetTrailStatusResponse>(
            """{"IsLogging":true,"SomethingNew":{"x":1},"HttpStatusCode":500,"ContentLength":7,"ResponseMetadata":{"RequestId":"spoof"}}""", AwsJson.Options)!;

        Assert.True(response.IsLogging);
        Assert.Equal(0, response.ContentLength);
        Assert.Null(response.ResponseMetadata);
        Assert.DoesNotContain("ResponseMetadata", JsonSerializer.Serialize(new GetTrailStatusResponse(), AwsJson.Options));
    }

    [Fact]
    public void The_marshaller_posts_to_the_target_and_fills_only_unset_idempotency_tokens()
    {
        var marshaller = new AwsJsonRequestMarshaller(AthenaClient.Definition, "StartQueryExecution");
        var unset = new StartQueryExecutionInput { QueryString = "SELECT 1" };
        var set = new StartQueryExecutionInput { QueryString = "SELECT 1", ClientRequestToken = "mine-0123456789-0123456789-0123456789" };

        var http = marshaller.Marshall(unset);
        marshaller.Marshall(set);

        Assert.Equal("POST", http.HttpMethod);
        Assert.Equal("/", http.ResourcePath);
        Assert.Equal("AmazonAthena.StartQueryExecution", http.Headers["X-Amz-Target"]);
        Assert.Equal("application/x-amz-json-1.1", http.Headers["Content-Type"]);
        Assert.True(Guid.TryParse(unset.ClientRequestToken, out _));
        Assert.Equal(unset.ClientRequestToken, (string?)JsonNode.Parse(Encoding.UTF8.GetString(http.Content))!["ClientRequestToken"]);
        Assert.Equal("mine-0123456789-0123456789-0123456789", set.ClientRequestToken);
    }

    [Theory]
    [InlineData("eu-west-1", false, false, "https://glue.eu-west-1.amazonaws.com/")]
    [InlineData("cn-north-1", false, false, "https://glue.cn-north-1.amazonaws.com.cn/")]
    [InlineData("us-gov-west-1", true, false, "https://glue-fips.us-gov-west-1.amazonaws.com/")]
    [InlineData("us-east-1", false, true, "https://glue.us-east-1.api.aws/")]
    public void Endpoints_follow_the_region_and_partition(string region, bool fips, bool dualStack, string expected)
    {
        var config = new AwsJsonClientConfig(GlueClient.Definition)
        {
            RegionEndpoint = RegionEndpoint.GetBySystemName(region), UseFIPSEndpoint = fips, UseDualstackEndpoint = dualStack,
            IgnoreConfiguredEndpointUrls = true, // the machine's AWS_ENDPOINT_URL must not change the answer
        };
        using var glue = new GlueClient(Keys, config);

        Assert.Equal(expected, glue.DetermineEndpoint(new GetDatabaseRequest()).URL);
    }

    [Fact]
    public void Each_service_has_its_endpoint_prefix_and_a_session_endpoint_wins()
    {
        var session = AwsSessionResolver.Resolve(new AwsConnectionOptions { AccessKeyId = "a", SecretAccessKey = "b", Region = "ap-southeast-2" }, _ => null);
        using var athena = new AthenaClient(session);
        using var cloudtrail = new CloudTrailClient(session);
        using var config = new ConfigServiceClient(session);
        foreach (var c in new AwsJsonClient[] { athena, cloudtrail, config }) ((AwsJsonClientConfig)c.Config).IgnoreConfiguredEndpointUrls = true;

        Assert.Equal("https://athena.ap-southeast-2.amazonaws.com/", athena.DetermineEndpoint(new GetWorkGroupInput()).URL);
        Assert.Equal("https://cloudtrail.ap-southeast-2.amazonaws.com/", cloudtrail.DetermineEndpoint(new DescribeTrailsRequest()).URL);
        Assert.Equal("https://config.ap-southeast-2.amazonaws.com/", config.DetermineEndpoint(new DescribeConfigurationRecordersRequest()).URL);

        var local = AwsSessionResolver.Resolve(new AwsConnectionOptions { AccessKeyId = "a", SecretAccessKey = "b", EndpointUrl = "http://127.0.0.1:4566" }, _ => null);
        using var glue = new GlueClient(local);
        Assert.Equal("http://127.0.0.1:4566/", glue.DetermineEndpoint(new GetDatabaseRequest()).URL);
        Assert.Equal("us-east-1", glue.Config.AuthenticationRegion); // signed for the default region of -EndpointUrl
        Assert.Equal(4, glue.Config.MaxErrorRetry);
        Assert.Equal(RequestRetryMode.Standard, glue.Config.RetryMode);
    }

    [Theory]
    [InlineData("EntityNotFoundException", 400, AwsErrorKind.NotFound)]
    [InlineData("TrailNotFoundException", 400, AwsErrorKind.NotFound)]
    [InlineData("NoSuchConfigurationRecorderException", 400, AwsErrorKind.NotFound)]
    [InlineData("AlreadyExistsException", 400, AwsErrorKind.AlreadyExists)]
    [InlineData("InvalidInputException", 400, AwsErrorKind.InvalidRequest)]
    [InlineData("AccessDeniedException", 400, AwsErrorKind.AccessDenied)]
    [InlineData("UnrecognizedClientException", 400, AwsErrorKind.AccessDenied)]
    [InlineData(null, 403, AwsErrorKind.AccessDenied)]
    [InlineData("ThrottlingException", 400, AwsErrorKind.Throttled)]
    [InlineData(null, 429, AwsErrorKind.Throttled)]
    [InlineData("InternalServiceException", 500, AwsErrorKind.Service)]
    public void Service_errors_map_to_kinds(string? code, int status, AwsErrorKind kind)
    {
        var sdk = new AmazonServiceException("boom", ErrorType.Sender, code, "req-1", (HttpStatusCode)status);

        var ex = AwsServiceErrors.Map(sdk, "Glue", "GetTable", null);

        Assert.Equal(kind, ex.Kind);
        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal("req-1", ex.RequestId);
        Assert.Equal(status, ex.StatusCode);
        Assert.Same(sdk, ex.InnerException);
    }

    [Fact]
    public void An_error_named_after_its_resource_keeps_code_and_request_id()
    {
        var sdk = new AmazonServiceException("Table x not found", ErrorType.Sender, "EntityNotFoundException", "req-9", HttpStatusCode.BadRequest);
        var fromClient = AwsServiceErrors.Map(sdk, "Glue", "GetTable", null);

        var named = fromClient.About("table 'db.x'");

        Assert.Equal("Glue GetTable for table 'db.x': not found (EntityNotFoundException): Table x not found", named.Message);
        Assert.Equal("table 'db.x'", named.Target);
        Assert.Equal(("EntityNotFoundException", "req-9", "Glue", "GetTable"), (named.ErrorCode, named.RequestId, named.Service, named.Operation));
        var network = AwsServiceErrors.Map(new HttpRequestException("refused"), "Athena", "GetQueryExecution", "query 'q1'");
        Assert.Equal(AwsErrorKind.Network, network.Kind);
        Assert.Equal("query 'q1'", network.Target);
    }
}
