using System.Text.Json.Serialization;

namespace IrTrail.Core.Query;

/// <summary>One incident-response query of the library.</summary>
public sealed class QueryDefinition
{
    /// <summary>The key of SQL written for both engines, in Athena's (Trino) spelling; DuckDB runs it through the
    /// compatibility layer created in each session (see DuckDbCompatibility).</summary>
    public const string DefaultSql = "default";

    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("title")] public string Title { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("group")] public string Group { get; set; } = "";
    /// <summary>detection, hunting, inventory, timeline or dashboard (see <see cref="QueryKind"/>).</summary>
    [JsonIgnore] public QueryKind Kind { get; set; } = QueryKind.Hunting;
    /// <summary>critical, high, medium, low or informational (see <see cref="QuerySeverity"/>).</summary>
    [JsonIgnore] public QuerySeverity Severity { get; set; } = QuerySeverity.Informational;
    [JsonPropertyName("tags")] public string[] Tags { get; set; } = [];
    /// <summary>MITRE ATT&amp;CK technique ids.</summary>
    [JsonPropertyName("techniques")] public string[] Techniques { get; set; } = [];
    [JsonPropertyName("parameters")] public QueryParameterDefinition[] Parameters { get; set; } = [];
    /// <summary>
    /// SQL per engine: <c>default</c> in Trino spelling for both engines; <c>duckdb</c> / <c>athena</c> only where a
    /// compatibility macro cannot bridge the dialects.
    /// </summary>
    [JsonPropertyName("sql")] public Dictionary<string, string> Sql { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Where the query comes from (prior art it re-implements).</summary>
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    /// <summary>The file the query was loaded from.</summary>
    [JsonIgnore] public string DefinedIn { get; set; } = "";

    // The pack file's spelling of kind and severity, checked by QueryLibrary.Load (a bad value skips the query with a
    // message rather than failing the whole pack).
    [JsonPropertyName("kind")] [JsonInclude] internal string? KindText { get; set; }
    [JsonPropertyName("severity")] [JsonInclude] internal string? SeverityText { get; set; }

    /// <summary>Engines this query has SQL for.</summary>
    public string[] Engines => Sql.ContainsKey(DefaultSql) ? [QueryEngines.Local, QueryEngines.Athena] :
        Sql.Keys.Select(EngineOfKey).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The SQL an engine runs: its own text where the query has one, else the default (Trino spelling).</summary>
    public string? SqlFor(string engine)
    {
        foreach (var (key, text) in Sql)
            if (!key.Equals(DefaultSql, StringComparison.OrdinalIgnoreCase) && EngineOfKey(key).Equals(engine, StringComparison.OrdinalIgnoreCase))
                return text;
        return Sql.TryGetValue(DefaultSql, out var d) ? d : null;
    }

    /// <summary>True when the engine runs text of its own rather than the shared default.</summary>
    public bool HasEngineSpecificSql => Sql.Keys.Any(k => !k.Equals(DefaultSql, StringComparison.OrdinalIgnoreCase));

    private static string EngineOfKey(string key) =>
        key.Equals("duckdb", StringComparison.OrdinalIgnoreCase) || key.Equals("local", StringComparison.OrdinalIgnoreCase) ? QueryEngines.Local
        : key.Equals("athena", StringComparison.OrdinalIgnoreCase) || key.Equals("trino", StringComparison.OrdinalIgnoreCase) ? QueryEngines.Athena
        : key;
}
