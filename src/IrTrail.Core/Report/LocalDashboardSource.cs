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
        // The same `cloudtrail` view and time window Invoke-IrTrailQuery uses (the library's findings query it too);
        // the panels' projection of it is scanned once into `ev`.
        var view = CloudTrailView.Open([_root], cancellationToken);
        view.StartTime = start;
        view.EndTime = end;
        Run(view.CreateViewSql(), cancellationToken);
        Run($"CREATE OR REPLACE TEMP TABLE ev AS SELECT {select} FROM {CloudTrailView.ViewName}", cancellationToken);
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

    // HUGEINT sums come back as decimal: the page wants plain numbers.
    private static object?[] Plain(object?[] row)
    {
        for (var i = 0; i < row.Length; i++)
            if (row[i] is decimal d && d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue) row[i] = (long)d;
        return row;
    }

    public void Dispose() => _engine.Dispose();
}
