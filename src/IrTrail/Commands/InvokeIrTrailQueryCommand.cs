using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Query;

namespace IrTrail.Commands;

/// <summary>Runs incident-response SQL on the local engine (in-process DuckDB) and streams rows as objects.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "IrTrailQuery", DefaultParameterSetName = SqlSet)]
[OutputType(typeof(PSObject))]
public sealed class InvokeIrTrailQueryCommand : IrTrailCmdlet
{
    private const string SqlSet = "Sql";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SqlSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string Sql { get; set; } = "";

    private LocalQueryEngine? _engine;

    protected override void ProcessRecord()
    {
        try
        {
            _engine ??= new LocalQueryEngine();
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException or TypeInitializationException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "LocalEngineUnavailable", ErrorCategory.ResourceUnavailable, null)
            {
                ErrorDetails = new ErrorDetails($"The local query engine (DuckDB) could not be loaded: {ex.Message}")
                {
                    RecommendedAction = "Reinstall the IrTrail package built for this platform (its Dependencies/runtimes folder holds DuckDB).",
                },
            });
            return;
        }

        IReadOnlyList<string> names = [];
        IEnumerable<object?[]> rows = _engine.Query(Sql, cols => names = cols.Select(c => c.Name).ToArray(), CancellationToken);
        using var e = rows.GetEnumerator();
        while (true)
        {
            try
            {
                if (!e.MoveNext()) break;
            }
            catch (QueryException ex)
            {
                WriteError(new ErrorRecord(ex, "QueryFailed", ErrorCategory.InvalidOperation, Sql)
                {
                    ErrorDetails = new ErrorDetails($"The {ex.Engine} engine rejected the query: {ex.Message}"),
                });
                return;
            }
            WriteObject(RowShaper.ToPSObject(names, e.Current, "IrTrail.QueryRow"));
        }
    }

    protected override void EndProcessing() => _engine?.Dispose();
}
