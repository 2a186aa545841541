using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Query;
using IrTrail.Query;

namespace IrTrail.Commands;

/// <summary>Lists the incident-response query library (the module's own queries and user packs).</summary>
[Cmdlet(VerbsCommon.Get, "IrTrailQuery")]
[OutputType(typeof(QueryDefinition))]
public sealed class GetIrTrailQueryCommand : IrTrailCmdlet
{
    /// <summary>Query names (wildcards).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(QueryNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only queries with one of these tags (wildcards).</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Tag { get; set; }

    /// <summary>Only queries mapped to one of these MITRE ATT&amp;CK techniques (T1078 also finds T1078.004).</summary>
    [Parameter]
    public string[]? Technique { get; set; }

    /// <summary>Only queries of these kinds.</summary>
    // Strings, not the engine's enums: an enum-typed parameter makes the runtime load IrTrail.Core at import.
    [Parameter]
    [ValidateSet("Detection", "Hunting", "Inventory", "Timeline", "Dashboard")]
    public string[]? Kind { get; set; }

    /// <summary>Only queries of these severities.</summary>
    [Parameter]
    [ValidateSet("Critical", "High", "Medium", "Low", "Informational")]
    public string[]? Severity { get; set; }

    [Parameter] public string[]? QueryPath { get; set; }

    private QueryLibrary? _library;

    protected override void ProcessRecord()
    {
        _library ??= LibraryAccess.Load(this, QueryPath);
        var names = Name is { Length: > 0 } ? Name : ["*"];
        foreach (var n in names)
        {
            var pattern = WildcardPattern.Get(n, WildcardOptions.IgnoreCase);
            var found = _library.Queries.Where(q => pattern.IsMatch(q.Name) && TagMatch(q) && TechniqueMatch(q) && KindMatch(q) && SeverityMatch(q))
                .OrderBy(q => q.Group, StringComparer.Ordinal).ThenBy(q => q.Name, StringComparer.Ordinal).ToList();
            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(n) && _library.Find(n) is null)
            {
                WriteError(LibraryAccess.NotFound(_library, n));
                continue;
            }
            foreach (var q in found) WriteObject(q);
        }
    }

    private bool TagMatch(QueryDefinition q) =>
        Tag is not { Length: > 0 } || Tag.Any(t => q.Tags.Append(q.Group).Any(WildcardPattern.Get(t, WildcardOptions.IgnoreCase).IsMatch));

    private bool KindMatch(QueryDefinition q) =>
        Kind is not { Length: > 0 } || Kind.Any(k => k.Equals(q.Kind.ToString(), StringComparison.OrdinalIgnoreCase));

    private bool SeverityMatch(QueryDefinition q) =>
        Severity is not { Length: > 0 } || Severity.Any(v => v.Equals(q.Severity.ToString(), StringComparison.OrdinalIgnoreCase));

    private bool TechniqueMatch(QueryDefinition q) =>
        Technique is not { Length: > 0 } || Technique.Any(t => q.Techniques.Any(id =>
            id.Equals(t, StringComparison.OrdinalIgnoreCase) || id.StartsWith(t + ".", StringComparison.OrdinalIgnoreCase)));
}
