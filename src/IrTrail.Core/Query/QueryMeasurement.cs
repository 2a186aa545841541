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
    /// <summary>The engine both sides ran on (Local, or Athena over two tables).</summary>
    public string Engine { get; set; } = QueryEngines.Local;
    /// <summary>What the raw side read: log files, or a table over raw CloudTrail JSON.</summary>
    public string LogPath { get; set; } = "";
    /// <summary>What the Parquet side read: a dataset folder, or a table over it.</summary>
    public string DatasetPath { get; set; } = "";
    /// <summary>Remote engines that bill by data scanned: both sides' cost, as the engine reported it.</summary>
    public decimal? JsonCost { get; set; }
    public decimal? ParquetCost { get; set; }

    /// <summary>
    /// Runs the query on both engines <paramref name="runs"/> times, alternating which goes first, and keeps the median
    /// times. Data scanned is each engine's own figure (DuckDB's count of bytes read from files; Athena's data scanned).
    /// The raw side should read the logs as they are (no dedupe), like the talk's table over the raw JSON.
    /// </summary>
    internal static QueryMeasurement Run(BoundQuery query, string name, IQueryEngine json, IQueryEngine parquet, int runs, CancellationToken cancellationToken)
    {
        var jt = new List<TimeSpan>();
        var pt = new List<TimeSpan>();
        var m = new QueryMeasurement { Query = name, Runs = runs, Engine = json.Name, LogPath = json.Source, DatasetPath = parquet.Source };
        // Read-only on both sides, typed SQL too: a measurement runs the text several times and has no -WhatIf.
        var request = new QueryRequest(query) { Statistics = true };
        for (var i = 0; i < runs; i++)
        {
            foreach (var side in i % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var result = QueryRunner.Run(side == 0 ? json : parquet, request, cancellationToken);
                var s = result.Statistics ?? throw new InvalidOperationException("The engine gave no statistics for a measured run.");
                // Data scanned is the cold run's: DuckDB caches file data between runs of one session, so later
                // runs report (nearly) nothing read, which is not what the query costs.
                if (side == 0) { jt.Add(s.Elapsed); m.JsonBytesScanned = Math.Max(m.JsonBytesScanned, s.BytesRead ?? 0); m.JsonRows = s.Rows; m.JsonCost ??= s.EstimatedCost; }
                else { pt.Add(s.Elapsed); m.ParquetBytesScanned = Math.Max(m.ParquetBytesScanned, s.BytesRead ?? 0); m.ParquetRows = s.Rows; m.ParquetCost ??= s.EstimatedCost; }
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
