using System.Text.Json;
using System.Text.RegularExpressions;

namespace IrTrail.Core.Query;

/// <summary>
/// What one query cost, as its engine measured it: DuckDB's own profiler locally (bytes read, files scanned), a remote
/// engine's own figures (Athena: data scanned, queue/planning/engine time, the execution id, a cost estimate).
/// </summary>
public sealed class QueryStatistics
{
    public string Engine { get; set; } = "Local";
    /// <summary>The remote engine's id for the run (Athena's QueryExecutionId); null locally.</summary>
    public string? ExecutionId { get; set; }
    /// <summary>The library query name, or empty for ad-hoc SQL.</summary>
    public string Query { get; set; } = "";
    /// <summary>Dataset or RawLogs.</summary>
    public string Source { get; set; } = "";
    public string Path { get; set; } = "";
    public TimeSpan Elapsed { get; set; }
    public long Rows { get; set; }
    /// <summary>Bytes DuckDB read from files (compressed, as stored).</summary>
    public long? BytesRead { get; set; }
    /// <summary>Bytes of every file behind the view.</summary>
    public long BytesTotal { get; set; }
    public int? FilesRead { get; set; }
    public int FilesTotal { get; set; }
    /// <summary>Dataset only: row groups in the files read whose eventTime range meets the time window (DuckDB skips the rest).</summary>
    public int? RowGroupsRead { get; set; }
    public int? RowGroupsTotal { get; set; }
    /// <summary>Rows the scans produced before the query's own filters.</summary>
    public long? RowsScanned { get; set; }
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }
    /// <summary>Remote engines: time spent queued before the run started.</summary>
    public TimeSpan? QueueTime { get; set; }
    /// <summary>Remote engines: time spent planning.</summary>
    public TimeSpan? PlanningTime { get; set; }
    /// <summary>Remote engines: time the engine spent running the query.</summary>
    public TimeSpan? EngineTime { get; set; }
    /// <summary>Remote engines that charge by data scanned: the price of this run in US dollars, as the engine bills it.</summary>
    public decimal? EstimatedCost { get; set; }

    /// <summary>Reads DuckDB's JSON profile: total_bytes_read, and per scan "Scanning Files: n/total" and the files read.</summary>
    internal static ProfileFacts ReadProfile(string file)
    {
        var facts = new ProfileFacts();
        if (!File.Exists(file)) return facts;
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        if (doc.RootElement.TryGetProperty("total_bytes_read", out var b) && b.TryGetInt64(out var bytes)) facts.BytesRead = bytes;
        Walk(doc.RootElement, facts);
        return facts;
    }

    private static void Walk(JsonElement node, ProfileFacts facts)
    {
        if (node.TryGetProperty("operator_type", out var t) && t.GetString() == "TABLE_SCAN")
        {
            if (node.TryGetProperty("operator_rows_scanned", out var rs) && rs.TryGetInt64(out var rows)) facts.RowsScanned = (facts.RowsScanned ?? 0) + rows;
            if (node.TryGetProperty("extra_info", out var info) && info.ValueKind == JsonValueKind.Object)
            {
                if (info.TryGetProperty("Scanning Files", out var sf) && Regex.Match(sf.GetString() ?? "", @"^(\d+)/(\d+)$") is { Success: true } m)
                {
                    facts.FilesRead = (facts.FilesRead ?? 0) + int.Parse(m.Groups[1].Value);
                    facts.FilesSeen = (facts.FilesSeen ?? 0) + int.Parse(m.Groups[2].Value);
                }
                else if (info.TryGetProperty("Total Files Read", out var tf) && int.TryParse(tf.GetString(), out var n))
                    facts.FilesRead = (facts.FilesRead ?? 0) + n;
                if (info.TryGetProperty("Filename(s)", out var fn) && fn.GetString() is { } names)
                    foreach (var name in names.Split(", ", StringSplitOptions.RemoveEmptyEntries)) facts.FileNames.Add(name.Trim());
            }
        }
        if (node.TryGetProperty("children", out var children) && children.ValueKind == JsonValueKind.Array)
            foreach (var c in children.EnumerateArray()) Walk(c, facts);
    }

    internal sealed class ProfileFacts
    {
        public long? BytesRead;
        public int? FilesRead, FilesSeen;
        public long? RowsScanned;
        public HashSet<string> FileNames { get; } = new(StringComparer.Ordinal);
    }
}
