namespace IrTrail.Core.Query;

/// <summary>The talk's table row: one query over raw JSON and over the Parquet dataset.</summary>
public sealed class QueryMeasurement
{
    public string Query { get; set; } = "";
    /// <summary>Median run time over raw JSON logs.</summary>
    public TimeSpan JsonTime { get; set; }
    public long JsonBytesScanned { get; set; }
    public TimeSpan ParquetTime { get; set; }
    public long ParquetBytesScanned { get; set; }
    public double PercentLessData => JsonBytesScanned > 0 ? Math.Round(100.0 * (1 - (double)ParquetBytesScanned / JsonBytesScanned), 1) : 0;
    public double PercentQuicker => JsonTime.Ticks > 0 ? Math.Round(100.0 * (1 - (double)ParquetTime.Ticks / JsonTime.Ticks), 1) : 0;
    /// <summary>How many times faster the dataset answered.</summary>
    public double Speedup => ParquetTime.Ticks > 0 ? Math.Round((double)JsonTime.Ticks / ParquetTime.Ticks, 1) : 0;
    public long JsonRows { get; set; }
    public long ParquetRows { get; set; }
    public int Runs { get; set; }
    public string LogPath { get; set; } = "";
    public string DatasetPath { get; set; } = "";

    /// <summary>
    /// Runs the query over both sources <paramref name="runs"/> times, alternating which goes first, and keeps the median
    /// times. Bytes are DuckDB's own count of bytes read from files. The raw side reads the logs as they are (no dedupe),
    /// like the talk's table over the raw JSON.
    /// </summary>
    public static QueryMeasurement Run(string name, string sql, CloudTrailView logs, CloudTrailView dataset, int runs, CancellationToken cancellationToken)
    {
        logs.Deduplicate = false;
        using var json = new QuerySession(logs, statistics: true);
        using var parquet = new QuerySession(dataset, statistics: true);
        var jt = new List<TimeSpan>();
        var pt = new List<TimeSpan>();
        var m = new QueryMeasurement { Query = name, Runs = runs, LogPath = logs.Root, DatasetPath = dataset.Root };
        for (var i = 0; i < runs; i++)
        {
            foreach (var side in i % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var session = side == 0 ? json : parquet;
                foreach (var _ in session.Run(sql, name, _ => { }, cancellationToken)) { }
                var s = session.LastStatistics!;
                // Data scanned is the cold run's: DuckDB caches file data between runs of one session, so later
                // runs report (nearly) nothing read, which is not what the query costs.
                if (side == 0) { jt.Add(s.Elapsed); m.JsonBytesScanned = Math.Max(m.JsonBytesScanned, s.BytesRead ?? logs.TotalBytes); m.JsonRows = s.Rows; }
                else { pt.Add(s.Elapsed); m.ParquetBytesScanned = Math.Max(m.ParquetBytesScanned, s.BytesRead ?? 0); m.ParquetRows = s.Rows; }
            }
        }
        m.JsonTime = Median(jt);
        m.ParquetTime = Median(pt);
        return m;
    }

    private static TimeSpan Median(List<TimeSpan> xs)
    {
        xs.Sort();
        return xs.Count % 2 == 1 ? xs[xs.Count / 2] : TimeSpan.FromTicks((xs[xs.Count / 2 - 1].Ticks + xs[xs.Count / 2].Ticks) / 2);
    }
}
