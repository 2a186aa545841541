using System.Text.Json.Nodes;
using IrTrail.Core.Aws;
using IrTrail.Core.Aws.ConfigService;
using IrTrail.Core.Aws.Glue;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>Tests that set process environment variables the SDK reads: run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>
/// Without -EndpointUrl, the SDK's own endpoint configuration applies to IrTrail's clients as to any SDK client:
/// AWS_ENDPOINT_URL_&lt;SERVICE ID&gt; (spaces as underscores, so Config is AWS_ENDPOINT_URL_CONFIG_SERVICE), and an
/// explicit -EndpointUrl wins over it.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AwsEndpointEnvironmentTests
{
    [Fact]
    public async Task Service_specific_endpoint_variables_redirect_each_client()
    {
        await using var glueEndpoint = AwsJsonResponder.Start();
        await using var configEndpoint = AwsJsonResponder.Start();
        glueEndpoint.Reply("GetDatabase", new JsonObject { ["Database"] = new JsonObject { ["Name"] = "db" } });
        configEndpoint.Reply("DescribeConfigurationRecorders", new JsonObject { ["ConfigurationRecorders"] = new JsonArray() });
        var session = AwsSessionResolver.Resolve(new AwsConnectionOptions { AccessKeyId = "a", SecretAccessKey = "b", Region = "eu-central-1" }, _ => null);

        using (Environment("AWS_ENDPOINT_URL_GLUE", glueEndpoint.EndpointUrl))
        using (Environment("AWS_ENDPOINT_URL_CONFIG_SERVICE", configEndpoint.EndpointUrl))
        {
            using var glue = new GlueClient(session);
            using var config = new ConfigServiceClient(session);
            Assert.Equal("db", (await glue.GetDatabaseAsync(new GetDatabaseRequest { Name = "db" })).Database!.Name);
            await config.DescribeConfigurationRecordersAsync(new DescribeConfigurationRecordersRequest());
        }

        Assert.Single(glueEndpoint.Requests);
        Assert.Single(configEndpoint.Requests);
        Assert.Contains("/eu-central-1/glue/aws4_request", glueEndpoint.Requests[0].Headers["Authorization"]); // still signed for the region
        Assert.Contains("/eu-central-1/config/aws4_request", configEndpoint.Requests[0].Headers["Authorization"]);
    }

    [Fact]
    public async Task An_explicit_EndpointUrl_wins_over_the_variable()
    {
        await using var fromVariable = AwsJsonResponder.Start();
        await using var explicitEndpoint = AwsJsonResponder.Start();
        explicitEndpoint.Reply("GetDatabase", new JsonObject { ["Database"] = new JsonObject { ["Name"] = "db" } });
        var session = AwsSessionResolver.Resolve(new AwsConnectionOptions
        {
            AccessKeyId = "a", SecretAccessKey = "b", Region = "eu-central-1", EndpointUrl = explicitEndpoint.EndpointUrl,
        }, _ => null);

        using (Environment("AWS_ENDPOINT_URL_GLUE", fromVariable.EndpointUrl))
        {
            using var glue = new GlueClient(session);
            await glue.GetDatabaseAsync(new GetDatabaseRequest { Name = "db" });
        }

        Assert.Empty(fromVariable.Requests);
        Assert.Single(explicitEndpoint.Requests);
    }

    private static Restore Environment(string name, string value)
    {
        var before = System.Environment.GetEnvironmentVariable(name);
        System.Environment.SetEnvironmentVariable(name, value);
        return new Restore(name, before);
    }

    private sealed class Restore(string name, string? value) : IDisposable
    {
        public void Dispose() => System.Environment.SetEnvironmentVariable(name, value);
    }
}
