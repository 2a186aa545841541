using IrTrail.Core.Reading;

namespace IrTrail.Common;

/// <summary>Totals over the sources one command read, for the closing -Verbose line.</summary>
internal sealed class ReadSummary
{
    public int Read;
    public long Events;
    public long RecordErrors;
    public readonly List<(string Source, string Reason)> Skipped = [];
    public readonly List<(string Source, string Reason)> Failed = [];

    public void Add(SourceReadResult r)
    {
        RecordErrors += r.RecordErrors;
        if (r.Fault is not null) Failed.Add((r.Source, r.Fault.Message));
        else if (r.SkippedReason is not null) Skipped.Add((r.Source, r.SkippedReason));
        else Read++;
    }

    public string Describe(TimeSpan elapsed)
    {
        var why = Skipped.GroupBy(s => s.Reason).Select(g => $"{g.Count():N0} {g.Key}");
        var text = $"Summary: {Read:N0} files read, {Skipped.Count:N0} skipped{(Skipped.Count > 0 ? " (" + string.Join("; ", why) + ")" : "")}, " +
                   $"{Failed.Count:N0} failed, {Events:N0} events emitted";
        if (RecordErrors > 0) text += $", {RecordErrors:N0} records not CloudTrail";
        text += $", in {elapsed.TotalSeconds:N1} s.";
        if (Failed.Count > 0) text += " Failed: " + string.Join("; ", Failed.Take(10).Select(f => f.Source)) + (Failed.Count > 10 ? "; ..." : ".");
        return text;
    }
}
