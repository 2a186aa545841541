using System.Collections;
using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Query;
using IrTrail.Query;

namespace IrTrail.Commands;

/// <summary>
/// Runs incident-response SQL or a library query on the local engine (in-process DuckDB) over a converted dataset or
/// raw logs (the <c>cloudtrail</c> view), and streams rows as objects.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "IrTrailQuery", DefaultParameterSetName = SqlSet)]
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

    /// <summary>Also write one statistics object per query (after its rows).</summary>
    [Parameter] public SwitchParameter Statistics { get; set; }

    /// <summary>Extra query packs (folders or .json files), after the module's own and IRTRAIL_QUERY_PATH.</summary>
    [Parameter] public string[]? QueryPath { get; set; }

    private QueryLibrary? _library;
    private QuerySession? _session;
    private string? _sessionKey;

    protected override void ProcessRecord()
    {
        string sql, queryName = "";
        if (ParameterSetName == NameSet)
        {
            _library ??= LibraryAccess.Load(this, QueryPath);
            var q = _library.Find(Name);
            if (q is null) { WriteError(LibraryAccess.NotFound(_library, Name)); return; }
            try { sql = QueryLibrary.Bind(q, "Local", Parameter); }
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
            queryName = q.Name;
        }
        else sql = Sql;

        if (!OpenSession()) return;
        var typeName = "IrTrail.QueryRow." + (queryName.Length > 0 ? queryName : "Sql");
        Func<object?[], QueryRow>? factory = null;
        IReadOnlyList<string> names = [];
        // Rows are fetched from DuckDB on a worker thread while this one shapes and writes them.
        using var e = new ReadAhead<object?[]>(token => _session!.Run(sql, queryName, cols => names = cols.Select(c => c.Name).ToArray(), token),
            1024, CancellationToken);
        while (true)
        {
            try
            {
                if (!e.MoveNext()) break;
            }
            catch (QueryException ex)
            {
                WriteError(new ErrorRecord(ex, "QueryFailed", ErrorCategory.InvalidOperation, queryName.Length > 0 ? queryName : Sql)
                {
                    ErrorDetails = new ErrorDetails($"The {ex.Engine} engine rejected the query: {ex.Message}"),
                });
                return;
            }
            catch (OperationCanceledException) { return; }
            // The row class is made once the columns are known (before the first row).
            factory ??= QueryRowTypes.Factory(typeName, QueryRowTypes.PropertyNames(names));
            WriteObject(RowShaper.ToRow(factory, e.Current));
        }
        if (Statistics && _session.LastStatistics is { } stats) WriteObject(stats);
    }

    /// <summary>One engine per distinct -Path (and window); false after writing an error when the source is unusable.</summary>
    private bool OpenSession()
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
        if (_session is not null && _sessionKey == key) return true;
        _session?.Dispose();
        _session = null;
        try
        {
            CloudTrailView? view = null;
            if (paths is not null)
            {
                view = CloudTrailView.Open(paths, CancellationToken);
                view.StartTime = StartTime;
                view.EndTime = EndTime;
                foreach (var problem in view.Problems) WriteError(ReadErrors.ToErrorRecord(problem));
                WriteVerbose($"'{view.Root}' is {(view.Kind == ViewSourceKind.Dataset ? "an IrTrail dataset" : "raw CloudTrail logs")}: {view.Files.Count} file(s) behind the view '{CloudTrailView.ViewName}'.");
            }
            else if (StartTime is not null || EndTime is not null)
                WriteWarning("-StartTime and -EndTime apply to the cloudtrail view, which needs -Path; they are ignored for this query.");
            _session = new QuerySession(view, Statistics);
            _sessionKey = key;
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

    protected override void EndProcessing() => _session?.Dispose();
}
