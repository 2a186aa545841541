<#
.SYNOPSIS
    Makes a realistic benchmark corpus of CloudTrail delivery files (.json.gz) by resampling real events.
.DESCRIPTION
    Takes the events of the SANS and invictus-ir sources in ../shared/data/cloudtrail-real, and writes -EventCount
    events drawn from them at random (seeded), each with a fresh eventID and its eventTime moved into a 10-day window,
    as gzip-compressed {"Records":[...]} files laid out like CloudTrail's own delivery
    (AWSLogs/<account>/CloudTrail/<region>/yyyy/MM/dd/<account>_CloudTrail_<region>_<time>_<id>.json.gz), about
    -EventsPerFile events per file, each file one account and region (picked in proportion to the real events). Everything else in each record is kept byte for byte, so blobs, odd types and
    sizes are real (about 1.5 KB of JSON per event). Prints a one-line summary object.
.EXAMPLE
    ./bench/New-BenchCorpus.ps1 -EventCount 1000000 -Path /tmp/corpus-1m
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [ValidateRange(1, 100000000)] [long] $EventCount,
    [Parameter(Mandatory)] [string] $Path,
    [string] $SharedData = (Join-Path $PSScriptRoot '../../shared/data/cloudtrail-real'),
    [int] $EventsPerFile = 1000,
    [int] $Seed = 42
)
$ErrorActionPreference = 'Stop'

