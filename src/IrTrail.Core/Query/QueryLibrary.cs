using System.Text.Json;
using System.Text.Json.Serialization;

namespace IrTrail.Core.Query;

/// <summary>The query library: JSON files (<c>{"queries":[...]}</c>) from the module's queries folder and user packs.</summary>
public sealed class QueryLibrary
{
    public const string EnvironmentVariable = "IRTRAIL_QUERY_PATH";
    private static readonly JsonSerializerOptions Json = new() { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

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
                        if (!Classify(q, out var problem)) { lib.Problems.Add($"{f}: query '{q.Name}' was skipped: {problem}"); continue; }
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

    /// <summary>Kind and severity from the pack's text; a pack that leaves them out gets hunting / informational.</summary>
    private static bool Classify(QueryDefinition q, out string problem)
    {
        problem = "";
        if (q.KindText is { } k)
        {
            if (!Enum.TryParse<QueryKind>(k, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(k, out _))
            {
                problem = $"its kind '{k}' is not one of {string.Join(", ", Enum.GetNames<QueryKind>().Select(n => n.ToLowerInvariant()))}.";
                return false;
            }
            q.Kind = kind;
        }
        if (q.SeverityText is { } s)
        {
            if (!Enum.TryParse<QuerySeverity>(s, ignoreCase: true, out var severity) || !Enum.IsDefined(severity) || int.TryParse(s, out _))
            {
                problem = $"its severity '{s}' is not one of {string.Join(", ", Enum.GetNames<QuerySeverity>().Select(n => n.ToLowerInvariant()))}.";
                return false;
            }
            q.Severity = severity;
        }
        return true;
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
}
