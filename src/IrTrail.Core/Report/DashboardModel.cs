using System.Text.Json.Serialization;

namespace IrTrail.Core.Report;

/// <summary>A bounded table of aggregate rows: what a panel shows (never raw events).</summary>
public sealed class DashboardTable
{
    [JsonPropertyName("columns")] public IReadOnlyList<string> Columns { get; init; } = [];
    [JsonPropertyName("rows")] public List<object?[]> Rows { get; init; } = [];

    /// <summary>The value of a column in a row, by column name.</summary>
    public object? Value(int row, string column)
    {
        var i = Columns.ToList().FindIndex(c => string.Equals(c, column, StringComparison.OrdinalIgnoreCase));
        if (i < 0) throw new ArgumentException($"No column '{column}' in this table ({string.Join(", ", Columns)}).", nameof(column));
        return Rows[row][i];
    }

    /// <summary>Rows as name → value maps (for tests and callers that want named access).</summary>
    public IEnumerable<Dictionary<string, object?>> Records() =>
        Rows.Select(r => Columns.Select((c, i) => (c, v: r[i])).ToDictionary(x => x.c, x => x.v, StringComparer.OrdinalIgnoreCase));
}

/// <summary>One detection's result: how many events matched and a few of them.</summary>
public sealed class DashboardFinding
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("title")] public required string Title { get; init; }
    /// <summary>The library query's severity (critical … informational): the findings are ranked by it.</summary>
    [JsonPropertyName("severity")] public string Severity { get; init; } = "";
    [JsonPropertyName("mitre")] public IReadOnlyList<string> Mitre { get; init; } = [];
    [JsonPropertyName("tags")] public IReadOnlyList<string> Tags { get; init; } = [];
    [JsonPropertyName("hits")] public long Hits { get; set; }
    [JsonPropertyName("examples")] public DashboardTable Examples { get; set; } = new();
}

/// <summary>Everything the dashboard page shows, computed by the engine; the renderer only lays it out.</summary>
public sealed class DashboardModel
{
    [JsonPropertyName("title")] public string Title { get; set; } = "IrTrail dashboard";
    [JsonPropertyName("dataset")] public string Dataset { get; set; } = "";
    [JsonPropertyName("engine")] public string Engine { get; set; } = "";
    [JsonPropertyName("generatedAt")] public DateTime GeneratedAt { get; set; }
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("requestedStart")] public DateTime? RequestedStart { get; set; }
    [JsonPropertyName("requestedEnd")] public DateTime? RequestedEnd { get; set; }
    [JsonPropertyName("firstEvent")] public DateTime? FirstEvent { get; set; }
    [JsonPropertyName("lastEvent")] public DateTime? LastEvent { get; set; }
    [JsonPropertyName("eventCount")] public long EventCount { get; set; }
    [JsonPropertyName("errorCount")] public long ErrorCount { get; set; }
    [JsonPropertyName("accounts")] public long Accounts { get; set; }
    [JsonPropertyName("regions")] public long Regions { get; set; }
    [JsonPropertyName("principals")] public long Principals { get; set; }
    [JsonPropertyName("ipAddresses")] public IReadOnlyList<string> IpAddresses { get; set; } = [];
    /// <summary>True when no -IpAddress was given and the IP panel shows the busiest external IPs instead.</summary>
    [JsonPropertyName("ipAddressesChosen")] public bool IpAddressesChosen { get; set; }
    /// <summary>Seconds per bucket of the timeline.</summary>
    [JsonPropertyName("bucketSeconds")] public long BucketSeconds { get; set; }
    /// <summary>Where the findings come from: one query per library detection, or the one-pass findings query.</summary>
    [JsonPropertyName("findingsSource")] public string FindingsSource { get; set; } = "";
    /// <summary>Named aggregate tables, one or more per panel (see DashboardBuilder for the names).</summary>
    [JsonPropertyName("tables")] public Dictionary<string, DashboardTable> Tables { get; } = new(StringComparer.Ordinal);
    [JsonPropertyName("findings")] public List<DashboardFinding> Findings { get; } = [];
    /// <summary>How long each aggregate took (engine side), for the benchmark and for -Verbose.</summary>
    [JsonIgnore] public List<(string Step, TimeSpan Elapsed)> Timings { get; } = [];
}

/// <summary>What part of the data the dashboard covers and which IPs it follows.</summary>
public sealed class DashboardOptions
{
    public string? Title { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime? EndTime { get; init; }
    public IReadOnlyList<string> IpAddresses { get; init; } = [];
    /// <summary>Rows per top-N table.</summary>
    public int TopRows { get; init; } = 25;
    /// <summary>Rows per detail table (root activity, sign-ins, write actions, the talk's metrics).</summary>
    public int DetailRows { get; init; } = 200;
    /// <summary>Example rows per finding.</summary>
    public int ExampleRows { get; init; } = 5;
    /// <summary>Upper bound on timeline buckets: the bucket width grows with the time span.</summary>
    public int MaxBuckets { get; init; } = 1500;
    /// <summary>Where findings come from (when the builder has library queries).</summary>
    public FindingsMode Findings { get; init; } = FindingsMode.Auto;
    /// <summary>
    /// Above this many events Auto uses the one-pass findings: each library query is a scan of its own (52 of them took
    /// 79 s over 1M events here, against 4 s for everything else).
    /// </summary>
    public long LibraryFindingsEventLimit { get; init; } = 250_000;
}

/// <summary>
/// Library: every detection query of the library, one query each (complete, but a scan each). OnePass: the library's
/// <c>dashboard-quick-findings</c> query, which counts the events matching the filters of the main detection queries
/// in one pass over the dashboard's events. Auto: the library up to <see cref="DashboardOptions.LibraryFindingsEventLimit"/>
/// events in the window, the one pass above it (the page says which, and why).
/// </summary>
public enum FindingsMode { Auto, Library, OnePass }