if (-not ('IrTrailBench.CorpusMaker' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace IrTrailBench
{
    public static class CorpusMaker
    {
        sealed class Template
        {
            public string Before, Middle, After; // text around eventID and eventTime values
            public bool IdFirst;
            public string Account, Region;
        }

        static List<Template> Load(IEnumerable<string> folders)
        {
            var list = new List<Template>();
            foreach (var folder in folders)
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                if (!(file.EndsWith(".json") || file.EndsWith(".json.gz"))) continue;
                byte[] bytes = File.ReadAllBytes(file);
                if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
                    using (var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress)) using (var ms = new MemoryStream()) { gz.CopyTo(ms); bytes = ms.ToArray(); }
                JsonDocument doc;
                try { doc = JsonDocument.Parse(bytes); } catch (JsonException) { continue; }
                using (doc)
                {
                    JsonElement records;
                    if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("Records", out records)) continue;
                    foreach (var r in records.EnumerateArray())
                    {
                        var t = Make(r);
                        if (t != null) list.Add(t);
                    }
                }
            }
            return list;
        }

        static Template Make(JsonElement r)
        {
            JsonElement id, time;
            if (!r.TryGetProperty("eventID", out id) || !r.TryGetProperty("eventTime", out time) || time.ValueKind != JsonValueKind.String) return null;
            var raw = r.GetRawText();
            var idText = id.GetRawText();
            var timeText = time.GetRawText();
            var idKey = "\"eventID\":";
            var timeKey = "\"eventTime\":";
            var i = raw.IndexOf(idKey + idText, StringComparison.Ordinal);
            var t = raw.IndexOf(timeKey + timeText, StringComparison.Ordinal);
            if (i < 0 || t < 0) return null;
            var tpl = new Template();
            JsonElement acct, region;
            tpl.Account = r.TryGetProperty("recipientAccountId", out acct) && acct.ValueKind == JsonValueKind.String ? acct.GetString() : "000000000000";
            tpl.Region = r.TryGetProperty("awsRegion", out region) && region.ValueKind == JsonValueKind.String ? region.GetString() : "us-east-1";
            int iv = i + idKey.Length, ie = iv + idText.Length, tv = t + timeKey.Length, te = tv + timeText.Length;
            if (iv < tv) { tpl.IdFirst = true; tpl.Before = raw.Substring(0, iv); tpl.Middle = raw.Substring(ie, tv - ie); tpl.After = raw.Substring(te); }
            else { tpl.IdFirst = false; tpl.Before = raw.Substring(0, tv); tpl.Middle = raw.Substring(te, iv - te); tpl.After = raw.Substring(ie); }
            return tpl;
        }

        public static object[] Make(string[] folders, string output, long count, int perFile, int seed)
        {
            var templates = Load(folders);
            if (templates.Count == 0) throw new InvalidOperationException("No events found in " + string.Join(", ", folders));
            var rng = new Random(seed);
            // A delivery file holds one account's events in one region: sample files by (account, region) group.
            var groups = new Dictionary<string, List<Template>>();
            foreach (var t in templates)
            {
                List<Template> g;
                if (!groups.TryGetValue(t.Account + "/" + t.Region, out g)) groups[t.Account + "/" + t.Region] = g = new List<Template>();
                g.Add(t);
            }
            var start = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
            var span = TimeSpan.FromDays(10).Ticks;
            long written = 0, jsonBytes = 0, gzBytes = 0; int files = 0;
            var sb = new StringBuilder(perFile * 2000);
            var idBytes = new byte[16];
            while (written < count)
            {
                var n = (int)Math.Min(perFile, count - written);
                // One delivery file: one account/region's 5-minute window, as CloudTrail writes them.
                var first = templates[rng.Next(templates.Count)];
                var group = groups[first.Account + "/" + first.Region];
                var windowStart = start.AddTicks((long)(rng.NextDouble() * span));
                windowStart = windowStart.AddTicks(-(windowStart.Ticks % TimeSpan.FromMinutes(5).Ticks));
                sb.Clear().Append("{\"Records\":[");
                for (var k = 0; k < n; k++)
                {
                    var tpl = group[rng.Next(group.Count)];
                    rng.NextBytes(idBytes);
                    var id = "\"" + new Guid(idBytes).ToString("D") + "\"";
                    var when = "\"" + windowStart.AddSeconds(rng.Next(300)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") + "\"";
                    if (k > 0) sb.Append(',');
                    sb.Append(tpl.Before).Append(tpl.IdFirst ? id : when).Append(tpl.Middle).Append(tpl.IdFirst ? when : id).Append(tpl.After);
                }
                sb.Append("]}");
                var folder = Path.Combine(output, "AWSLogs", first.Account, "CloudTrail", first.Region, windowStart.ToString("yyyy"), windowStart.ToString("MM"), windowStart.ToString("dd"));
                Directory.CreateDirectory(folder);
                var name = string.Format("{0}_CloudTrail_{1}_{2:yyyyMMdd'T'HHmm'Z'}_{3:x8}.json.gz", first.Account, first.Region, windowStart, rng.Next());
                var bytes = Encoding.UTF8.GetBytes(sb.ToString());
                var target = Path.Combine(folder, name);
                using (var fs = File.Create(target))
                using (var gz = new GZipStream(fs, CompressionLevel.Optimal)) gz.Write(bytes, 0, bytes.Length);
                gzBytes += new FileInfo(target).Length;
                jsonBytes += bytes.Length;
                written += n;
                files++;
            }
            return new object[] { templates.Count, written, files, jsonBytes, gzBytes };
        }
    }
}
'@
}

$folders = @('sans504-s3-ransomware-lab', 'invictus-ir-aws_dataset') | ForEach-Object { Join-Path $SharedData $_ } | Where-Object { Test-Path $_ }
if (-not $folders) { throw "The shared real data is not at '$SharedData' (expected sans504-s3-ransomware-lab and invictus-ir-aws_dataset)." }
$out = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
New-Item -ItemType Directory -Force -Path $out | Out-Null
$clock = [Diagnostics.Stopwatch]::StartNew()
$r = [IrTrailBench.CorpusMaker]::Make([string[]]$folders, $out, $EventCount, $EventsPerFile, $Seed)
[pscustomobject]@{
    Path             = $out
    TemplateEvents   = $r[0]
    Events           = $r[1]
    Files            = $r[2]
    JsonMB           = [math]::Round($r[3] / 1MB, 1)
    GzipMB           = [math]::Round($r[4] / 1MB, 1)
    BytesPerEvent    = [math]::Round($r[3] / $r[1])
    Seconds          = [math]::Round($clock.Elapsed.TotalSeconds, 1)
}
