using IrTrail.Core.Model;

namespace IrTrail.Core.Reading;

/// <summary>What reading a source yields: an event, or an issue to report (reading goes on unless it is fatal).</summary>
public readonly record struct ReadItem(CloudTrailEvent? Event, ReadIssue? Issue);

/// <summary>A problem in one source: a fault that ended reading it, a skipped record, or a skipped file.</summary>
public sealed record ReadIssue(string Source, ReadFaultKind Kind, string Message, long? ByteOffset, long? RecordIndex, bool EndedSource, Exception? Exception = null);

/// <summary>How one source went.</summary>
public sealed class SourceReadResult
{
    public required string Source { get; init; }
    public FileShape Shape { get; set; }
    public bool Compressed { get; set; }
    public long Records { get; set; }
    public long EventsEmitted { get; set; }
    public long RecordErrors { get; set; }
    public long BytesRead { get; set; }
    /// <summary>Why the source was skipped (a digest file, an empty file); null when it was read.</summary>
    public string? SkippedReason { get; set; }
    /// <summary>The fault that stopped reading, if any (events before it were still emitted).</summary>
    public ReadIssue? Fault { get; set; }
}
