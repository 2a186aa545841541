using System.Text.Json;
using System.Text.Json.Nodes;

namespace AwsModelGen;

/// <summary>One service as tools/aws-models/services.json lists it: which model, which operations (those IrTrail
/// uses, then those its tests use to set up the emulator), and which shapes stay raw JSON.</summary>
public sealed record ServiceSpec(string Model, string Name, IReadOnlyList<string> Operations, IReadOnlyList<string> RawJsonShapes);

public static class ServiceList
{
    public const string FileName = "services.json";

    public static IReadOnlyList<ServiceSpec> Load(string modelsDir)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(modelsDir, FileName)))!.AsObject();
        return root["services"]!.AsArray().Select(s => new ServiceSpec(
            (string)s!["model"]!,
            (string)s["name"]!,
            s["operations"]!.AsArray().Concat(s["setupOperations"]?.AsArray() ?? []).Select(o => (string)o!).ToList(),
            s["rawJsonShapes"]?.AsArray().Select(o => (string)o!).ToList() ?? [])).ToList();
    }

    internal static JsonObject ReadModel(string path)
    {
        using var stream = File.OpenRead(path);
        Stream input = path.EndsWith(".gz", StringComparison.Ordinal) ? new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress) : stream;
        using (input) return JsonNode.Parse(input, documentOptions: new JsonDocumentOptions { MaxDepth = 256 })!.AsObject();
    }

    /// <summary>JSON as committed: two-space indentation, \n line ends, a final newline.</summary>
    internal static string Write(JsonNode node) =>
        node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .ReplaceLineEndings("\n") + "\n";
}
