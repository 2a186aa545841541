using System.Text.Json.Nodes;
using AwsModelGen;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// The committed AWS clients are exactly what tools/AwsModelGen generates from the committed trimmed models, and those
/// are exactly botocore's models cut down (when ../shared/aws-models is here to compare with). The generator also
/// handles the JSON-protocol features the current models do not exercise, and refuses what it cannot generate.
/// </summary>
public sealed class AwsModelGenTests
{
    private static string Models => Path.Combine(TestPaths.RepoRoot, AwsModelGen.Paths.Models);
    private static string Generated => Path.Combine(TestPaths.RepoRoot, AwsModelGen.Paths.Generated);

    [Fact]
    public void The_committed_clients_are_what_the_generator_makes()
    {
        var expected = Generator.Generate(Models);
        var committed = Directory.GetFiles(Generated, "*.g.cs").ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f).ReplaceLineEndings("\n"));

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), committed.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, text) in expected)
            Assert.True(text == committed[name], $"{name} differs from the generator's output: run `dotnet run --project tools/AwsModelGen`.");
    }

    [SharedModelsFact]
    public void The_trimmed_models_are_botocores_cut_down()
    {
        var expected = Trimmer.Trim(Models, [SharedModelsFactAttribute.Directory!]);
        foreach (var (name, text) in expected)
            Assert.True(text == File.ReadAllText(Path.Combine(Models, name)).ReplaceLineEndings("\n"),
                $"tools/aws-models/{name} differs from a re-trim: run `dotnet run --project tools/AwsModelGen -- trim --source ../shared/aws-models`.");
        // Trimming keeps shapes as they are: one spot check against the full model.
        var full = JsonNode.Parse(File.ReadAllText(Path.Combine(SharedModelsFactAttribute.Directory!, "glue", "service-2.json")))!;
        var trimmed = JsonNode.Parse(expected["glue/service-2.json"])!;
        Assert.True(JsonNode.DeepEquals(full["shapes"]!["StorageDescriptor"], trimmed["shapes"]!["StorageDescriptor"]));
        Assert.Null(trimmed["shapes"]!["CreateBlueprintRequest"]); // an operation IrTrail does not use
    }

    [Fact]
    public void Json_protocol_features_are_generated()
    {
        var dir = Model("json", """
            "Put": { "name": "Put", "http": { "method": "POST", "requestUri": "/" }, "input": { "shape": "PutInput" }, "output": { "shape": "PutOutput" } },
            "Ping": { "name": "Ping", "http": { "method": "POST", "requestUri": "/" } }
            """, """
            "PutInput": { "type": "structure", "required": [ "PutInput" ], "members": {
              "PutInput": { "shape": "Str" }, "token": { "shape": "Str", "idempotencyToken": true }, "Blob": { "shape": "Bytes" },
              "When": { "shape": "Time", "timestampFormat": "iso8601" }, "Doc": { "shape": "Doc" }, "Pick": { "shape": "Pick" },
              "Deep": { "shape": "MapOfLists" }, "class": { "shape": "Num" }, "Wire": { "shape": "Str", "locationName": "wire_name" }, "Raw": { "shape": "Raw" } } },
            "PutOutput": { "type": "structure", "members": { "Page": { "shape": "Page" }, "Next": { "shape": "Str" } } },
            "Page": { "type": "structure", "members": { "Items": { "shape": "Items" } } },
            "Items": { "type": "list", "member": { "shape": "Pick" } },
            "Str": { "type": "string" }, "Num": { "type": "double" }, "Bytes": { "type": "blob" }, "Time": { "type": "timestamp" },
            "Doc": { "type": "structure", "members": {}, "document": true },
            "Raw": { "type": "structure", "members": { "Anything": { "shape": "Str" } } },
            "Pick": { "type": "structure", "union": true, "members": { "A": { "shape": "Str" }, "B": { "shape": "Kind" } } },
            "Kind": { "type": "string", "enum": [ "RUNNING", "us-east-1", "G.1X", "2.0", "Kind" ] },
            "MapOfLists": { "type": "map", "key": { "shape": "Str" }, "value": { "shape": "Times" } },
            "Times": { "type": "list", "member": { "shape": "Time" } }
            """, """{ "pagination": { "Put": { "input_token": "token", "output_token": "Next", "result_key": "Page.Items" } } }""");

        var files = Generate(dir);
        var model = files["TestModel.g.cs"];
        var client = files["TestClient.g.cs"];

        Assert.Contains("internal sealed partial class PutInput : AwsRequest", model);
        Assert.Contains("[JsonName(\"PutInput\")] public string? PutInputValue { get; set; } // required", model); // a member named like its class
        Assert.Contains("[JsonName(\"class\")] public double? Class { get; set; }", model);
        Assert.Contains("[JsonName(\"wire_name\")] public string? Wire { get; set; }", model);
        Assert.Contains("[JsonName(\"Blob\")] public byte[]? Blob { get; set; }", model);
        Assert.Contains("[JsonName(\"When\")] [JsonConverterOf(typeof(AwsIso8601Converter))] public global::System.DateTime? When { get; set; }", model);
        Assert.Contains("[JsonName(\"Doc\")] public global::System.Text.Json.Nodes.JsonNode? Doc { get; set; }", model);
        Assert.Contains("[JsonName(\"Raw\")] public global::System.Text.Json.Nodes.JsonNode? Raw { get; set; } // Raw as raw JSON", model);
        Assert.DoesNotContain("class Raw", model);
        Assert.Contains("public global::System.Collections.Generic.Dictionary<string, global::System.Collections.Generic.List<global::System.DateTime>>? Deep", model);
        Assert.Contains("/// <summary>Pick (a union: set exactly one member).</summary>", model);
        Assert.Contains("Token ??= global::System.Guid.NewGuid().ToString();", model);
        foreach (var constant in new[] { "Running = \"RUNNING\"", "UsEast1 = \"us-east-1\"", "G1X = \"G.1X\"", "_20 = \"2.0\"", "KindValue = \"Kind\"" })
            Assert.Contains($"public const string {constant};", model);
        Assert.Contains("public global::System.Threading.Tasks.Task<AwsEmptyResponse> PingAsync(global::System.Threading.CancellationToken cancellationToken = default)", client);
        Assert.Contains("SendAsync<AwsEmptyResponse>(new AwsEmptyRequest(), \"Ping\", cancellationToken)", client);
        Assert.Contains("static r => r.Next, static (r, t) => r.Token = t", client);
        Assert.Contains("IAsyncEnumerable<Pick> PutItemsAsync", client);
        Assert.Contains("static r => r.Page?.Items", client);
        Assert.Contains("new(\"Test Service\", \"test\", \"signer\", \"Test_1\", \"1.0\", \"2020-01-01\")", client);
    }

    [Fact]
    public void Protocols_without_a_marshaller_are_refused()
    {
        var dir = Model("rest-json", """ "Ping": { "name": "Ping", "http": { "method": "GET", "requestUri": "/ping" } } """, "");
        var ex = Assert.Throws<NotSupportedException>(() => Generate(dir));
        Assert.Contains("rest-json", ex.Message);
    }

    private static IReadOnlyDictionary<string, string> Generate(string dir)
    {
        try
        {
            return Generator.Generate(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Model(string protocol, string operations, string shapes, string paginators = """{ "pagination": {} }""")
    {
        var dir = Directory.CreateTempSubdirectory("irtrail-awsgen-").FullName;
        File.WriteAllText(Path.Combine(dir, "services.json"),
            """{ "services": [ { "model": "test", "name": "Test", "operations": [ "Put", "Ping" ], "rawJsonShapes": [ "Raw" ] } ] }""");
        Directory.CreateDirectory(Path.Combine(dir, "test"));
        File.WriteAllText(Path.Combine(dir, "test", "service-2.json"), $$"""
            { "version": "2.0",
              "metadata": { "apiVersion": "2020-01-01", "endpointPrefix": "test", "signingName": "signer", "jsonVersion": "1.0", "protocol": "{{protocol}}",
                            "serviceFullName": "Test Service", "serviceId": "Test Service", "targetPrefix": "Test_1" },
              "operations": { {{operations}} },
              "shapes": { {{shapes}} } }
            """);
        File.WriteAllText(Path.Combine(dir, "test", "paginators-1.json"), paginators);
        return dir;
    }
}

/// <summary>A fact that needs ../shared/aws-models (botocore's full models); skipped with the reason when absent.</summary>
public sealed class SharedModelsFactAttribute : FactAttribute
{
    public static string? Directory
    {
        get
        {
            var p = Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, "..", "shared", "aws-models"));
            return System.IO.Directory.Exists(p) ? p : null;
        }
    }

    public SharedModelsFactAttribute()
    {
        if (Directory is null) Skip = "../shared/aws-models (botocore's full models) is absent: the re-trim comparison is skipped.";
    }
}
