using System.Globalization;
using System.Text;

namespace IrTrail;

/// <summary>What validating one object against CloudTrail's digest files found.</summary>
public enum LogIntegrityStatus
{
    /// <summary>Digest: signature good (and it is the digest the next one chains to). Log: SHA-256 matches its digest.</summary>
    Valid,
    /// <summary>Log: the SHA-256 of its decompressed bytes differs from its digest's. Digest: it is not the digest the
    /// next one in the chain recorded (hash or signature differ).</summary>
    HashMismatch,
    /// <summary>The object is not where CloudTrail delivered it (deleted, or not in the case folder).</summary>
    NotFound,
    /// <summary>Digest: the RSA signature does not verify (content changed, or the signature metadata is missing or altered).</summary>
    SignatureInvalid,
    /// <summary>Digest: it names a different bucket or key than the one it was read from.</summary>
    Moved,
    /// <summary>Digest: no public key with its fingerprint (wrong key, or a digest signed by someone else).</summary>
    KeyNotFound,
    /// <summary>Not one gzip member of JSON as CloudTrail writes it (corrupt, truncated, data after the gzip stream, fields missing).</summary>
    InvalidFormat,
    /// <summary>A period the digest chain does not cover: no log files were delivered (logging or validation off).</summary>
    Gap,
}

/// <summary>Which object a result is about.</summary>
public enum LogIntegrityKind
{
    Digest,
    Log,
    Gap,
}

/// <summary>
/// One digest file, log file or gap, as Test-IrTrailLogIntegrity found it; the same findings
/// <c>aws cloudtrail validate-logs</c> reports, as objects (filter with <c>Where-Object Status -ne 'Valid'</c>).
/// </summary>
public sealed class LogIntegrityResult
{
    public LogIntegrityStatus Status { get; init; }
    public LogIntegrityKind Kind { get; init; }

    /// <summary>s3://bucket/key where CloudTrail delivered the object (null for a gap).</summary>
    public string? Uri { get; init; }

    /// <summary>The file in the case folder, when validating a local copy.</summary>
    public string? LocalPath { get; init; }

    public string? Account { get; init; }
    public string? Region { get; init; }
    public string? TrailName { get; init; }
    public string? OrganizationId { get; init; }

    /// <summary>Digest: the period it covers. Log: its oldest and newest events (as the digest lists them). Gap: the period not covered.</summary>
    public DateTime? StartTime { get; init; }

    public DateTime? EndTime { get; init; }

    /// <summary>Log: the digest that lists it. Digest: the newer digest that chains to it, when it was reached that way.</summary>
    public string? DigestUri { get; init; }

    /// <summary>The SHA-256 (hex) the digest records: a log file's, or a digest's in the next digest of the chain.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>The SHA-256 (hex) of the object's decompressed bytes, when they could be read.</summary>
    public string? ActualSha256 { get; init; }

    /// <summary>From a backfill digest chain (CloudTrail's late-delivered digests).</summary>
    public bool IsBackfill { get; init; }

    /// <summary>What was found, in words.</summary>
    public string Message { get; init; } = "";

    public override string ToString() => Kind == LogIntegrityKind.Gap ? Message : $"{Status}: {Uri}";
}

/// <summary>The totals of one Test-IrTrailLogIntegrity run, as <c>aws cloudtrail validate-logs</c> prints them.</summary>
public sealed class LogIntegritySummary
{
    /// <summary>What was validated: s3://bucket/prefix or a folder.</summary>
    public string Source { get; set; } = "";

    public DateTime? RequestedStartTime { get; set; }
    public DateTime RequestedEndTime { get; set; }

    /// <summary>The period valid digests cover (within the requested one); null when no digest was valid.</summary>
    public DateTime? FoundStartTime { get; set; }

    public DateTime? FoundEndTime { get; set; }

    public int DigestFiles { get; set; }
    public int ValidDigestFiles { get; set; }
    public int InvalidDigestFiles => DigestFiles - ValidDigestFiles;
    public int BackfillDigestFiles { get; set; }
    public int ValidBackfillDigestFiles { get; set; }
    public int InvalidBackfillDigestFiles => BackfillDigestFiles - ValidBackfillDigestFiles;
    public int LogFiles { get; set; }
    public int ValidLogFiles { get; set; }
    public int InvalidLogFiles => LogFiles - ValidLogFiles;
    public int Gaps { get; set; }

    /// <summary>Objects that could not be checked at all (access denied, throttling, network): each was an error record.</summary>
    public int NotChecked { get; set; }

    /// <summary>Every digest and log file checked is valid, nothing was left unchecked, and at least one digest was found.</summary>
    public bool IsValid => DigestFiles + BackfillDigestFiles > 0 && InvalidDigestFiles == 0 && InvalidBackfillDigestFiles == 0 && InvalidLogFiles == 0 && NotChecked == 0;

    /// <summary>Every result that is not Valid (gaps included), for a runbook to act on.</summary>
    public List<LogIntegrityResult> Findings { get; } = [];

    public override string ToString()
    {
        static string T(DateTime? t) => t?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "the first digest";
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"Results requested for {T(RequestedStartTime)} to {T(RequestedEndTime)}");
        if (DigestFiles + BackfillDigestFiles == 0) return s.Append(": no digests found").ToString();
        s.Append(FoundStartTime is null ? "; no valid digests found in range" : $"; results found for {T(FoundStartTime)} to {T(FoundEndTime)}");
        Ratio(s, ValidDigestFiles, DigestFiles, "digest");
        Ratio(s, ValidBackfillDigestFiles, BackfillDigestFiles, "backfill digest");
        Ratio(s, ValidLogFiles, LogFiles, "log");
        if (Gaps > 0) s.Append(CultureInfo.InvariantCulture, $"; {Gaps} gap{(Gaps == 1 ? "" : "s")} in the digest chain");
        if (NotChecked > 0) s.Append(CultureInfo.InvariantCulture, $"; {NotChecked} object{(NotChecked == 1 ? "" : "s")} NOT CHECKED (see the errors)");
        return s.ToString();
    }

    private static void Ratio(StringBuilder s, int valid, int total, string name)
    {
        if (total == 0) return;
        s.Append(CultureInfo.InvariantCulture, $"; {valid}/{total} {name} files valid");
        if (total > valid) s.Append(CultureInfo.InvariantCulture, $", {total - valid}/{total} {name} files INVALID");
    }
}
