using System.Globalization;
using IrTrail.Core.Query;

namespace IrTrail.Core.Report;

/// <summary>The dashboard over a local Parquet dataset, in the in-process DuckDB.</summary>
public sealed class LocalDashboardSource : IDashboardSource
{
    private readonly LocalQueryEngine _engine;
    private readonly string _root;

    public LocalDashboardSource(string datasetRoot)
    {
        _root = Path.GetFullPath(datasetRoot);
        if (!Directory.Exists(_root))
            throw new DashboardException($"The dataset folder '{_root}' does not exist.", _root);
        if (!Directory.EnumerateFiles(_root, "*.parquet", SearchOption.AllDirectories).Any())
            throw new DashboardException($"The folder '{_root}' holds no Parquet files: convert logs into it first with Convert-IrTrailToParquet.", _root);
        _engine = new LocalQueryEngine();
    }

    public string Description => _root;
    public string Engine => "Local";

    public void Prepare(string select, DateTime? start, DateTime? end, CancellationToken cancellationToken)
    {
        var glob = Path.Combine(_root, "**", "*.parquet").Replace("'", "''");
        var where = new List<string> { "true" };
        // The event_date partition prunes whole folders. eventTime is compared through epoch_us() on purpose: a plain
        // comparison is pushed down to the row-group statistics, and with the converter's current statistics DuckDB
        // 1.5 skips row groups that do hold matching rows (seen on the fixtures: eventTime > X found nothing).
        if (start is { } s)
        {
            where.Add($"event_date >= '{s.ToUniversalTime():yyyy-MM-dd}'");
            where.Add($"epoch_us(eventTime) >= {Micros(s)}");
        }
        if (end is { } e)
        {
            where.Add($"(event_date <= '{e.ToUniversalTime():yyyy-MM-dd}' OR event_date = 'unknown')");
            where.Add($"epoch_us(eventTime) <= {Micros(e)}");
        }
        var sql = $"CREATE OR REPLACE TEMP TABLE ev AS SELECT {select} FROM read_parquet('{glob}', hive_partitioning = true, hive_types_autocast = false, union_by_name = true) WHERE {string.Join(" AND ", where)}";
        Run(sql, cancellationToken);
        // The library's findings query the same `cloudtrail` view Invoke-IrTrailQuery does, in the same window. They
        // read everything in the window anyway, so eventTime is kept out of row-group pruning (safe on any dataset).
        var view = CloudTrailView.Open([_root], cancellationToken);
        view.StartTime = start;
        view.EndTime = end;
        view.TimeStatisticsTrusted = false;
        Run(view.CreateViewSql(), cancellationToken);
    }

    public DashboardTable Run(string sql, CancellationToken cancellationToken)
    {
        IReadOnlyList<QueryColumn> columns = [];
        var rows = _engine.Query(sql, c => columns = c, cancellationToken).Select(Plain).ToList();
        return new DashboardTable { Columns = columns.Select(c => c.Name).ToArray(), Rows = rows };
    }

    public string JsonString(string column, string path) => $"json_extract_string({column}, '{path.Replace("'", "''")}')";

    public string BucketEpochMs(string column, long seconds) =>
        $"(CAST(floor(epoch({column}) / {seconds}) AS BIGINT) * {seconds * 1000})";

    public string TimeText(string column) => $"strftime({column}, '%Y-%m-%d %H:%M:%S')";

    private static string Micros(DateTime t) =>
        ((t.ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10).ToString(CultureInfo.InvariantCulture);

    // HUGEINT sums come back as decimal: the page wants plain numbers.
    private static object?[] Plain(object?[] row)
    {
        for (var i = 0; i < row.Length; i++)
            if (row[i] is decimal d && d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue) row[i] = (long)d;
        return row;
    }

    public void Dispose() => _engine.Dispose();
}
