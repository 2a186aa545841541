using Xunit;
using System.IO.Compression;
using System.Text;

namespace IrTrail.Tests.Engine;

/// <summary>Small self-made CloudTrail delivery files for tests.</summary>
internal static class CloudTrailFixtures
{
    public static byte[] GzipLog(string account, string region, DateTime time, int events, string tag = "t")
    {
        var sb = new StringBuilder("{\"Records\":[");
        for (var i = 0; i < events; i++)
        {
            if (i > 0) sb.Append(',');
            var t = time.AddSeconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            sb.Append("{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"accountId\":\"").Append(account)
              .Append("\",\"userName\":\"alice\"},\"eventTime\":\"").Append(t).Append("\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",")
              .Append("\"awsRegion\":\"").Append(region).Append("\",\"sourceIPAddress\":\"198.51.100.7\",\"eventID\":\"").Append(tag).Append('-').Append(i)
              .Append("\",\"eventType\":\"AwsApiCall\",\"recipientAccountId\":\"").Append(account).Append("\"}");
        }
        sb.Append("]}");
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        return ms.ToArray();
    }

    public static string Key(string account, string region, DateTime day, string kind = "CloudTrail", string? org = null, string prefix = "", int n = 0) =>
        $"{prefix}AWSLogs/{(org is null ? "" : org + "/")}{account}/{kind}/{region}/{day:yyyy'/'MM'/'dd}/{account}_{kind}_{region}_{day:yyyyMMdd}T{n % 24:00}{n % 60:00}Z_f{n}.json.gz";

    /// <summary>../shared/data/cloudtrail-real (IRTRAIL_SHARED_DATA), or null when absent.</summary>
    public static string? SharedData()
    {
        var env = Environment.GetEnvironmentVariable("IRTRAIL_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "data", "cloudtrail-real");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
