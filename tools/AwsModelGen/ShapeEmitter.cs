using System.Text;
using System.Text.Json.Nodes;

namespace AwsModelGen;

/// <summary>Classes for the structures (requests, responses and what they hold) and constants for the enums.</summary>
internal sealed class ShapeEmitter(ServiceModel s)
{
    private readonly StringBuilder _out = new();

    public string Emit()
    {
        _out.Append(Generator.Header(s));
        _out.Append($$"""
            using IrTrail.Core.Aws.Json;
            using JsonName = global::System.Text.Json.Serialization.JsonPropertyNameAttribute;
            using JsonConverterOf = global::System.Text.Json.Serialization.JsonConverterAttribute;

            namespace {{s.Namespace}};

            """);
        foreach (var name in s.Reached.Where(s.IsStructureClass)) Structure(name);
        foreach (var name in s.Reached.Where(s.IsEnum)) Enum(name);
        return _out.ToString().ReplaceLineEndings("\n");
    }

    private void Structure(string name)
    {
        var shape = s.Shape(name);
        var members = shape["members"]!.AsObject();
        var required = shape["required"]?.AsArray().Select(r => (string)r!).ToHashSet(StringComparer.Ordinal) ?? [];
        var union = shape["union"]?.GetValue<bool>() == true;
        var usedBy = s.Operations.Where(o => o.Input == name || o.Output == name).Select(o => o.Name).ToList();
        var role = s.Inputs.Contains(name) ? "input" : s.Outputs.Contains(name) ? "output" : null;
        var summary = role is null ? name : $"{name}: the {role} of {string.Join(", ", usedBy)}";
        if (union) summary += " (a union: set exactly one member)";
        var baseType = role switch { "input" => " : AwsRequest", "output" => " : AwsResponse", _ => "" };
        _out.Append($$"""

            /// <summary>{{summary}}.</summary>
            internal sealed partial class {{Names.Identifier(name)}}{{baseType}}
            {

            """);
        var names = s.MemberNames(name);
        var tokens = new List<string>();
        foreach (var (member, node) in members)
        {
            var definition = node!.AsObject();
            var target = (string)definition["shape"]!;
            var property = names[member];
            var attributes = $"[JsonName({Names.Literal(ServiceModel.WireName(member, definition))})]";
            if (s.Type(target) == "timestamp" && s.TimestampConverter(definition, target) is { } converter)
                attributes += $" [JsonConverterOf(typeof({converter}))]";
            if (s.Type(target) is "list" or "map") s.CheckElementTimestamps(target);
            var notes = new List<string>();
            if (required.Contains(member)) notes.Add("required");
            if (s.IsEnum(target)) notes.Add($"values in {Names.Identifier(target)}");
            if (s.IsRaw(target)) notes.Add($"{target} as raw JSON");
            var comment = notes.Count > 0 ? " // " + string.Join("; ", notes) : "";
            _out.Append($"    {attributes} public {s.CSharpType(target, property: true)} {property} {{ get; set; }}{comment}\n");
            if (definition["idempotencyToken"]?.GetValue<bool>() == true && role == "input") tokens.Add(property);
        }
        if (tokens.Count > 0)
        {
            _out.Append("\n    internal override void FillIdempotencyTokens()\n    {\n");
            foreach (var t in tokens) _out.Append($"        {t} ??= global::System.Guid.NewGuid().ToString();\n");
            _out.Append("    }\n");
        }
        _out.Append("}\n");
    }

    private void Enum(string name)
    {
        var className = Names.Identifier(name);
        _out.Append($$"""

            /// <summary>The values of {{name}} (sent as strings; a service may add values).</summary>
            internal static class {{className}}
            {

            """);
        var used = new HashSet<string>(StringComparer.Ordinal) { className };
        foreach (var value in s.Shape(name)["enum"]!.AsArray().Select(v => (string)v!))
        {
            var constant = Names.Constant(value);
            if (used.Contains(constant)) constant += "Value";
            for (var n = 2; used.Contains(constant); n++) constant = Names.Constant(value) + n;
            used.Add(constant);
            _out.Append($"    public const string {constant} = {Names.Literal(value)};\n");
        }
        _out.Append("}\n");
    }
}
