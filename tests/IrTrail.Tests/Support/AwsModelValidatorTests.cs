using System.Text;
using System.Text.Json.Nodes;

namespace IrTrail.Tests.Support;

/// <summary>
/// The request validator rejects each kind of violation a real AWS service rejects, over a small model written here
/// with one member of every kind, and accepts a body that keeps every rule; plus the HTTP-level checks and a few
/// checks against the real trimmed models.
/// </summary>
public sealed class AwsModelValidatorTests
{
    private static readonly AwsModelValidator Model = new(JsonNode.Parse("""
        {
          "metadata": { "protocol": "json", "jsonVersion": "1.1", "targetPrefix": "Test_20200101", "serviceId": "Test", "endpointPrefix": "test", "apiVersion": "2020-01-01" },
          "operations": {
            "Put": { "name": "Put", "http": { "method": "POST", "requestUri": "/" }, "input": { "shape": "PutInput" } },
            "Ping": { "name": "Ping", "http": { "method": "POST", "requestUri": "/" } }
          },
          "shapes": {
            "PutInput": { "type": "structure", "required": [ "Name" ], "members": {
              "Name": { "shape": "Name" }, "Count": { "shape": "Count" }, "Big": { "shape": "Big" }, "Ratio": { "shape": "Ratio" },
              "Flag": { "shape": "Flag" }, "When": { "shape": "When" }, "WhenIso": { "shape": "When", "timestampFormat": "iso8601" },
              "Data": { "shape": "Data" }, "Tags": { "shape": "Tags" }, "Items": { "shape": "Items" }, "Color": { "shape": "Color" },
              "Choice": { "shape": "Choice" }, "Doc": { "shape": "Doc" }, "Wire": { "shape": "Name", "locationName": "wireName" } } },
            "Name": { "type": "string", "min": 3, "max": 8, "pattern": "^[a-z\\uD800\\uDC00-\\uDBFF\\uDFFF]+$" },
            "Count": { "type": "integer", "min": 1, "max": 10 },
            "Big": { "type": "long" },
            "Ratio": { "type": "double", "min": 0, "max": 1 },
            "Flag": { "type": "boolean" },
            "When": { "type": "timestamp" },
            "Data": { "type": "blob", "max": 4 },
            "Tags": { "type": "map", "key": { "shape": "Name" }, "value": { "shape": "Name" }, "max": 2 },
            "Items": { "type": "list", "member": { "shape": "Count" }, "min": 1, "max": 3 },
            "Color": { "type": "string", "enum": [ "RED", "GREEN" ] },
            "Choice": { "type": "structure", "union": true, "members": { "A": { "shape": "Name" }, "B": { "shape": "Count" } } },
            "Doc": { "type": "structure", "members": {}, "document": true }
          }
        }
        """)!.AsObject(), "test");

    private const string Valid = """
        { "Name": "abc", "Count": 5, "Big": 9007199254740993, "Ratio": 0.5, "Flag": true, "When": 1700000000.5,
          "WhenIso": "2024-01-01T00:00:00Z", "Data": "AAEC", "Tags": { "key": "val" }, "Items": [ 1, 2 ], "Color": "RED",
          "Choice": { "A": "abc" }, "Doc": { "anything": [ 1, null, { "x": true } ] }, "wireName": "wired" }
        """;

    [Fact]
    public void A_body_that_keeps_every_rule_is_valid()
    {
        Assert.Empty(Model.Validate("Put", JsonNode.Parse(Valid)));
        Assert.Empty(Model.Validate("Put", Body("Ratio", "NaN")));       // AWS JSON writes non-finite doubles as strings
        Assert.Empty(Model.Validate("Put", Body("Name", "ab\U0001F600"))); // a supplementary character is one character
        Assert.Empty(Model.Validate("Ping", new JsonObject()));
    }

