using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

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

/// <summary>One incident-response query of the library.</summary>
public sealed class QueryDefinition
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("title")] public string Title { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("group")] public string Group { get; set; } = "";
    [JsonPropertyName("tags")] public string[] Tags { get; set; } = [];
    /// <summary>MITRE ATT&amp;CK technique ids.</summary>
    [JsonPropertyName("techniques")] public string[] Techniques { get; set; } = [];
    [JsonPropertyName("parameters")] public QueryParameterDefinition[] Parameters { get; set; } = [];
    /// <summary>SQL per engine: "default" for SQL both engines accept, "duckdb" / "athena" where dialects differ.</summary>
    [JsonPropertyName("sql")] public Dictionary<string, string> Sql { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Where the query comes from (prior art it re-implements).</summary>
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    /// <summary>The file the query was loaded from.</summary>
    [JsonIgnore] public string DefinedIn { get; set; } = "";

    /// <summary>Engines this query has SQL for.</summary>
    public string[] Engines => Sql.ContainsKey("default") ? ["Local", "Athena"] :
        Sql.Keys.Select(k => k.Equals("duckdb", StringComparison.OrdinalIgnoreCase) ? "Local" : k.Equals("athena", StringComparison.OrdinalIgnoreCase) ? "Athena" : k).ToArray();

    public string? SqlFor(string engine)
    {
        var key = engine.Equals("Local", StringComparison.OrdinalIgnoreCase) ? "duckdb" : engine;
        return Sql.TryGetValue(key, out var s) ? s : Sql.TryGetValue("default", out var d) ? d : null;
    }
}

