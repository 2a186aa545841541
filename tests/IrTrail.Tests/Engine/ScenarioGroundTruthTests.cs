using System.Collections;
using System.Text.Json;
using IrTrail.Core.Query;
using IrTrail.Core.Sample;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// Each planted scenario of New-IrTrailSampleData is found by the library queries aimed at it (checked against
/// ground-truth.json), and the same background without scenarios raises no hits in those queries.
/// </summary>
public class ScenarioGroundTruthTests
{
    /// <summary>Scenario → queries that must return its events (by eventID).</summary>
    private static readonly Dictionary<string, string[]> Aimed = new()
    {
        ["MaliciousIp"] = ["talk-malicious-ip"],
        ["InstanceRoleS3Enumeration"] = ["ec2-role-events"],
        ["Persistence"] = ["persistence-principals-created", "persistence-credentials-added", "persistence-policy-changes", "persistence-iam-changes"],
        ["DefenseEvasion"] = ["evasion-cloudtrail", "evasion-guardduty"],
        ["ConsoleLoginWithoutMfa"] = ["identity-console-login-no-mfa", "identity-root-activity", "persistence-mfa-removal"],
        ["Exfiltration"] = ["exfil-snapshot-ami-sharing", "exfil-s3-objects-read"],
        ["S3Ransomware"] = ["impact-s3-versioning-suspended", "impact-s3-foreign-kms-encryption", "impact-ransom-note"],
        ["ApiErrors"] = ["talk-api-errors"],
        ["ExposedAccessKey"] = ["ioc-access-key", "timeline-access-key"],
    };

    private static async Task<(string Logs, string Dataset)> Make(bool scenarios)
    {
        var root = DatasetTestHelpers.TempDir();
        new SampleDataGenerator(new SampleDataOptions
        {
            OutputPath = root, EventCount = 3000, Duration = TimeSpan.FromHours(4), Seed = 11,
            Scenarios = scenarios ? SampleScenarios.Names : [],
        }).Generate();
        var ds = DatasetTestHelpers.TempDir();
        await DatasetTestHelpers.ConvertAsync(Path.Combine(root, "AWSLogs"), ds);
        return (root, ds);
    }

    private static List<Dictionary<string, object?>> Run(IQueryEngine s, QueryDefinition q, IDictionary? args = null) => QueryRows.Run(s, q, args);

    private static CloudTrailView WindowOf(string ds, JsonElement sc)
    {
        var v = CloudTrailView.Open([ds]);
        v.StartTime = sc.GetProperty("startTime").GetDateTime().ToUniversalTime();
        v.EndTime = sc.GetProperty("endTime").GetDateTime().ToUniversalTime();
        return v;
    }

    [Fact]
    public async Task Planted_scenarios_are_found_by_the_queries_aimed_at_them()
    {
        var (root, ds) = await Make(scenarios: true);
        using var truth = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, SampleDataGenerator.GroundTruthFileName)));
        var lib = QueryLibraryTests.Library();
        using var s = new LocalQueryEngine(CloudTrailView.Open([ds]));
        var failures = new List<string>();
        foreach (var sc in truth.RootElement.GetProperty("scenarios").EnumerateArray())
        {
            var name = sc.GetProperty("name").GetString()!;
            var ids = sc.GetProperty("eventIds").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
            var found = new HashSet<string>();
            foreach (var qn in Aimed[name])
            {
                // Pivot values come from the scenario's actors, as a responder would have them.
                var args = new Hashtable();
                var keys = sc.GetProperty("actors").GetProperty("accessKeyIds").EnumerateArray().Select(e => e.GetString()).ToList();
                if (lib.Find(qn)!.Parameters.Any(p => p.Name == "AccessKeyId" && p.Required)) args["AccessKeyId"] = keys.FirstOrDefault();
                // talk-api-errors shows the latest 25 errors: look at the scenario's window, as -StartTime/-EndTime do.
                using var windowed = new LocalQueryEngine(WindowOf(ds, sc));
                var all = Run(qn == "talk-api-errors" ? windowed : s, lib.Find(qn)!, args);
                var hits = all.Select(r => r["eventID"] as string).Where(ids.Contains).ToList();
                if (hits.Count == 0) failures.Add($"{name}: {qn} found none of its {ids.Count} events ({all.Count} rows, first {all.FirstOrDefault()?["eventTime"]} {all.FirstOrDefault()?["eventID"]}; window {windowed.View!.StartTime:o}..{windowed.View!.EndTime:o})");
                found.UnionWith(hits!);
            }
        }
        // The aggregate queries name the planted actors.
        var ec2 = truth.RootElement.GetProperty("scenarios").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "InstanceRoleS3Enumeration");
        var principals = Run(s, lib.Find("talk-ec2-role-list-buckets")!).Select(r => (string)r["principalId"]!).ToList();
        if (!ec2.GetProperty("actors").GetProperty("principals").EnumerateArray().Any(p => principals.Any(x => p.GetString()!.Contains(x) || x.Contains(p.GetString()!.Split('/').Last()))))
            failures.Add("InstanceRoleS3Enumeration: talk-ec2-role-list-buckets does not name the instance session");
        var bulk = Run(s, lib.Find("exfil-s3-bulk-reads")!);
        if (bulk.Count == 0) failures.Add("Exfiltration: exfil-s3-bulk-reads found no bulk download");
        var deletes = Run(s, lib.Find("impact-bulk-deletes")!);
        if (deletes.Count == 0) failures.Add("S3Ransomware: impact-bulk-deletes found no bulk delete");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task The_background_alone_raises_no_hits_in_the_scenario_queries()
    {
        var (_, ds) = await Make(scenarios: false);
        var lib = QueryLibraryTests.Library();
        using var s = new LocalQueryEngine(CloudTrailView.Open([ds]));
        // Not detections: talk-api-errors lists the latest errors of any kind, root activity and IAM changes happen in
        // normal background, and the listing/pivot queries return whatever the pivot names.
        var detections = Aimed.Values.SelectMany(x => x).Where(n => n != "talk-api-errors" && n != "exfil-s3-objects-read" && n != "ec2-role-events" && n != "persistence-iam-changes" && n != "identity-root-activity" && n != "ioc-access-key" && n != "timeline-access-key")
            .Concat(["talk-ec2-role-list-buckets", "exfil-s3-bulk-reads", "impact-bulk-deletes"]).Distinct();
        var noisy = detections.Select(n => (n, rows: Run(s, lib.Find(n)!).Count)).Where(x => x.rows > 0).Select(x => $"{x.n}: {x.rows} rows").ToList();
        Assert.True(noisy.Count == 0, string.Join("\n", noisy));
    }
}
