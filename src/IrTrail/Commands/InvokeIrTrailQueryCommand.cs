using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Query;
using IrTrail.Query;

namespace IrTrail.Commands;

/// <summary>
/// Runs incident-response SQL or a library query on a query engine — the local one (in-process DuckDB over a converted
/// dataset or raw logs, the <c>cloudtrail</c> view) or a remote one — and streams rows as objects.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "IrTrailQuery", DefaultParameterSetName = SqlSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(QueryRow), typeof(QueryStatistics))]
public sealed class InvokeIrTrailQueryCommand : IrTrailCmdlet
{
    private const string SqlSet = "Sql", NameSet = "Name";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SqlSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string Sql { get; set; } = "";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(QueryNameCompleter))]
    public string Name { get; set; } = "";

    [Parameter(ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(QueryParameterCompleter))]
    public Hashtable? Parameter { get; set; }

    /// <summary>A dataset folder, or raw log files / folders. Binds from Convert-IrTrailToParquet's Path.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Destination", "DatasetPath")]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    [Parameter] public DateTime? StartTime { get; set; }
    [Parameter] public DateTime? EndTime { get; set; }

    /// <summary>Where the query runs: Local (DuckDB in this process) or Athena.</summary>
    [Parameter]
    [ValidateSet(QueryEngines.Local, QueryEngines.Athena)]
    public string Engine { get; set; } = QueryEngines.Local;

    /// <summary>Also write one statistics object per query (after its rows).</summary>
    [Parameter] public SwitchParameter Statistics { get; set; }

    /// <summary>Extra query packs (folders or .json files), after the module's own and IRTRAIL_QUERY_PATH.</summary>
    [Parameter] public string[]? QueryPath { get; set; }

    private QueryLibrary? _library;
    private IQueryEngine? _engine;
    private string? _engineKey;

    protected override void BeginProcessing()
    {
        if (!Engine.Equals(QueryEngines.Local, StringComparison.OrdinalIgnoreCase))
            ThrowTerminatingError(new ErrorRecord(QueryEngines.NotAvailable(Engine), "EngineNotAvailable", ErrorCategory.NotImplemented, Engine));
    }

    protected override void ProcessRecord()
    {
        BoundQuery query;
        if (ParameterSetName == NameSet)
        {
            _library ??= LibraryAccess.Load(this, QueryPath);
            var q = _library.Find(Name);
            if (q is null) { WriteError(LibraryAccess.NotFound(_library, Name)); return; }
            try { query = QueryBinder.Bind(q, Engine, Parameter); }
            catch (QueryParameterException ex)
            {
                WriteError(new ErrorRecord(ex, "QueryParameterInvalid", ErrorCategory.InvalidArgument, ex.Parameter));
                return;
            }
            catch (QueryException ex)
            {
                WriteError(new ErrorRecord(ex, "QueryDefinitionInvalid", ErrorCategory.InvalidData, Name));
                return;
            }
        }
        else query = BoundQuery.Adhoc(Sql);

        if (!OpenEngine()) return;
        var engine = _engine!;
        var target = query.Name.Length > 0 ? query.Name : Sql;
        // Library queries and packs only ever read (the engine refuses anything else); typed SQL may write, and says so.
        var readOnly = query.Definition is not null;
        if (!readOnly)
        {
            var check = Wait(engine.CheckAsync(query.Sql, CancellationToken));
            if (check.MayWrite)
            {
                var where = engine.Source.Length > 0 ? $"the {engine.Name} engine over '{engine.Source}'" : $"the {engine.Name} engine";
                if (!ShouldProcess(where, $"Run SQL that is {check.Describe()}: it may write files, attach databases or change the session"))
                    return;
            }
        }

        var typeName = "IrTrail.QueryRow." + (query.Name.Length > 0 ? query.Name : "Sql");
        Func<object?[], QueryRow>? factory = null;
        IReadOnlyList<string> names = [];
        QueryStatistics? statistics = null;
        var progress = new ConcurrentQueue<QueryProgress>();
        var request = new QueryRequest(query)
        {
            ReadOnly = readOnly,
            Statistics = Statistics,
            Progress = new Progress(progress),
        };
        var activity = $"{engine.Name} query {(query.Name.Length > 0 ? query.Name : "")}".TrimEnd();
        var progressShown = false;
        void ShowProgress()
        {
            while (progress.TryDequeue(out var p))
            {
                var scanned = p.BytesScanned is { } b ? $", {b / 1048576.0:N1} MB scanned" : "";
                WriteProgress(new ProgressRecord(4, activity, $"{p.State}, {p.Elapsed.TotalSeconds:N0} s{scanned}"));
                progressShown = true;
            }
        }
        // Rows are fetched from the engine on a worker thread while this one shapes and writes them.
        using (var e = new ReadAhead<object?[]>(token => QueryRunner.StreamAsync(engine, request, cols => names = cols.Select(c => c.Name).ToArray(), s => statistics = s, token),
            1024, CancellationToken, ShowProgress))
        {
            while (true)
            {
                try
                {
                    if (!e.MoveNext()) break;
                }
                catch (QueryException ex)
                {
                    WriteError(new ErrorRecord(ex, ex.NotReadOnly ? "QueryNotReadOnly" : "QueryFailed", ex.NotReadOnly ? ErrorCategory.PermissionDenied : ErrorCategory.InvalidOperation, target)
                    {
                        ErrorDetails = new ErrorDetails(ex.NotReadOnly ? ex.Message : $"The {ex.Engine} engine rejected the query: {ex.Message}"),
                    });
                    return;
                }
                catch (OperationCanceledException) { return; }
                // The row class is made once the columns are known (before the first row).
                factory ??= QueryRowTypes.Factory(typeName, QueryRowTypes.PropertyNames(names));
                WriteObject(RowShaper.ToRow(factory, e.Current));
            }
        }
        if (progressShown) WriteProgress(new ProgressRecord(4, activity, "Done") { RecordType = ProgressRecordType.Completed });
        if (Statistics && statistics is not null) WriteObject(statistics);
    }

    /// <summary>Queues an engine's progress for the pipeline thread (the only one that may write it).</summary>
    private sealed class Progress(ConcurrentQueue<QueryProgress> queue) : IProgress<QueryProgress>
    {
        public void Report(QueryProgress value) => queue.Enqueue(value);
    }

    /// <summary>One engine per distinct -Path (and window); false after writing an error when the source is unusable.</summary>
    private bool OpenEngine()
    {
        List<string>? paths = null;
        if (Path is { Length: > 0 })
        {
            paths = [];
            foreach (var r in PathResolver.Resolve(this, Path, literal: false))
            {
                if (r.Error is not null)
                {
                    WriteError(new ErrorRecord(r.Error, "PathNotFound", ErrorCategory.ObjectNotFound, r.Input));
                    return false;
                }
                paths.Add(r.FullPath!);
            }
        }
        var key = paths is null ? "" : string.Join("\n", paths);
        if (_engine is not null && _engineKey == key) return true;
        _engine?.Dispose();
        _engine = null;
        try
        {
            CloudTrailView? view = null;
            if (paths is not null)
            {
                view = CloudTrailView.Open(paths, CancellationToken);
                view.StartTime = StartTime;
                view.EndTime = EndTime;
                foreach (var problem in view.Problems) WriteError(ReadErrors.ToErrorRecord(problem, eventsBeforeFaultEmitted: false));
                WriteVerbose($"'{view.Root}' is {(view.Kind == ViewSourceKind.Dataset ? "an IrTrail dataset" : "raw CloudTrail logs")}: {view.Files.Count} file(s) behind the view '{CloudTrailView.ViewName}'.");
            }
            else if (StartTime is not null || EndTime is not null)
                WriteWarning("-StartTime and -EndTime apply to the cloudtrail view, which needs -Path; they are ignored for this query.");
            _engine = new LocalQueryEngine(view);
            _engineKey = key;
            return true;
        }
        catch (QueryException ex)
        {
            WriteError(new ErrorRecord(ex, "SourceNotRecognized", ErrorCategory.InvalidData, key));
            return false;
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
            return false;
        }
    }

    protected override void EndProcessing() => ReleaseResources();

    protected override void ReleaseResources()
    {
        _engine?.Dispose();
        _engine = null;
    }
}