/// <summary>The query library: JSON files (<c>{"queries":[...]}</c>) from the module's queries folder and user packs.</summary>
public sealed class QueryLibrary
{
    public const string EnvironmentVariable = "IRTRAIL_QUERY_PATH";
    private static readonly JsonSerializerOptions Json = new() { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly Regex Placeholder = new(@"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}", RegexOptions.Compiled);

    private readonly Dictionary<string, QueryDefinition> _byName = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<QueryDefinition> Queries => _byName.Values;
    /// <summary>Files that could not be read, with the reason (a user pack must not break the library).</summary>
    public List<string> Problems { get; } = [];

    private sealed class PackFile
    {
        [JsonPropertyName("queries")] public QueryDefinition[] Queries { get; set; } = [];
    }

    /// <summary>Loads folders (or single .json files) in order; a later definition of the same name replaces an earlier one.</summary>
    public static QueryLibrary Load(IEnumerable<string> locations)
    {
        var lib = new QueryLibrary();
        foreach (var loc in locations)
        {
            IEnumerable<string> files = Directory.Exists(loc) ? Directory.EnumerateFiles(loc, "*.json", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
                : File.Exists(loc) ? [loc] : [];
            if (!Directory.Exists(loc) && !File.Exists(loc)) lib.Problems.Add($"Query path '{loc}' does not exist.");
            foreach (var f in files)
            {
                try
                {
                    var pack = JsonSerializer.Deserialize<PackFile>(File.ReadAllBytes(f), Json);
                    foreach (var q in pack?.Queries ?? [])
                    {
                        if (string.IsNullOrWhiteSpace(q.Name) || q.Sql.Count == 0) { lib.Problems.Add($"{f}: a query without a name or SQL was skipped."); continue; }
                        q.DefinedIn = f;
                        lib._byName[q.Name] = q;
                    }
                }
                catch (JsonException ex)
                {
                    lib.Problems.Add($"{f}: not a query pack ({ex.Message}).");
                }
            }
        }
        return lib;
    }

    /// <summary>The module's own folder plus IRTRAIL_QUERY_PATH (path-separator separated) plus explicit paths.</summary>
    public static IEnumerable<string> Locations(string? moduleQueries, IEnumerable<string>? extra)
    {
        if (moduleQueries is not null) yield return moduleQueries;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
            foreach (var p in env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) yield return p;
        foreach (var p in extra ?? []) yield return p;
    }

    public QueryDefinition? Find(string name) => _byName.TryGetValue(name, out var q) ? q : null;

    /// <summary>The known names nearest to a mistyped one (edit distance, then shared prefix/substring).</summary>
    public IReadOnlyList<string> Suggest(string name, int max = 3) =>
        _byName.Keys
            .Select(k => (k, d: Distance(name.ToLowerInvariant(), k.ToLowerInvariant()) - (k.Contains(name, StringComparison.OrdinalIgnoreCase) ? 100 : 0)))
            .Where(x => x.d <= Math.Max(3, name.Length / 2))
            .OrderBy(x => x.d).ThenBy(x => x.k, StringComparer.Ordinal).Take(max).Select(x => x.k).ToList();

    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>
    /// The query's SQL for an engine with its parameters bound as literals. Throws QueryParameterException naming the
    /// parameter and the expected type when one is missing, unknown or of the wrong type.
    /// </summary>
    public static string Bind(QueryDefinition query, string engine, IDictionary? values)
    {
        var sql = query.SqlFor(engine) ?? throw new QueryException($"Query '{query.Name}' has no SQL for the {engine} engine (it has: {string.Join(", ", query.Engines)}).", engine);
        var given = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (values is not null)
            foreach (DictionaryEntry e in values) given[e.Key.ToString() ?? ""] = e.Value;
        foreach (var key in given.Keys)
            if (!query.Parameters.Any(p => p.Name.Equals(key, StringComparison.OrdinalIgnoreCase)))
                throw new QueryParameterException(query.Name, key,
                    $"Query '{query.Name}' has no parameter '{key}'. " + (query.Parameters.Length == 0 ? "It takes none." : "Its parameters: " + string.Join(", ", query.Parameters.Select(p => p.ToString())) + "."));
        var literals = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in query.Parameters)
        {
            var value = given.TryGetValue(p.Name, out var v) ? v : p.Default;
            if (value is null)
            {
                if (p.Required) throw new QueryParameterException(query.Name, p.Name, $"Query '{query.Name}' needs parameter '{p.Name}' ({p.Type}): {p.Description} Pass it as -Parameter @{{ {p.Name} = <{p.Type}> }}.");
                literals[p.Name] = "NULL";
                continue;
            }
            literals[p.Name] = ToLiteral(query.Name, p, value);
        }
        return Placeholder.Replace(sql, m => literals.TryGetValue(m.Groups[1].Value, out var lit) ? lit
            : throw new QueryException($"Query '{query.Name}' uses {{{{{m.Groups[1].Value}}}}} but declares no such parameter.", engine));
    }

    private static string ToLiteral(string queryName, QueryParameterDefinition p, object value)
    {
        QueryParameterException Wrong(object? v) => new(queryName, p.Name,
            $"Parameter '{p.Name}' of query '{queryName}' expects {p.Type}; got '{v}' ({v?.GetType().Name ?? "null"}).");
        switch (p.Type.ToLowerInvariant())
        {
            case "string":
                if (value is string s) return Quote(s);
                if (value is IEnumerable and not string) throw Wrong(value);
                return Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
            case "string[]":
                var items = value is string one ? [one] : value is IEnumerable list ? list.Cast<object?>().Select(x => Convert.ToString(x, CultureInfo.InvariantCulture) ?? "").ToList() : [Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""];
                if (items.Count == 0) throw Wrong("(empty list)");
                return "[" + string.Join(", ", items.Select(Quote)) + "]";
            case "int":
                try
                {
                    if (value is string str) return long.Parse(str, NumberStyles.Integer, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                    if (value is bool or DateTime or IEnumerable) throw Wrong(value);
                    return Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
                }
                catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException) { throw Wrong(value); }
            case "datetime":
                DateTime t;
                if (value is DateTime dt) t = dt;
                else if (value is DateTimeOffset dto) t = dto.UtcDateTime;
                else if (value is string ts && DateTime.TryParse(ts, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)) t = parsed;
                else throw Wrong(value);
                if (t.Kind == DateTimeKind.Unspecified) t = DateTime.SpecifyKind(t, DateTimeKind.Utc);
                return $"TIMESTAMPTZ '{t.ToUniversalTime():yyyy-MM-dd HH:mm:ss.ffffff}+00'";
            case "bool":
                if (value is bool b) return b ? "true" : "false";
                if (value is string bs && bool.TryParse(bs, out var pb)) return pb ? "true" : "false";
                throw Wrong(value);
            default:
                throw new QueryException($"Query '{queryName}' declares parameter '{p.Name}' with unknown type '{p.Type}'.", "Local");
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

    /// <summary>The talk's <c>&lt;&lt;table&gt;&gt;</c> placeholder → the view name.</summary>
    public static string ReplaceTablePlaceholder(string sql) =>
        Regex.Replace(sql, @"<<\s*table\s*>>", CloudTrailView.ViewName, RegexOptions.IgnoreCase);
}

/// <summary>A missing, unknown or mistyped query parameter.</summary>
public sealed class QueryParameterException(string query, string parameter, string message) : Exception(message)
{
    public string Query { get; } = query;
    public string Parameter { get; } = parameter;
}
