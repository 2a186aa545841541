namespace IrTrail.Core.Aws;

/// <summary>What Get-IrTrailLogFile looks for: filters the planner turns into listing prefixes.</summary>
public sealed class LogFileQuery
{
    /// <summary>Where to start: "" (top), a trail prefix above AWSLogs/, or a prefix inside the layout.</summary>
    public string Prefix { get; init; } = "";

    public IReadOnlyList<string>? Accounts { get; init; }
    public IReadOnlyList<string>? Regions { get; init; }

    /// <summary>Inclusive; compared with the delivery day in the key (UTC).</summary>
    public DateTime? StartTime { get; init; }

    public DateTime? EndTime { get; init; }

    public IReadOnlyList<LogFileKind> Kinds { get; init; } = [LogFileKind.Log];

    /// <summary>How far above AWSLogs/ to look for it when the prefix is a trail's own key prefix.</summary>
    public int MaxSearchDepth { get; init; } = 3;

    internal DateTime? StartDay => StartTime is { } s ? ToUtc(s).Date : null;
    internal DateTime? EndDay => EndTime is { } e ? ToUtc(e).Date : null;

    /// <summary>Unspecified times are taken as UTC (CloudTrail's clock); local times are converted.</summary>
    public static DateTime ToUtc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Local => t.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        _ => t,
    };

    internal bool Matches(CloudTrailKeyInfo k)
    {
        if (!Kinds.Contains(k.Kind)) return false;
        if (Accounts is { Count: > 0 } && !Accounts.Contains(k.Account, StringComparer.Ordinal)) return false;
        if (Regions is { Count: > 0 } && !Regions.Contains(k.Region, StringComparer.OrdinalIgnoreCase)) return false;
        if (StartDay is { } s && k.Date < s) return false;
        if (EndDay is { } e && k.Date > e) return false;
        return true;
    }
}
