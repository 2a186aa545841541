using System.Text.Json;
using System.Text.Json.Serialization;

namespace IrTrail.Core.Query;

/// <summary>A typed parameter of a library query; the SQL names it as <c>{{Name}}</c>.</summary>
public sealed class QueryParameterDefinition
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>string, string[], int, datetime or bool.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "string";
    [JsonPropertyName("required")] public bool Required { get; set; }
    [JsonPropertyName("default")] public JsonElement? DefaultJson { get; set; }
    [JsonPropertyName("description")] public string Description { get; set; } = "";

    [JsonIgnore] public object? Default => DefaultJson is { } d && d.ValueKind != JsonValueKind.Null ? d.ValueKind switch
    {
        JsonValueKind.String => d.GetString(),
        JsonValueKind.Number => d.GetInt64(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => d.EnumerateArray().Select(x => x.ToString()).ToArray(),
        _ => d.ToString(),
    } : null;

    public override string ToString() => $"{Name} ({Type}{(Required ? ", required" : "")})";
}
