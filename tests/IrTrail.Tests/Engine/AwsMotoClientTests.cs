using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using IrTrail.Core.Aws;
using IrTrail.Core.Aws.Athena;
using IrTrail.Core.Aws.CloudTrail;
using IrTrail.Core.Aws.ConfigService;
using IrTrail.Core.Aws.Glue;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// Each generated client against moto_server, through the session path the cmdlets use (AwsSessionResolver with
/// -Credential, -Region and -EndpointUrl): what moto stored is read back, and every request sent is checked against
/// the official model (moto itself accepts anything).
/// </summary>
[Collection(MotoCollection.Name)]
[Trait("Tier", "Full")]
public sealed class AwsMotoClientTests(MotoServerFixture moto) : IAsyncLifetime
{
    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private AwsSession Session() => AwsSessionResolver.Resolve(new AwsConnectionOptions
    {
        AccessKeyId = MotoServerFixture.AccessKey, SecretAccessKey = MotoServerFixture.SecretKey,
        Region = MotoServerFixture.Region, EndpointUrl = moto.EndpointUrl,
    }, _ => null);

    [MotoFact]
    public async Task Glue_database_and_table_round_trip()
    {
        using var wire = AwsRequestCapture.Start(moto.EndpointUrl);
        using var glue = new GlueClient(Session());

        await glue.CreateDatabaseAsync(new CreateDatabaseRequest
        {
            DatabaseInput = new DatabaseInput { Name = "irtrail_db", Description = "incident 42", Parameters = new() { ["owner"] = "ir" } },
        });
        var db = (await glue.GetDatabaseAsync(new GetDatabaseRequest { Name = "irtrail_db" })).Database!;
        Assert.Equal("incident 42", db.Description);
        Assert.Equal("ir", db.Parameters!["owner"]);

        var columns = new List<Column>
        {
            new() { Name = "eventtime", Type = "string" },
            new() { Name = "requestparameters", Type = "struct<bucketName:string>", Comment = "crawler-made" },
        };
        await glue.CreateTableAsync(new CreateTableRequest
        {
            DatabaseName = "irtrail_db",
            TableInput = new TableInput
            {
                Name = "cloudtrail_logs",
                TableType = "EXTERNAL_TABLE",
                Parameters = new() { ["classification"] = "cloudtrail", ["UPDATED_BY_CRAWLER"] = "irtrail-crawler" },
                PartitionKeys = [new() { Name = "region", Type = "string" }],
                StorageDescriptor = new StorageDescriptor
                {
                    Columns = columns,
                    Location = "s3://bucket/AWSLogs/",
                    InputFormat = "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
                    OutputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    SerdeInfo = new SerDeInfo { SerializationLibrary = "org.apache.hive.hcatalog.data.JsonSerDe" },
                },
            },
        });

        var table = (await glue.GetTableAsync(new GetTableRequest { DatabaseName = "irtrail_db", Name = "cloudtrail_logs" })).Table!;
        Assert.Equal(["eventtime", "requestparameters"], table.StorageDescriptor!.Columns!.Select(c => c.Name));
        Assert.Equal("struct<bucketName:string>", table.StorageDescriptor.Columns![1].Type);
        Assert.Equal("irtrail-crawler", table.Parameters!["UPDATED_BY_CRAWLER"]);
        Assert.Equal("region", Assert.Single(table.PartitionKeys!).Name);
        Assert.NotNull(table.CreateTime);
        Assert.InRange(table.CreateTime!.Value, DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddHours(1)); // epoch seconds read as UTC

        var names = new List<string>();
        await foreach (var t in glue.GetTablesItemsAsync(new GetTablesRequest { DatabaseName = "irtrail_db" })) names.Add(t.Name!);
        Assert.Equal(["cloudtrail_logs"], names);

        await glue.DeleteTableAsync(new DeleteTableRequest { DatabaseName = "irtrail_db", Name = "cloudtrail_logs" });
        var gone = await Assert.ThrowsAsync<AwsException>(() => glue.GetTableAsync(new GetTableRequest { DatabaseName = "irtrail_db", Name = "cloudtrail_logs" }));
        Assert.Equal(AwsErrorKind.NotFound, gone.Kind);
        Assert.Equal("EntityNotFoundException", gone.ErrorCode);
        Assert.Equal("Glue", gone.Service);
        Assert.Equal("GetTable", gone.Operation);
        Assert.IsAssignableFrom<AmazonServiceException>(gone.InnerException);

        Assert.Equal(["CreateDatabase", "GetDatabase", "CreateTable", "GetTable", "GetTables", "DeleteTable", "GetTable"], wire.Operations);
        wire.AssertAllValid();
    }

