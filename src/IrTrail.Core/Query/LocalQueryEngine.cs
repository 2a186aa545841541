using System.Data;
using System.Data.Common;
using DuckDB.NET.Data;

namespace IrTrail.Core.Query;

/// <summary>
/// The local engine: an in-process DuckDB. Rows stream out one by one so a consumer can stop early; cancelling the
/// token interrupts the running query inside DuckDB.
/// </summary>
public sealed class LocalQueryEngine : IDisposable
{
    private readonly DuckDBConnection _connection;

    public LocalQueryEngine()
    {
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        // Every timestamp IrTrail shows is UTC, whatever the machine's zone.
        Execute("SET TimeZone = 'UTC'");
    }

    /// <summary>Creates the <c>cloudtrail</c> view over a dataset or raw logs.</summary>
    public void Attach(CloudTrailView view)
    {
        try { Execute(view.CreateViewSql()); }
        catch (DuckDBException ex) { throw Rejected(ex); }
    }

    /// <summary>From now on DuckDB writes each query's profile (bytes read, files scanned) to this file.</summary>
    public void EnableProfiling(string profileFile)
    {
        Execute("PRAGMA enable_profiling = 'json'");
        Execute("SET profiling_output = " + CloudTrailView.Literal(profileFile));
        Execute("""SET custom_profiling_settings = '{"TOTAL_BYTES_READ": "true", "OPERATOR_CARDINALITY": "true", "OPERATOR_ROWS_SCANNED": "true", "EXTRA_INFO": "true"}'""");
    }

    /// <summary>Profiling off again (for metadata queries of our own).</summary>
    public void DisableProfiling() => Execute("PRAGMA disable_profiling");

    /// <summary>Runs a query to completion and returns all rows (small metadata queries).</summary>
    public List<object?[]> QueryAll(string sql, CancellationToken cancellationToken = default) =>
        Query(sql, _ => { }, cancellationToken).ToList();

    public void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Runs a query; the first item describes the columns, the rest are rows of converted values.</summary>
    public IEnumerable<object?[]> Query(string sql, Action<IReadOnlyList<QueryColumn>> onColumns, CancellationToken cancellationToken)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        // Streaming: rows are produced as they are fetched, so stopping early stops the work and memory stays flat.
        cmd.UseStreamingMode = true;
        using var registration = cancellationToken.Register(() => { try { cmd.Cancel(); } catch { /* already finished */ } });
        DbDataReader reader;
        try
        {
            reader = cmd.ExecuteReader();
        }
        catch (DuckDBException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The query was interrupted.", ex, cancellationToken);
        }
        catch (DuckDBException ex)
        {
            throw Rejected(ex);
        }
        using (reader)
        {
            var columns = new QueryColumn[reader.FieldCount];
            for (var i = 0; i < columns.Length; i++) columns[i] = new QueryColumn(reader.GetName(i), reader.GetDataTypeName(i));
            onColumns(columns);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                bool more;
                try { more = reader.Read(); }
                catch (DuckDBException ex) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The query was interrupted.", ex, cancellationToken);
                }
                catch (DuckDBException ex)
                {
                    throw Rejected(ex);
                }
                if (!more) yield break;
                var row = new object?[columns.Length];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : DuckDbValueConverter.Convert(reader.GetValue(i));
                yield return row;
            }
        }
    }

    /// <summary>DuckDB's message with the position it names (LINE n: ... ^ or "at or near"), as a QueryException.</summary>
    internal static QueryException Rejected(DuckDBException ex)
    {
        int? position = null;
        var m = System.Text.RegularExpressions.Regex.Match(ex.Message, @"LINE (\d+):");
        if (m.Success) position = int.Parse(m.Groups[1].Value);
        return new QueryException(ex.Message, "Local", position, ex);
    }

    public void Dispose() => _connection.Dispose();
}
