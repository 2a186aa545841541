using System.Globalization;
using System.Text.RegularExpressions;

namespace IrTrail.Core.Integrity;

/// <summary>
/// What a digest file's key says: <c>[prefix/]AWSLogs/[o-org/]&lt;account&gt;/CloudTrail-Digest/&lt;region&gt;/YYYY/MM/DD/
/// &lt;account&gt;_CloudTrail-Digest_&lt;region&gt;_&lt;trail&gt;_&lt;home region&gt;_&lt;YYYYMMDDTHHMMSSZ&gt;[_backfill].json.gz</c>.
/// </summary>
internal sealed record DigestKeyInfo(string Prefix, string? OrganizationId, string Account, string Region, string TrailName, string HomeRegion,
    DateTime EndTime, bool IsBackfill)
{
    /// <summary>The digests one chain walk covers: one trail's digests of one account and region (backfill apart).</summary>
    public ChainId Chain(string? bucket) => new(bucket, Prefix, OrganizationId, Account, Region, TrailName, HomeRegion, IsBackfill);
}

/// <summary>One chain of digest files: as `aws cloudtrail validate-logs` walks them (one trail, account and region).</summary>
internal sealed record ChainId(string? Bucket, string Prefix, string? OrganizationId, string Account, string Region, string TrailName, string HomeRegion, bool IsBackfill);

internal static partial class DigestKey
{
    // Trail names may contain '_'; region names may not, so the home region and time are taken from the end.
    [GeneratedRegex(@"^(?<prefix>(?:.*/)?)AWSLogs/(?:(?<org>o-[a-z0-9]{10,32})/)?(?<acct>\d{12})/CloudTrail-Digest/(?<region>[a-z0-9-]+)/\d{4}/\d{2}/\d{2}/" +
                    @"\k<acct>_CloudTrail-Digest_\k<region>_(?<trail>.+)_(?<home>[a-z]{2}(?:-[a-z]+)+-\d+)_(?<ts>\d{8}T\d{6}Z)(?<backfill>_backfill)?\.json\.gz$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static DigestKeyInfo? TryParse(string key)
    {
        var m = Pattern().Match(key);
        if (!m.Success) return null;
        if (!DateTime.TryParseExact(m.Groups["ts"].Value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var end))
            return null;
        return new DigestKeyInfo(m.Groups["prefix"].Value.TrimEnd('/'), m.Groups["org"].Success ? m.Groups["org"].Value : null, m.Groups["acct"].Value,
            m.Groups["region"].Value, m.Groups["trail"].Value, m.Groups["home"].Value, DateTime.SpecifyKind(end, DateTimeKind.Utc), m.Groups["backfill"].Success);
    }

    /// <summary>
    /// The time in a digest key the way the CLI takes it (a fixed position from the end), for keys that do not parse
    /// as a whole — a previous-digest pointer can name anything.
    /// </summary>
    public static DateTime? TimeOf(string key)
    {
        if (TryParse(key) is { } info) return info.EndTime;
        var backfill = key.EndsWith("_backfill.json.gz", StringComparison.Ordinal);
        var end = key.Length - (backfill ? 17 : 8);
        if (end - 16 < 0) return null;
        return DateTime.TryParseExact(key[(end - 16)..end], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;
    }
}
