using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IrTrail.Tests.Support;

/// <summary>
/// Checks requests against an official AWS model (botocore's service-2.json, as trimmed into tools/aws-models),
/// independently of IrTrail's generated code: moto accepts anything, the real services do not. Checks the operation,
/// the JSON protocol headers, and the body: required members, unknown members, types, enums, string/list/map/blob
/// lengths, numeric ranges, patterns, unions (exactly one member), timestamp and blob encodings, no nulls.
/// </summary>
public sealed partial class AwsModelValidator
{
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);
    private readonly JsonObject _shapes;
    private readonly JsonObject _operations;

    public AwsModelValidator(JsonObject model, string name)
    {
        Name = name;
        var metadata = model["metadata"]!.AsObject();
        Protocol = (string)metadata["protocol"]!;
        TargetPrefix = (string?)metadata["targetPrefix"];
        JsonVersion = (string?)metadata["jsonVersion"] ?? "1.0";
        _shapes = model["shapes"]!.AsObject();
        _operations = model["operations"]!.AsObject();
    }

    public string Name { get; }
    public string Protocol { get; }
    public string? TargetPrefix { get; }
    public string JsonVersion { get; }
    public IEnumerable<string> Operations => _operations.Select(o => o.Key);

    public static string ModelsDirectory => Path.Combine(TestPaths.RepoRoot, "tools", "aws-models");

    /// <summary>Every model in tools/aws-models.</summary>
    public static IReadOnlyList<AwsModelValidator> All { get; } = Directory.GetDirectories(ModelsDirectory)
        .Where(d => File.Exists(Path.Combine(d, "service-2.json"))).Order(StringComparer.Ordinal)
        .Select(d => new AwsModelValidator(JsonNode.Parse(File.ReadAllText(Path.Combine(d, "service-2.json")))!.AsObject(), Path.GetFileName(d)))
        .ToList();

    public static AwsModelValidator For(string name) => All.Single(m => m.Name == name);

    /// <summary>Problems with one JSON-protocol HTTP request, as the service would see it; empty when valid.</summary>
    public static IReadOnlyList<string> ValidateHttp(string method, string path, IReadOnlyDictionary<string, string> headers, byte[] body,
        IEnumerable<AwsModelValidator>? models = null)
    {
        var target = headers.TryGetValue("X-Amz-Target", out var t) ? t : null;
        if (target is null) return ["no X-Amz-Target header: not an AWS JSON-protocol request"];
        var dot = target.LastIndexOf('.');
        var prefix = dot < 0 ? "" : target[..dot];
        var operation = target[(dot + 1)..];
        var model = (models ?? All).FirstOrDefault(m => m.TargetPrefix == prefix);
        if (model is null) return [$"X-Amz-Target {target}: no model in tools/aws-models has the target prefix '{prefix}'"];
        var errors = new List<string>();
        if (method != "POST") errors.Add($"{target}: method {method}, expected POST");
        if (path != "/") errors.Add($"{target}: path {path}, expected /");
        var contentType = headers.TryGetValue("Content-Type", out var c) ? c : null;
        if (contentType != $"application/x-amz-json-{model.JsonVersion}")
            errors.Add($"{target}: Content-Type {contentType ?? "(none)"}, expected application/x-amz-json-{model.JsonVersion}");
        if (!headers.TryGetValue("Authorization", out var auth) || !auth.StartsWith("AWS4-HMAC-SHA256 Credential=", StringComparison.Ordinal))
            errors.Add($"{target}: not signed with SigV4 (Authorization: {auth ?? "(none)"})");
        JsonNode? json;
        try
        {
            json = body.Length == 0 ? null : JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            errors.Add($"{target}: the body is not JSON ({ex.Message})");
            return errors;
        }
        errors.AddRange(model.Validate(operation, json));
        return errors;
    }

    /// <summary>Problems with an operation's JSON body; empty when valid.</summary>
    public IReadOnlyList<string> Validate(string operation, JsonNode? body)
    {
        if (_operations[operation] is not JsonObject op)
            return [$"{Name}: operation {operation} is not in tools/aws-models/{Name} (add it to services.json and re-trim)"];
        var errors = new List<string>();
        if (op["input"]?["shape"] is not { } input)
        {
            if (body is not JsonObject { Count: 0 }) errors.Add($"{operation}: has no input, so the body must be {{}}");
            return errors;
        }
        if (body is not JsonObject) errors.Add($"{operation}: the body must be a JSON object");
        else Check((string)input!, null, body, operation, errors);
        return errors;
    }

    private void Check(string shapeName, JsonObject? member, JsonNode? value, string path, List<string> errors)
    {
        var shape = _shapes[shapeName]!.AsObject();
        var type = (string)shape["type"]!;
        if (value is null)
        {
            errors.Add($"{path}: null (omit the member instead)");
            return;
        }
        switch (type)
        {
            case "structure":
                Structure(shapeName, shape, value, path, errors);
                break;
            case "list":
                if (value is not JsonArray array)
                {
                    errors.Add($"{path}: expected a list ({shapeName}), got {value.GetValueKind()}");
                    return;
                }
                Range(shape, array.Count, "items", path, errors);
                for (var i = 0; i < array.Count; i++) Check((string)shape["member"]!["shape"]!, null, array[i], $"{path}[{i}]", errors);
                break;
            case "map":
                if (value is not JsonObject map)
                {
                    errors.Add($"{path}: expected a map ({shapeName}), got {value.GetValueKind()}");
                    return;
                }
                Range(shape, map.Count, "entries", path, errors);
                foreach (var (k, v) in map)
                {
                    Check((string)shape["key"]!["shape"]!, null, JsonValue.Create(k), $"{path} key '{k}'", errors);
                    Check((string)shape["value"]!["shape"]!, null, v, $"{path}['{k}']", errors);
                }
                break;
            case "string":
                if (value.GetValueKind() != JsonValueKind.String)
                {
                    errors.Add($"{path}: expected a string ({shapeName}), got {value.GetValueKind()}");
                    return;
                }
                Text(shapeName, shape, value.GetValue<string>(), path, errors);
                break;
            case "integer" or "long":
                if (value.GetValueKind() != JsonValueKind.Number || !long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)
                    || (type == "integer" && whole is < int.MinValue or > int.MaxValue))
                {
                    errors.Add($"{path}: expected {type} ({shapeName}), got {value.ToJsonString()}");
                    return;
                }
                Range(shape, whole, "value", path, errors);
                break;
            case "double" or "float":
                if (value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is "NaN" or "Infinity" or "-Infinity") return;
                if (value.GetValueKind() != JsonValueKind.Number)
                {
                    errors.Add($"{path}: expected a number ({shapeName}), got {value.GetValueKind()}");
                    return;
                }
                Range(shape, value.GetValue<double>(), "value", path, errors);
                break;
            case "boolean":
                if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    errors.Add($"{path}: expected a boolean ({shapeName}), got {value.GetValueKind()}");
                break;
            case "timestamp":
                var format = (string?)member?["timestampFormat"] ?? (string?)shape["timestampFormat"] ?? "unixTimestamp";
                var ok = format switch
                {
                    "unixTimestamp" => value.GetValueKind() == JsonValueKind.Number,
                    "iso8601" => value.GetValueKind() == JsonValueKind.String && DateTime.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
                    _ => value.GetValueKind() == JsonValueKind.String && DateTime.TryParseExact(value.GetValue<string>(), "r", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                };
                if (!ok) errors.Add($"{path}: expected a timestamp as {format} ({shapeName}), got {value.ToJsonString()}");
                break;
            case "blob":
                if (value.GetValueKind() != JsonValueKind.String || !TryBase64(value.GetValue<string>(), out var bytes))
                {
                    errors.Add($"{path}: expected base64 ({shapeName}), got {value.ToJsonString()}");
                    return;
                }
                Range(shape, bytes.Length, "bytes", path, errors);
                break;
            default:
                errors.Add($"{path}: the validator does not know the shape type {type}");
                break;
        }
    }

    private void Structure(string shapeName, JsonObject shape, JsonNode value, string path, List<string> errors)
    {
        if (value is not JsonObject o)
        {
            errors.Add($"{path}: expected a structure ({shapeName}), got {value.GetValueKind()}");
            return;
        }
        if (shape["document"]?.GetValue<bool>() == true) return;
        var members = shape["members"]!.AsObject();
        var byWire = members.ToDictionary(m => (string?)m.Value!["locationName"] ?? m.Key, m => m.Value!.AsObject(), StringComparer.Ordinal);
        foreach (var required in shape["required"]?.AsArray().Select(r => (string)r!) ?? [])
        {
            var wire = (string?)members[required]!["locationName"] ?? required;
            if (!o.ContainsKey(wire)) errors.Add($"{path}.{wire}: required member missing ({shapeName})");
        }
        foreach (var (key, v) in o)
        {
            if (!byWire.TryGetValue(key, out var definition)) errors.Add($"{path}.{key}: not a member of {shapeName}");
            else Check((string)definition["shape"]!, definition, v, $"{path}.{key}", errors);
        }
        if (shape["union"]?.GetValue<bool>() == true && o.Count != 1)
            errors.Add($"{path}: the union {shapeName} must have exactly one member set, not {o.Count}");
    }

    private static void Text(string shapeName, JsonObject shape, string text, string path, List<string> errors)
    {
        if (shape["enum"] is JsonArray values && !values.Any(v => (string)v! == text))
            errors.Add($"{path}: '{text}' is not one of {shapeName}'s values ({string.Join(", ", values.Select(v => (string)v!).Take(12))}{(values.Count > 12 ? ", ..." : "")})");
        var codePoints = text.Length - text.Count(char.IsLowSurrogate);
        Range(shape, codePoints, "characters", path, errors);
        if (shape["pattern"] is { } p && !Patterns.GetOrAdd((string)p!, Compile).IsMatch(text))
            errors.Add($"{path}: '{Shorten(text)}' does not match {shapeName}'s pattern {p}");
    }

    /// <summary>
    /// A model pattern as a .NET regular expression that must match the whole value, as AWS services apply them
    /// ("Member must satisfy regular expression pattern" for a control character in an unanchored [..]* pattern), not
    /// Smithy's unanchored reading. The models' Java spelling is translated: a range of supplementary characters written
    /// as surrogate pairs (\uD800\uDC00-\uDBFF\uDFFF) becomes "any surrogate unit" (.NET matches UTF-16 units), and
    /// escaped punctuation Java allows but .NET does not (\_) is unescaped.
    /// </summary>
    public static Regex Compile(string pattern)
    {
        var net = SurrogateRange().Replace(pattern, @"\uD800-\uDBFF\uDC00-\uDFFF").Replace(@"\_", "_", StringComparison.Ordinal);
        return new Regex(@"\A(?:" + net + @")\z", RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}-\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")]
    private static partial Regex SurrogateRange();

    private static void Range(JsonObject shape, double actual, string what, string path, List<string> errors)
    {
        if (shape["min"] is { } min && actual < min.GetValue<double>()) errors.Add($"{path}: {actual.ToString(CultureInfo.InvariantCulture)} {what}, fewer than the minimum {min}");
        if (shape["max"] is { } max && actual > max.GetValue<double>()) errors.Add($"{path}: {actual.ToString(CultureInfo.InvariantCulture)} {what}, more than the maximum {max}");
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var n))
        {
            bytes = bytes[..n];
            return true;
        }
        return false;
    }

    private static string Shorten(string text)
    {
        var b = new StringBuilder();
        foreach (var c in text.Take(80)) b.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c);
        return text.Length > 80 ? b + "..." : b.ToString();
    }
}
