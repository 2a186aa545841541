namespace IrTrail;

/// <summary>
/// How bad a hit of a library query is, in the usual five steps. Ordered so that sorting descending puts the worst
/// first (<c>Sort-Object Severity -Descending</c>).
/// </summary>
public enum QuerySeverity
{
    /// <summary>Describes the data; a hit is not a finding (inventories, timelines, dashboard panels).</summary>
    Informational,
    /// <summary>Worth knowing; common in normal operation.</summary>
    Low,
    /// <summary>Often legitimate, sometimes the start of an incident: check who and why.</summary>
    Medium,
    /// <summary>Rarely legitimate: persistence, credential access, exposure, disabled defences.</summary>
    High,
    /// <summary>Almost never legitimate and harmful at once: logging stopped, leaving the organisation, ransomware.</summary>
    Critical,
}
