namespace IrTrail.Core.Dataset;

/// <summary>What to convert into and how.</summary>
public sealed class ConversionOptions
{
    public required string Destination { get; init; }
    /// <summary>Keep second copies of an eventID (dropped and counted by default).</summary>
    public bool KeepDuplicates { get; init; }
    /// <summary>Sources read in parallel.</summary>
    public int ThrottleLimit { get; init; } = Environment.ProcessorCount;
    /// <summary>How many sources (and bytes) a lazily enumerated input holds, for progress; a collection is counted.</summary>
    public int? ExpectedFiles { get; init; }
    public long? ExpectedBytes { get; init; }
    /// <summary>Bytes of rows held in memory while reading before the largest partitions are spilled to a temporary file.</summary>
    public long MemoryBudgetBytes { get; init; } = Tuning("IRTRAIL_CONVERT_BUDGET_MB", 32) * 1024L * 1024;
    /// <summary>Rows per row group at most.</summary>
    public int RowGroupRows { get; init; } = Tuning("IRTRAIL_CONVERT_ROWGROUP", 122_880);
    /// <summary>Bytes of UTF-8 row data per row group at most (bounds the writers' memory).</summary>
    public long RowGroupBytes { get; init; } = Tuning("IRTRAIL_CONVERT_ROWGROUP_MB", 16) * 1024L * 1024;

    /// <summary>Benchmark-only tuning knobs (environment), so a measurement does not need a rebuild.</summary>
    private static int Tuning(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v > 0 ? v : fallback;
    /// <summary>Rows per file at most; a partition with more gets another file.</summary>
    public int FileRows { get; init; } = Tuning("IRTRAIL_CONVERT_FILEROWS", 1_000_000);
    /// <summary>Sets the C heap's thresholds for the writers (<see cref="NativeHeap.Tune"/>; Linux with glibc only).
    /// IRTRAIL_CONVERT_HEAP=default leaves the process's allocator as it is.</summary>
    public bool TuneNativeHeap { get; init; } =
        !string.Equals(Environment.GetEnvironmentVariable("IRTRAIL_CONVERT_HEAP"), "default", StringComparison.OrdinalIgnoreCase);
}

/// <summary>How one source went.</summary>
public sealed class SourceOutcome
{
    public required string Uri { get; init; }
    public long? Size { get; set; }
    public string? Sha256 { get; set; }
    /// <summary>converted, skipped, failed, or unchanged (already in the dataset).</summary>
    public string Status { get; set; } = "converted";
    public long Events { get; set; }
    public long Written { get; set; }
    public long Duplicates { get; set; }
    public long Errors { get; set; }
    public long UnknownTime { get; set; }
    public long UncompressedBytes { get; set; }
    public string? Message { get; set; }
}

/// <summary>The result of a conversion run.</summary>
public sealed class ConversionResult
{
    public string Path { get; set; } = "";
    public int Inputs { get; set; }
    public int FilesRead { get; set; }
    public int FilesSkipped { get; set; }
    public int FilesUnchanged { get; set; }
    public int FilesFailed { get; set; }
    public long EventsIn { get; set; }
    public long EventsWritten { get; set; }
    public long Duplicates { get; set; }
    public long RecordErrors { get; set; }
    public long UnknownTimeEvents { get; set; }
    public int Partitions { get; set; }
    public int FilesWritten { get; set; }
    public long BytesIn { get; set; }
    public long BytesInUncompressed { get; set; }
    public long BytesOut { get; set; }
    public TimeSpan Elapsed { get; set; }
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Math.Round(EventsIn / Elapsed.TotalSeconds) : 0;
    /// <summary>Why files were skipped (a digest file, an empty file), with how many each.</summary>
    public IReadOnlyDictionary<string, int> SkipReasons => _skipReasons;
    internal readonly SortedDictionary<string, int> _skipReasons = new(StringComparer.Ordinal);
    /// <summary>The run's id in the dataset's manifest (its entries' runId; its files are part-&lt;run&gt;-*.parquet).</summary>
    public string RunId { get; init; } = "";
    /// <summary>How each source of this run went (not those already in the dataset, which were not read again). Read from
    /// the dataset's manifest when enumerated, so that a run over millions of files does not hold them all.</summary>
    public IEnumerable<SourceOutcome> Sources => RunId.Length == 0 ? [] : DatasetManifest.ReadRun(Path, RunId).Select(e => new SourceOutcome
    {
        Uri = e.Uri, Size = e.Size, Sha256 = e.Sha256, Status = e.Status, Events = e.Events, Written = e.Written, Duplicates = e.Duplicates,
        Errors = e.Errors, UnknownTime = e.UnknownTime, UncompressedBytes = e.UncompressedBytes, Message = e.Message,
    });
    public IReadOnlyList<string> PartitionPaths { get; set; } = [];
    public bool WhatIf { get; set; }
}

/// <summary>A live view of a running conversion, safe to read from another thread.</summary>
public sealed class ConversionProgress
{
    internal int _filesDone;
    internal long _events;
    internal long _bytesIn;
    public int FilesTotal { get; internal set; }
    public int FilesDone => Volatile.Read(ref _filesDone);
    public long Events => Interlocked.Read(ref _events);
    public long BytesIn => Interlocked.Read(ref _bytesIn);
    public long BytesTotal { get; internal set; }
    public string? Current { get; internal set; }
    public string Phase { get; internal set; } = "Starting";
}