    [Theory]
    [InlineData("Name", null, "Put.Name: required member missing")]
    [InlineData("Name", "null", "Put.Name: null (omit the member instead)")]
    [InlineData("Name", "5", "Put.Name: expected a string")]
    [InlineData("Name", "\"ab\"", "Put.Name: 2 characters, fewer than the minimum 3")]
    [InlineData("Name", "\"abcdefghi\"", "Put.Name: 9 characters, more than the maximum 8")]
    [InlineData("Name", "\"ABC\"", "Put.Name: 'ABC' does not match Name's pattern")]
    [InlineData("Count", "0", "Put.Count: 0 value, fewer than the minimum 1")]
    [InlineData("Count", "11", "Put.Count: 11 value, more than the maximum 10")]
    [InlineData("Count", "1.5", "Put.Count: expected integer")]
    [InlineData("Count", "\"5\"", "Put.Count: expected integer")]
    [InlineData("Count", "3000000000", "Put.Count: expected integer")]
    [InlineData("Big", "1e30", "Put.Big: expected long")]
    [InlineData("Ratio", "1.5", "Put.Ratio: 1.5 value, more than the maximum 1")]
    [InlineData("Ratio", "\"half\"", "Put.Ratio: expected a number")]
    [InlineData("Flag", "\"true\"", "Put.Flag: expected a boolean")]
    [InlineData("When", "\"2024-01-01T00:00:00Z\"", "Put.When: expected a timestamp as unixTimestamp")]
    [InlineData("WhenIso", "1700000000", "Put.WhenIso: expected a timestamp as iso8601")]
    [InlineData("Data", "\"not base64!\"", "Put.Data: expected base64")]
    [InlineData("Data", "\"AAECAwQ=\"", "Put.Data: 5 bytes, more than the maximum 4")]
    [InlineData("Tags", "{\"a\":\"abc\",\"b\":\"abc\",\"c\":\"abc\"}", "Put.Tags: 3 entries, more than the maximum 2")]
    [InlineData("Tags", "{\"AB\":\"abc\"}", "Put.Tags key 'AB': 2 characters, fewer than the minimum 3")]
    [InlineData("Tags", "[\"abc\"]", "Put.Tags: expected a map")]
    [InlineData("Items", "[]", "Put.Items: 0 items, fewer than the minimum 1")]
    [InlineData("Items", "[1,2,3,4]", "Put.Items: 4 items, more than the maximum 3")]
    [InlineData("Items", "[1,20]", "Put.Items[1]: 20 value, more than the maximum 10")]
    [InlineData("Items", "{}", "Put.Items: expected a list")]
    [InlineData("Color", "\"BLUE\"", "Put.Color: 'BLUE' is not one of Color's values (RED, GREEN)")]
    [InlineData("Choice", "{\"A\":\"abc\",\"B\":2}", "Put.Choice: the union Choice must have exactly one member set, not 2")]
    [InlineData("Choice", "{}", "Put.Choice: the union Choice must have exactly one member set, not 0")]
    [InlineData("Choice", "\"abc\"", "Put.Choice: expected a structure")]
    [InlineData("Bogus", "1", "Put.Bogus: not a member of PutInput")]
    [InlineData("Wire", "\"wired\"", "Put.Wire: not a member of PutInput")] // members go by their locationName
    public void Each_kind_of_violation_is_rejected(string member, string? json, string expected)
    {
        var body = JsonNode.Parse(Valid)!.AsObject();
        body.Remove(member);
        if (json is not null) body[member] = JsonNode.Parse(json);

        var errors = Model.Validate("Put", body);

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void The_HTTP_request_must_be_a_signed_JSON_post_of_a_known_operation()
    {
        var good = Headers("Test_20200101.Put");
        var body = Encoding.UTF8.GetBytes(Valid);
        Assert.Empty(AwsModelValidator.ValidateHttp("POST", "/", good, body, [Model]));

        Assert.Contains("no model", Only(AwsModelValidator.ValidateHttp("POST", "/", Headers("Other_1.Put"), body, [Model])));
        Assert.Contains("operation Delete is not in tools/aws-models/test", Only(AwsModelValidator.ValidateHttp("POST", "/", Headers("Test_20200101.Delete"), body, [Model])));
        Assert.Contains("method GET", Only(AwsModelValidator.ValidateHttp("GET", "/", good, body, [Model])));
        Assert.Contains("path /x", Only(AwsModelValidator.ValidateHttp("POST", "/x", good, body, [Model])));
        Assert.Contains("Content-Type application/x-amz-json-1.0", Only(AwsModelValidator.ValidateHttp("POST", "/", Headers("Test_20200101.Put", "application/x-amz-json-1.0"), body, [Model])));
        Assert.Contains("not signed", Only(AwsModelValidator.ValidateHttp("POST", "/", Headers("Test_20200101.Put", auth: null), body, [Model])));
        Assert.Contains("not JSON", Only(AwsModelValidator.ValidateHttp("POST", "/", good, "{"u8.ToArray(), [Model])));
        Assert.Contains("has no input", Only(AwsModelValidator.ValidateHttp("POST", "/", Headers("Test_20200101.Ping"), body, [Model])));
        Assert.Contains("must be a JSON object", Only(AwsModelValidator.ValidateHttp("POST", "/", good, "[]"u8.ToArray(), [Model])));
    }

    [Fact]
    public void The_real_models_are_loaded_and_enforced()
    {
        var athena = AwsModelValidator.For("athena");
        Assert.Empty(athena.Validate("StartQueryExecution", new JsonObject { ["QueryString"] = "SELECT 1", ["ClientRequestToken"] = new string('a', 32) }));
        Assert.Contains(athena.Validate("StartQueryExecution", new JsonObject { ["QueryString"] = "SELECT 1", ["ClientRequestToken"] = new string('a', 31) }),
            e => e.Contains("fewer than the minimum 32"));
        var glue = AwsModelValidator.For("glue");
        Assert.Contains(glue.Validate("GetDatabase", new JsonObject { ["Name"] = "a\u0001b" }), e => e.Contains("does not match NameString's pattern"));
        Assert.Contains(AwsModelValidator.For("cloudtrail").Validate("LookupEvents", JsonNode.Parse("""{"LookupAttributes":[{"AttributeKey":"Bogus","AttributeValue":"x"}]}""")),
            e => e.Contains("is not one of LookupAttributeKey's values"));
        var config = AwsModelValidator.For("config");
        Assert.Empty(config.Validate("DescribeConfigurationRecorders", new JsonObject()));
        Assert.Contains(config.Validate("DescribeConfigurationRecorders", JsonNode.Parse("""{"ConfigurationRecorderNames":[""]}""")),
            e => e.StartsWith("DescribeConfigurationRecorders.ConfigurationRecorderNames[0]: 0 characters, fewer than the minimum 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_pattern_in_the_models_compiles()
    {
        var patterns = AwsModelValidator.All
            .SelectMany(m => JsonNode.Parse(File.ReadAllText(Path.Combine(AwsModelValidator.ModelsDirectory, m.Name, "service-2.json")))!["shapes"]!.AsObject())
            .Select(s => (string?)s.Value!["pattern"]).OfType<string>().Distinct().ToList();
        Assert.NotEmpty(patterns);
        foreach (var p in patterns) _ = AwsModelValidator.Compile(p);
    }

    private static JsonObject Body(string member, JsonNode value)
    {
        var body = JsonNode.Parse(Valid)!.AsObject();
        body[member] = value;
        return body;
    }

    private static string Only(IReadOnlyList<string> errors) => Assert.Single(errors);

    private static Dictionary<string, string> Headers(string target, string contentType = "application/x-amz-json-1.1",
        string? auth = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/test/aws4_request, SignedHeaders=host, Signature=00")
    {
        var h = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["X-Amz-Target"] = target, ["Content-Type"] = contentType };
        if (auth is not null) h["Authorization"] = auth;
        return h;
    }
}
