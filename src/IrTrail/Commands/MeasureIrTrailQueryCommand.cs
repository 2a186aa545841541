using System.Collections;
using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Query;
using IrTrail.Query;

namespace IrTrail.Commands;

/// <summary>The talk's table: the same query over raw JSON logs and over the Parquet dataset, run time and bytes read.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "IrTrailQuery", DefaultParameterSetName = NameSet)]
[OutputType(typeof(QueryMeasurement))]
public sealed class MeasureIrTrailQueryCommand : IrTrailCmdlet
{
    private const string SqlSet = "Sql", NameSet = "Name";

    /// <summary>Raw CloudTrail log files or folders (.json / .json.gz).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[] LogPath { get; set; } = [];

    /// <summary>The dataset converted from those logs.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Path", "Destination")]
    [ValidateNotNullOrEmpty]
    public string DatasetPath { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = SqlSet)]
    [ValidateNotNullOrEmpty]
    public string Sql { get; set; } = "";

    /// <summary>Library queries; one measurement each.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(QueryNameCompleter))]
    public string[] Name { get; set; } = [];

    [Parameter(ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(QueryParameterCompleter))]
    public Hashtable? Parameter { get; set; }

    /// <summary>Runs per side (alternating); the median time is reported.</summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int Runs { get; set; } = 3;

    /// <summary>Where both sides run: Local (DuckDB over log files and a dataset) or Athena (over two tables).</summary>
    [Parameter]
    [ValidateSet(QueryEngines.Local, QueryEngines.Athena)]
    public string Engine { get; set; } = QueryEngines.Local;

    [Parameter] public string[]? QueryPath { get; set; }

    protected override void BeginProcessing()
    {
        if (!Engine.Equals(QueryEngines.Local, StringComparison.OrdinalIgnoreCase))
            ThrowTerminatingError(new ErrorRecord(QueryEngines.NotAvailable(Engine), "EngineNotAvailable", ErrorCategory.NotImplemented, Engine));
    }

    protected override void ProcessRecord()
    {
        CloudTrailView logs, dataset;
        try
        {
            var logPaths = PathResolver.Resolve(this, LogPath, literal: false).Select(r => r.FullPath ?? throw new QueryException(r.Error!.Message, "Local")).ToList();
            logs = CloudTrailView.Open(logPaths, CancellationToken);
            foreach (var problem in logs.Problems) WriteError(ReadErrors.ToErrorRecord(problem, eventsBeforeFaultEmitted: false));
            var ds = SessionState.Path.GetUnresolvedProviderPathFromPSPath(DatasetPath);
            dataset = CloudTrailView.Open([ds], CancellationToken);
            if (logs.Kind != ViewSourceKind.RawLogs) throw new QueryException($"-LogPath '{string.Join("', '", LogPath)}' is a dataset, not raw logs.", "Local");
            if (dataset.Kind != ViewSourceKind.Dataset) throw new QueryException($"-DatasetPath '{ds}' holds raw logs, not an IrTrail dataset (convert it with Convert-IrTrailToParquet).", "Local");
        }
        catch (QueryException ex)
        {
            WriteError(new ErrorRecord(ex, "SourceNotRecognized", ErrorCategory.InvalidData, DatasetPath));
            return;
        }

        var work = new List<(string Name, BoundQuery Query)>();
        if (ParameterSetName == SqlSet) work.Add(("(sql)", BoundQuery.Adhoc(Sql)));
        else
        {
            var lib = LibraryAccess.Load(this, QueryPath);
            foreach (var n in Name)
            {
                var q = lib.Find(n);
                if (q is null) { WriteError(LibraryAccess.NotFound(lib, n)); continue; }
                try { work.Add((q.Name, QueryBinder.Bind(q, Engine, Parameter))); }
                catch (QueryParameterException ex) { WriteError(new ErrorRecord(ex, "QueryParameterInvalid", ErrorCategory.InvalidArgument, ex.Parameter)); }
                catch (QueryException ex) { WriteError(new ErrorRecord(ex, "QueryDefinitionInvalid", ErrorCategory.InvalidData, n)); }
            }
        }
        // The raw side reads the logs as they are (no dedupe), like the talk's table over the raw JSON.
        logs.Deduplicate = false;
        using var json = new LocalQueryEngine(logs);
        using var parquet = new LocalQueryEngine(dataset);
        for (var i = 0; i < work.Count; i++)
        {
            var progress = new ProgressRecord(1, "Measure-IrTrailQuery", $"{work[i].Name}: raw JSON vs Parquet, {Runs} run(s) each") { PercentComplete = 100 * i / work.Count };
            WriteProgress(progress);
            try
            {
                var (name, query) = work[i];
                WriteObject(Wait(Task.Run(() => QueryMeasurement.Run(query, name, json, parquet, Runs, CancellationToken))));
            }
            catch (QueryException ex)
            {
                WriteError(new ErrorRecord(ex, ex.NotReadOnly ? "QueryNotReadOnly" : "QueryFailed", ex.NotReadOnly ? ErrorCategory.PermissionDenied : ErrorCategory.InvalidOperation, work[i].Name)
                {
                    ErrorDetails = new ErrorDetails(ex.NotReadOnly ? ex.Message : $"The {ex.Engine} engine rejected the query: {ex.Message}"),
                });
            }
            catch (OperationCanceledException) { return; }
        }
        WriteProgress(new ProgressRecord(1, "Measure-IrTrailQuery", "Done") { RecordType = ProgressRecordType.Completed });
    }
}
