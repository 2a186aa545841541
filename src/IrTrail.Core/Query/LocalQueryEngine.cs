using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace IrTrail.Core.Query;

/// <summary>
/// The local engine: an in-process DuckDB with the <c>cloudtrail</c> view (when a source is given) and the Trino
/// compatibility macros. Rows stream out one by one so a consumer can stop early; cancelling interrupts the running
/// query inside DuckDB. Parameters are bound as prepared-statement values, never spliced into the text.
/// </summary>
internal sealed class LocalQueryEngine : IQueryEngine
{
    private readonly DuckDBConnection _connection;
    private string? _profileFile;
    private int? _rowGroupsTotal;

    public LocalQueryEngine(CloudTrailView? view = null)
    {
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        try
        {
            // Every timestamp IrTrail shows is UTC, whatever the machine's zone.
            Execute("SET TimeZone = 'UTC'");
            DuckDbCompatibility.Install(Execute);
            View = view;
            if (view is not null) Execute(view.CreateViewSql());
        }
        catch (DuckDBException ex)
        {
            _connection.Dispose();
            throw Rejected(ex);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public string Name => QueryEngines.Local;
    public CloudTrailView? View { get; }
    public string Source => View?.Root ?? "";

    public Task<StatementCheck> CheckAsync(string sql, CancellationToken cancellationToken) => Task.FromResult(Check(sql));

    /// <summary>
    /// DuckDB's own parser decides: json_serialize_sql serialises SELECT statements only (a COPY, ATTACH, SET, PRAGMA,
    /// CREATE … fails it), and lists each statement. A text DuckDB cannot parse is left to the run, which reports the
    /// syntax error with its position without executing anything.
    /// </summary>
    public StatementCheck Check(string sql)
    {
        var json = (string?)QueryAll("SELECT json_serialize_sql(" + CloudTrailView.Literal(sql) + ")")[0][0] ?? "";
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var statements = SqlText.StatementCount(sql);
        if (root.TryGetProperty("error", out var error) && error.GetBoolean())
        {
            var type = root.TryGetProperty("error_type", out var t) ? t.GetString() : null;
            if (type == "parser") return new StatementCheck(false, statements, StatementCheck.Unparsable);
            var keyword = SqlText.FirstKeyword(sql);
            return new StatementCheck(false, statements, keyword is "" or "SELECT" or "WITH" or "FROM" ? "non-SELECT" : keyword);
        }
        var count = root.GetProperty("statements").GetArrayLength();
        return new StatementCheck(count == 1, count, StatementCheck.Select);
    }

    public Task DefineRelationAsync(string name, BoundQuery query, CancellationToken cancellationToken)
    {
        if (!Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]*$")) throw new ArgumentException($"'{name}' is not a plain identifier.", nameof(name));
        RefuseUnlessReadOnly(query);
        using var cmd = Command($"CREATE OR REPLACE TEMP TABLE {name} AS {query.Sql}", query.Parameters);
        using var registration = cancellationToken.Register(() => { try { cmd.Cancel(); } catch { /* finished */ } });
        try { cmd.ExecuteNonQuery(); }
        catch (DuckDBException ex) when (cancellationToken.IsCancellationRequested) { throw new OperationCanceledException("The query was interrupted.", ex, cancellationToken); }
        catch (DuckDBException ex) { throw Rejected(ex); }
        return Task.CompletedTask;
    }

    public Task<IQueryExecution> StartAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        if (request.ReadOnly) RefuseUnlessReadOnly(request.Query);
        if (request.Statistics)
        {
            _profileFile ??= Path.Combine(Path.GetTempPath(), $"irtrail-profile-{Guid.NewGuid():N}.json");
            if (File.Exists(_profileFile)) File.Delete(_profileFile);
            EnableProfiling(_profileFile);
        }
        var cmd = Command(request.Query.Sql, request.Query.Parameters);
        // Streaming: rows are produced as they are fetched, so stopping early stops the work and memory stays flat.
        cmd.UseStreamingMode = true;
        var watch = Stopwatch.StartNew();
        DbDataReader reader;
        using (cancellationToken.Register(() => { try { cmd.Cancel(); } catch { /* finished */ } }))
        {
            try { reader = cmd.ExecuteReader(); }
            catch (DuckDBException ex)
            {
                cmd.Dispose();
                if (request.Statistics) DisableProfiling();
                if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException("The query was interrupted.", ex, cancellationToken);
                throw Rejected(ex);
            }
        }
        return Task.FromResult<IQueryExecution>(new Execution(this, request, cmd, reader, watch));
    }

    private void RefuseUnlessReadOnly(BoundQuery query)
    {
        var check = Check(query.Sql);
        if (check.IsReadOnlyQuery || (check.Kind == StatementCheck.Unparsable && check.Statements <= 1)) return;
        var what = query.Name.Length > 0 ? $"Query '{query.Name}'" : "The query";
        throw new QueryException($"{what} is {check.Describe()}: library queries and query packs run only single read-only queries (SELECT or WITH … SELECT), so they cannot write files, attach databases or change the session.",
            Name) { NotReadOnly = true };
    }

    private DuckDBCommand Command(string sql, IReadOnlyList<QueryValue> parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters) cmd.Parameters.Add(new DuckDBParameter(ToDuckDb(p)));
        return cmd;
    }

