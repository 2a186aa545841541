using System.Text.Json.Nodes;

namespace AwsModelGen;

/// <summary>
/// Cuts botocore's service-2.json and paginators-1.json down to the operations IrTrail uses and every shape they reach
/// (inputs, outputs, errors, all the way down, raw-JSON shapes included so requests can still be validated), without
/// documentation strings. Order is the source model's, so a re-trim of the same model gives the same bytes.
/// </summary>
public static class Trimmer
{
    public static IReadOnlyDictionary<string, string> Trim(string modelsDir, IReadOnlyList<string> sourceDirs)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in ServiceList.Load(modelsDir))
        {
            var (servicePath, paginatorsPath) = Find(spec.Model, sourceDirs);
            var full = ServiceList.ReadModel(servicePath);
            files[$"{spec.Model}/service-2.json"] = ServiceList.Write(TrimService(full, spec));
            var paginators = paginatorsPath is null ? new JsonObject() : ServiceList.ReadModel(paginatorsPath)["pagination"]!.AsObject();
            var kept = new JsonObject();
            foreach (var (op, p) in paginators)
                if (spec.Operations.Contains(op)) kept[op] = p!.DeepClone();
            files[$"{spec.Model}/paginators-1.json"] = ServiceList.Write(new JsonObject { ["pagination"] = kept });
        }
        return files;
    }

    public static JsonObject TrimService(JsonObject full, ServiceSpec spec)
    {
        var operations = full["operations"]!.AsObject();
        var shapes = full["shapes"]!.AsObject();
        var missing = spec.Operations.Where(o => !operations.ContainsKey(o)).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"{spec.Model}: no operation {string.Join(", ", missing)} in the model.");
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in spec.Operations)
        {
            var op = operations[name]!;
            if (op["input"]?["shape"] is { } i) Reach((string)i!, shapes, keep);
            if (op["output"]?["shape"] is { } o) Reach((string)o!, shapes, keep);
            foreach (var e in op["errors"]?.AsArray() ?? []) Reach((string)e!["shape"]!, shapes, keep);
        }
        var trimmed = new JsonObject();
        foreach (var (key, value) in full)
        {
            trimmed[key] = key switch
            {
                "operations" => Filter(operations, n => spec.Operations.Contains(n)),
                "shapes" => Filter(shapes, keep.Contains),
                "documentation" => null,
                _ => value?.DeepClone(),
            };
        }
        trimmed.Remove("documentation");
        StripDocumentation(trimmed);
        return trimmed;
    }

    internal static void Reach(string name, JsonObject shapes, HashSet<string> keep)
    {
        if (!keep.Add(name)) return;
        var shape = shapes[name]?.AsObject() ?? throw new InvalidOperationException($"Shape {name} is referenced but not defined.");
        foreach (var part in new[] { "member", "key", "value" })
            if (shape[part]?["shape"] is { } s) Reach((string)s!, shapes, keep);
        foreach (var (_, member) in shape["members"]?.AsObject() ?? [])
            Reach((string)member!["shape"]!, shapes, keep);
    }

    private static JsonObject Filter(JsonObject source, Func<string, bool> include)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
            if (include(key)) result[key] = value!.DeepClone();
        return result;
    }

    private static void StripDocumentation(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Where(p => p.Key is "documentation" or "documentationUrl" && p.Value is JsonValue).Select(p => p.Key).ToList()) o.Remove(key);
            foreach (var (_, v) in o) StripDocumentation(v);
        }
        else if (node is JsonArray a)
        {
            foreach (var v in a) StripDocumentation(v);
        }
    }

    /// <summary>&lt;dir&gt;/&lt;model&gt;/service-2.json (the shared copy) or &lt;dir&gt;/&lt;model&gt;/&lt;version&gt;/service-2.json[.gz]
    /// (botocore/data; the newest version).</summary>
    private static (string Service, string? Paginators) Find(string model, IReadOnlyList<string> sourceDirs)
    {
        foreach (var dir in sourceDirs)
        {
            var folder = Path.Combine(dir, model);
            if (!Directory.Exists(folder)) continue;
            var candidates = new[] { folder }.Concat(Directory.GetDirectories(folder).OrderByDescending(d => d, StringComparer.Ordinal));
            foreach (var c in candidates)
            {
                var service = new[] { "service-2.json", "service-2.json.gz" }.Select(f => Path.Combine(c, f)).FirstOrDefault(File.Exists);
                if (service is null) continue;
                var paginators = Path.Combine(c, "paginators-1.json");
                return (service, File.Exists(paginators) ? paginators : null);
            }
        }
        throw new FileNotFoundException($"No model for '{model}' under {string.Join(", ", sourceDirs)}.");
    }
}