    [MotoFact]
    public async Task Athena_query_execution_keeps_the_text_and_parameters()
    {
        using var wire = AwsRequestCapture.Start(moto.EndpointUrl);
        using var athena = new AthenaClient(Session());
        const string sql = "SELECT eventname, count(*) FROM cloudtrail WHERE sourceipaddress = ? GROUP BY 1";

        var started = await athena.StartQueryExecutionAsync(new StartQueryExecutionInput
        {
            QueryString = sql,
            QueryExecutionContext = new QueryExecutionContext { Database = "irtrail_db", Catalog = "AwsDataCatalog" },
            ResultConfiguration = new ResultConfiguration { OutputLocation = "s3://irtrail-results/athena/" },
            WorkGroup = "primary",
            ExecutionParameters = ["'198.51.100.7'"],
        });
        Assert.False(string.IsNullOrEmpty(started.QueryExecutionId));

        var execution = (await athena.GetQueryExecutionAsync(new GetQueryExecutionInput { QueryExecutionId = started.QueryExecutionId })).QueryExecution!;
        Assert.Equal(sql, execution.Query);
        Assert.StartsWith("s3://irtrail-results/athena/", execution.ResultConfiguration!.OutputLocation); // moto appends <id>.csv
        Assert.Equal(QueryExecutionState.Succeeded, execution.Status!.State);

        // The idempotency token the SDKs fill in: present, and the same on every attempt of that call.
        var start = Assert.Single(wire.Requests, r => r.Operation == "StartQueryExecution");
        var token = (string?)JsonNode.Parse(start.Body)!["ClientRequestToken"];
        Assert.True(Guid.TryParse(token, out _), $"ClientRequestToken {token}");
        wire.AssertAllValid(atLeast: 2);
    }

    [MotoFact]
    public async Task CloudTrail_describes_a_trail_created_over_an_S3_bucket()
    {
        using var wire = AwsRequestCapture.Start(moto.EndpointUrl);
        var session = Session();
        using (var s3 = S3ClientFactory.Create(session))
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = "irtrail-trail-bucket" });
        using var cloudtrail = new CloudTrailClient(session);

        await cloudtrail.CreateTrailAsync(new CreateTrailRequest
        {
            Name = "org-trail", S3BucketName = "irtrail-trail-bucket", IsMultiRegionTrail = true, EnableLogFileValidation = true,
        });
        await cloudtrail.StartLoggingAsync(new StartLoggingRequest { Name = "org-trail" });

        var trail = Assert.Single((await cloudtrail.DescribeTrailsAsync(new DescribeTrailsRequest())).TrailList!);
        Assert.Equal("org-trail", trail.Name);
        Assert.Equal("irtrail-trail-bucket", trail.S3BucketName);
        Assert.True(trail.IsMultiRegionTrail);
        Assert.True(trail.LogFileValidationEnabled);
        Assert.EndsWith(":trail/org-trail", trail.TrailARN);
        Assert.True((await cloudtrail.GetTrailStatusAsync(new GetTrailStatusRequest { Name = "org-trail" })).IsLogging);
        Assert.Contains(await ToListAsync(cloudtrail.ListTrailsItemsAsync(new ListTrailsRequest())), t => t.Name == "org-trail");
        wire.AssertAllValid(atLeast: 4);
    }

    [MotoFact]
    public async Task Config_describes_its_recorder_and_status()
    {
        using var wire = AwsRequestCapture.Start(moto.EndpointUrl);
        using var config = new ConfigServiceClient(Session());
        Assert.Empty((await config.DescribeConfigurationRecordersAsync(new DescribeConfigurationRecordersRequest())).ConfigurationRecorders ?? []);

        await config.PutConfigurationRecorderAsync(new PutConfigurationRecorderRequest
        {
            ConfigurationRecorder = new ConfigurationRecorder
            {
                Name = "default",
                RoleARN = $"arn:aws:iam::{MotoServerFixture.AccountId}:role/config-role",
                RecordingGroup = new RecordingGroup { AllSupported = true, IncludeGlobalResourceTypes = true },
            },
        });

        var recorder = Assert.Single((await config.DescribeConfigurationRecordersAsync(new DescribeConfigurationRecordersRequest())).ConfigurationRecorders!);
        Assert.Equal("default", recorder.Name);
        Assert.True(recorder.RecordingGroup!.AllSupported);
        var status = Assert.Single((await config.DescribeConfigurationRecorderStatusAsync(new DescribeConfigurationRecorderStatusRequest())).ConfigurationRecordersStatus!);
        Assert.False(status.Recording);
        wire.AssertAllValid(atLeast: 4);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }
}