    /// <summary>A checked value as DuckDB.NET binds it: lists as List, timestamps as UTC DateTimeOffset (TIMESTAMPTZ).</summary>
    private static object ToDuckDb(QueryValue v) => v.Value switch
    {
        null => DBNull.Value,
        string[] list => list.ToList(),
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        var x => x,
    };

    private sealed class Execution(LocalQueryEngine engine, QueryRequest request, DuckDBCommand command, DbDataReader reader, Stopwatch watch) : IQueryExecution
    {
        private bool _disposed;

        public string? ExecutionId => null;
        public IReadOnlyList<QueryColumn> Columns { get; } = Enumerable.Range(0, reader.FieldCount).Select(i => new QueryColumn(reader.GetName(i), reader.GetDataTypeName(i))).ToArray();
        public QueryStatistics? Statistics { get; private set; }

        public async IAsyncEnumerable<object?[]> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            long rows = 0;
            using (cancellationToken.Register(() => { try { command.Cancel(); } catch { /* finished */ } }))
            {
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    bool more;
                    try { more = reader.Read(); }
                    catch (DuckDBException ex) when (cancellationToken.IsCancellationRequested) { throw new OperationCanceledException("The query was interrupted.", ex, cancellationToken); }
                    catch (DuckDBException ex) { throw Rejected(ex); }
                    if (!more) break;
                    var row = new object?[Columns.Count];
                    for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : DuckDbValueConverter.Convert(reader.GetValue(i));
                    rows++;
                    yield return row;
                }
            }
            watch.Stop();
            await DisposeAsync();
            if (request.Statistics) Statistics = engine.Measure(request.Query.Name, watch.Elapsed, rows, cancellationToken);
        }

        public ValueTask DisposeAsync()
        {
            if (_disposed) return ValueTask.CompletedTask;
            _disposed = true;
            reader.Dispose();
            command.Dispose();
            if (request.Statistics && Statistics is null) engine.DisableProfilingQuietly();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The run's statistics from DuckDB's profile, plus what the view knows (files, row groups in the window).</summary>
    private QueryStatistics Measure(string queryName, TimeSpan elapsed, long rows, CancellationToken cancellationToken)
    {
        DisableProfiling();
        var facts = QueryStatistics.ReadProfile(_profileFile!);
        var stats = new QueryStatistics
        {
            Engine = Name,
            Query = queryName,
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
        _rowGroupsTotal ??= Convert.ToInt32(QueryAll(
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
            stats.RowGroupsRead = Convert.ToInt32(QueryAll(
                $"SELECT count(*) FILTER (WHERE {where}) FROM (SELECT try_cast(stats_min AS TIMESTAMPTZ) AS min_t, try_cast(stats_max AS TIMESTAMPTZ) AS max_t " +
                $"FROM parquet_metadata({FileList(read)}) WHERE path_in_schema = 'eventTime')", cancellationToken)[0][0]);
        }
        else stats.RowGroupsRead = 0;
        return stats;
    }

    private static string FileList(IEnumerable<string> files) => "[" + string.Join(", ", files.Select(CloudTrailView.Literal)) + "]";

    /// <summary>From now on DuckDB writes each query's profile (bytes read, files scanned) to this file.</summary>
    private void EnableProfiling(string profileFile)
    {
        Execute("PRAGMA enable_profiling = 'json'");
        Execute("SET profiling_output = " + CloudTrailView.Literal(profileFile));
        Execute("""SET custom_profiling_settings = '{"TOTAL_BYTES_READ": "true", "OPERATOR_CARDINALITY": "true", "OPERATOR_ROWS_SCANNED": "true", "EXTRA_INFO": "true"}'""");
    }

    private void DisableProfiling() => Execute("PRAGMA disable_profiling");

    private void DisableProfilingQuietly()
    {
        try { DisableProfiling(); } catch (DuckDBException) { /* the connection is going away */ }
    }

    // IrTrail's own statements (the view, the macros, metadata) and the tests' direct DuckDB queries: no checks.

    public void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Runs a query to completion and returns all rows (small metadata queries).</summary>
    public List<object?[]> QueryAll(string sql, CancellationToken cancellationToken = default) =>
        Query(sql, _ => { }, cancellationToken).ToList();

    /// <summary>Runs DuckDB SQL directly; the first callback gives the columns, then rows of converted values.</summary>
    public IEnumerable<object?[]> Query(string sql, Action<IReadOnlyList<QueryColumn>> onColumns, CancellationToken cancellationToken)
    {
        var execution = StartAsync(new QueryRequest(new BoundQuery(sql, [])) { ReadOnly = false }, cancellationToken).GetAwaiter().GetResult();
        try
        {
            onColumns(execution.Columns);
            var e = execution.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) yield return e.Current;
            }
            finally { e.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
        }
        finally { execution.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>DuckDB's message with the position it names (LINE n: ... ^ or "at or near"), as a QueryException.</summary>
    internal static QueryException Rejected(DuckDBException ex)
    {
        int? position = null;
        var m = Regex.Match(ex.Message, @"LINE (\d+):");
        if (m.Success) position = int.Parse(m.Groups[1].Value);
        return new QueryException(ex.Message, QueryEngines.Local, position, ex);
    }

    public void Dispose()
    {
        _connection.Dispose();
        if (_profileFile is not null) try { File.Delete(_profileFile); } catch (IOException) { }
    }
}
