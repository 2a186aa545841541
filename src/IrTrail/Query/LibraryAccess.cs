using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IrTrail.Core.Query;

namespace IrTrail.Query;

/// <summary>Loads the query library: the module's queries folder, IRTRAIL_QUERY_PATH, then -QueryPath.</summary>
internal static class LibraryAccess
{
    public static string? ModuleQueries
    {
        get
        {
            var dir = Path.GetDirectoryName(typeof(LibraryAccess).Assembly.Location);
            var p = dir is null ? null : Path.Combine(dir, "queries");
            return p is not null && Directory.Exists(p) ? p : null;
        }
    }

    public static QueryLibrary Load(PSCmdlet? cmdlet, IEnumerable<string>? queryPath)
    {
        var extra = queryPath?.Select(p => cmdlet is null ? p : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToList();
        var lib = QueryLibrary.Load(QueryLibrary.Locations(ModuleQueries, extra));
        if (cmdlet is not null) foreach (var problem in lib.Problems) cmdlet.WriteWarning(problem);
        return lib;
    }

    /// <summary>An error record for an unknown name, with the nearest names as the recommended action.</summary>
    public static ErrorRecord NotFound(QueryLibrary lib, string name)
    {
        var near = lib.Suggest(name);
        var ex = new ItemNotFoundException($"No query named '{name}' in the library." + (near.Count > 0 ? $" Did you mean: {string.Join(", ", near)}?" : ""));
        return new ErrorRecord(ex, "QueryNotFound", ErrorCategory.ObjectNotFound, name)
        {
            ErrorDetails = new ErrorDetails(ex.Message)
            {
                RecommendedAction = near.Count > 0 ? $"Use one of: {string.Join(", ", near)}. Get-IrTrailQuery lists them all." : "Get-IrTrailQuery lists the library.",
            },
        };
    }

    public static IEnumerable<string>? QueryPathFrom(IDictionary fakeBoundParameters) =>
        fakeBoundParameters["QueryPath"] switch
        {
            string s => [s],
            object[] a => a.Select(x => x?.ToString() ?? ""),
            _ => null,
        };
}

/// <summary>Tab completion of library query names (title as tool tip).</summary>
public sealed class QueryNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = wordToComplete.Trim('\'', '"');
        var lib = LibraryAccess.Load(null, LibraryAccess.QueryPathFrom(fakeBoundParameters));
        return lib.Queries.Where(q => q.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .OrderBy(q => q.Name, StringComparer.Ordinal)
            .Select(q => new CompletionResult(q.Name, q.Name, CompletionResultType.ParameterValue, string.IsNullOrEmpty(q.Title) ? q.Name : q.Title));
    }
}

/// <summary>Tab completion of -Parameter: a hashtable with the chosen query's parameters and their defaults.</summary>
public sealed class QueryParameterCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var name = fakeBoundParameters["Name"] switch { string s => s, object[] a when a.Length > 0 => a[0]?.ToString(), _ => null };
        if (name is null) yield break;
        var q = LibraryAccess.Load(null, LibraryAccess.QueryPathFrom(fakeBoundParameters)).Find(name);
        if (q is null || q.Parameters.Length == 0) yield break;
        // All parameters, then each one alone (so a key can be picked).
        var all = "@{ " + string.Join("; ", q.Parameters.Select(Entry)) + " }";
        yield return new CompletionResult(all, all, CompletionResultType.ParameterValue, string.Join(", ", q.Parameters.Select(p => p.ToString())));
        foreach (var p in q.Parameters)
        {
            var one = "@{ " + Entry(p) + " }";
            if (one != all) yield return new CompletionResult(one, one, CompletionResultType.ParameterValue, $"{p}: {p.Description}");
        }
    }

    private static string Entry(QueryParameterDefinition p) => p.Name + " = " + p.Default switch
    {
        null => p.Type switch { "int" => "0", "bool" => "$true", "string[]" => "@('')", _ => "''" },
        string[] a => "@(" + string.Join(", ", a.Select(x => "'" + x.Replace("'", "''") + "'")) + ")",
        string s => "'" + s.Replace("'", "''") + "'",
        bool b => b ? "$true" : "$false",
        var o => o.ToString(),
    };
}
