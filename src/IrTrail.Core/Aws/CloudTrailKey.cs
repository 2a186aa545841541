using System.Globalization;
using System.Text.RegularExpressions;

namespace IrTrail.Core.Aws;

/// <summary>What the standard CloudTrail key layout says about one object.</summary>
public sealed record CloudTrailKeyInfo(string? OrganizationId, string Account, LogFileKind Kind, string Region, DateTime Date);

/// <summary>
/// Parses keys in CloudTrail's delivery layout:
/// <c>[prefix/]AWSLogs/[o-org/]&lt;account&gt;/CloudTrail|CloudTrail-Digest|CloudTrail-Insight/&lt;region&gt;/YYYY/MM/DD/file</c>.
/// </summary>
public static partial class CloudTrailKey
{
    [GeneratedRegex(@"(?:^|/)AWSLogs/(?:(?<org>o-[a-z0-9]{10,32})/)?(?<acct>\d{12})/(?<kind>CloudTrail|CloudTrail-Digest|CloudTrail-Insight)/(?<region>[a-z0-9-]+)/(?<y>\d{4})/(?<m>\d{2})/(?<d>\d{2})/[^/]+$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    public static CloudTrailKeyInfo? TryParse(string key)
    {
        var m = KeyPattern().Match(key.Replace('\\', '/'));
        if (!m.Success) return null;
        if (!DateTime.TryParseExact($"{m.Groups["y"].Value}-{m.Groups["m"].Value}-{m.Groups["d"].Value}", "yyyy-MM-dd",
                CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
            return null;
        return new CloudTrailKeyInfo(m.Groups["org"].Success ? m.Groups["org"].Value : null, m.Groups["acct"].Value,
            ParseKind(m.Groups["kind"].Value), m.Groups["region"].Value, DateTime.SpecifyKind(date, DateTimeKind.Utc));
    }

    public static LogFileKind ParseKind(string folder) => folder switch
    {
        "CloudTrail-Digest" => LogFileKind.Digest,
        "CloudTrail-Insight" => LogFileKind.Insight,
        _ => LogFileKind.Log,
    };

    public static string KindFolder(LogFileKind kind) => kind switch
    {
        LogFileKind.Digest => "CloudTrail-Digest",
        LogFileKind.Insight => "CloudTrail-Insight",
        _ => "CloudTrail",
    };
}
