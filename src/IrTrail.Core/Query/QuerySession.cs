using System.Diagnostics;

namespace IrTrail.Core.Query;

/// <summary>
/// One local engine with the <c>cloudtrail</c> view attached (when a source is given), running queries and, on request,
/// measuring them with DuckDB's profiler.
/// </summary>
public sealed class QuerySession : IDisposable
{
    private readonly LocalQueryEngine _engine;
    private readonly string? _profileFile;
    private int? _rowGroupsTotal;

    public QuerySession(CloudTrailView? view, bool statistics)
    {
        View = view;
        _engine = new LocalQueryEngine();
        try
        {
            if (view is not null) _engine.Attach(view);
            if (statistics)
            {
                _profileFile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"irtrail-profile-{Guid.NewGuid():N}.json");
                _engine.EnableProfiling(_profileFile);
            }
        }
        catch
        {
            _engine.Dispose();
            throw;
        }
    }

    public CloudTrailView? View { get; }

    /// <summary>Statistics of the last query run to completion (when statistics were asked for).</summary>
    public QueryStatistics? LastStatistics { get; private set; }

    /// <summary>Streams the rows of one query; statistics are ready once the enumeration ends.</summary>
    public IEnumerable<object?[]> Run(string sql, string? queryName, Action<IReadOnlyList<QueryColumn>> onColumns, CancellationToken cancellationToken)
    {
        LastStatistics = null;
        if (_profileFile is not null && File.Exists(_profileFile)) File.Delete(_profileFile);
        sql = QueryLibrary.ReplaceTablePlaceholder(sql);
        var watch = Stopwatch.StartNew();
        long rows = 0;
        foreach (var row in _engine.Query(sql, onColumns, cancellationToken))
        {
            rows++;
            yield return row;
        }
        watch.Stop();
        if (_profileFile is not null) LastStatistics = Measure(queryName, watch.Elapsed, rows, cancellationToken);
    }

    private QueryStatistics Measure(string? queryName, TimeSpan elapsed, long rows, CancellationToken cancellationToken)
    {
        var facts = QueryStatistics.ReadProfile(_profileFile!);
        var stats = new QueryStatistics
        {
            Query = queryName ?? "",
            Elapsed = elapsed,
            Rows = rows,
            BytesRead = facts.BytesRead,
            RowsScanned = facts.RowsScanned,
            Source = View?.Kind.ToString() ?? "",
            Path = View?.Root ?? "",
            StartTime = View?.StartTime,
            EndTime = View?.EndTime,
        };
        if (View is null) return stats;
        stats.FilesTotal = View.Files.Count;
        stats.BytesTotal = View.TotalBytes;
        if (View.Kind == ViewSourceKind.RawLogs)
        {
            // read_json reads every byte of every file it is given: there is nothing to prune. DuckDB's profiler does not
            // count bytes read through its gzip reader, so the files' own size is the honest figure.
            stats.FilesRead = View.Files.Count;
            stats.BytesRead = Math.Max(stats.BytesRead ?? 0, stats.BytesTotal);
            return stats;
        }
        stats.FilesRead = facts.FilesRead;
        _engine.DisableProfiling();
        try
        {
            _rowGroupsTotal ??= Convert.ToInt32(_engine.QueryAll(
                $"SELECT count(*) FROM parquet_metadata({FileList(View.Files)}) WHERE path_in_schema = 'eventTime'", cancellationToken)[0][0]);
            stats.RowGroupsTotal = _rowGroupsTotal;
            // The files DuckDB names in its profile; when it names none (or not all) count those the window allows.
            var read = facts.FileNames.Where(File.Exists).ToList();
            if (facts.FilesRead is { } n && read.Count != n) read = [];
            if (read.Count == 0 && facts.FilesRead is not 0) read = View.Files.ToList();
            if (read.Count > 0)
            {
                var overlap = new List<string>();
                if (View.StartTime is { } s) overlap.Add($"(max_t IS NULL OR max_t >= TIMESTAMPTZ '{s.ToUniversalTime():yyyy-MM-dd HH:mm:ss.ffffff}+00')");
                if (View.EndTime is { } e) overlap.Add($"(min_t IS NULL OR min_t <= TIMESTAMPTZ '{e.ToUniversalTime():yyyy-MM-dd HH:mm:ss.ffffff}+00')");
                var where = overlap.Count == 0 ? "true" : string.Join(" AND ", overlap);
                stats.RowGroupsRead = Convert.ToInt32(_engine.QueryAll(
                    $"SELECT count(*) FILTER (WHERE {where}) FROM (SELECT try_cast(stats_min AS TIMESTAMPTZ) AS min_t, try_cast(stats_max AS TIMESTAMPTZ) AS max_t " +
                    $"FROM parquet_metadata({FileList(read)}) WHERE path_in_schema = 'eventTime')", cancellationToken)[0][0]);
            }
            else stats.RowGroupsRead = 0;
        }
        finally
        {
            _engine.EnableProfiling(_profileFile!);
        }
        return stats;
    }

    private static string FileList(IEnumerable<string> files) => "[" + string.Join(", ", files.Select(CloudTrailView.Literal)) + "]";

    public void Dispose()
    {
        _engine.Dispose();
        if (_profileFile is not null) try { File.Delete(_profileFile); } catch (IOException) { }
    }
}
