using IrTrail.Core.Query;
using IrTrail.Core.Report;
using IrTrail.Tests.Engine;
using IrTrail.Tests.Support;
using T = IrTrail.Core.Report.DashboardBuilder.Tables;

namespace IrTrail.Tests.Report;

/// <summary>The dashboard's aggregates against known data: the fixtures, the sample ground truth, the SANS lab.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBuilderTests(DashboardDatasets data)
{
    internal static QueryLibrary Library() => QueryLibrary.Load([Path.Combine(TestPaths.RepoRoot, "module", "queries")]);

    internal static DashboardModel Build(string root, DashboardOptions? options = null)
    {
        options ??= new DashboardOptions();
        using var engine = LocalDashboard.Open(root, options.StartTime, options.EndTime, CancellationToken.None);
        return new DashboardBuilder(engine, Library()).Build(options, CancellationToken.None);
    }

    /// <summary>Events of the sample, once per eventID, as the record reader gives them.</summary>
    private IEnumerable<IrTrail.Core.Model.CloudTrailEvent> SampleEvents => data.SampleEvents.DistinctBy(e => e.EventID);

    private static long Sum(DashboardTable t, string column) => t.Records().Sum(r => Convert.ToInt64(r[column]));

    private static long Count(string root, string where = "true") =>
        Convert.ToInt64(DatasetTestHelpers.Scalar(root, $"SELECT count(*) FROM cloudtrail WHERE {where}"));

    [Fact]
    public void Fixture_totals_match_the_dataset_and_every_event_is_in_the_timeline_and_heatmap()
    {
        var m = Build(data.Fixtures);
        Assert.Equal(Count(data.Fixtures), m.EventCount);
        Assert.Equal(Count(data.Fixtures, "errorCode IS NOT NULL"), m.ErrorCount);
        Assert.Equal(1, m.ErrorCount); // RunInstances, Client.UnauthorizedOperation
        Assert.Equal(m.EventCount, Sum(m.Tables[T.Timeline], "events"));
        Assert.Equal(m.EventCount, Sum(m.Tables[T.TimelineBySource], "events"));
        Assert.Equal(m.EventCount, Sum(m.Tables[T.AccountRegion], "events"));
        var cell = Assert.Single(m.Tables[T.AccountRegion].Records());
        Assert.Equal("111122223333", cell["account"]);
        Assert.Equal("us-east-1", cell["region"]);
        Assert.Equal(new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc), m.FirstEvent);
        Assert.Equal(new DateTime(2024, 3, 3, 12, 0, 2, DateTimeKind.Utc), m.LastEvent);
        Assert.Equal(Version(), m.Version);
        Assert.Equal(data.Fixtures, m.Dataset);
    }

    private static string Version() => typeof(DashboardBuilder).Assembly.GetName().Version!.ToString(3);

    [Fact]
    public void Fixture_top_tables_errors_sign_ins_and_followed_ip()
    {
        var m = Build(data.Fixtures, new DashboardOptions { IpAddresses = ["5.205.62.253"] });
        var error = Assert.Single(m.Tables[T.TopErrorCodes].Records());
        Assert.Equal("Client.UnauthorizedOperation", error["errorCode"]);
        Assert.Equal(1L, error["events"]);
        var apiError = Assert.Single(m.Tables[T.ApiErrors].Records());
        Assert.Equal("RunInstances", apiError["eventName"]);
        Assert.Equal("arn:aws:iam::111122223333:user/alice", apiError["principal"]);

        var ip = Assert.Single(m.Tables[T.IpActivity].Records());
        Assert.Equal("CreateUser", ip["eventName"]);
        Assert.False(m.IpAddressesChosen);

        var top = m.Tables[T.TopEventNames].Records().First();
        var expectedTop = DatasetTestHelpers.Scalar(data.Fixtures, "SELECT eventName FROM cloudtrail GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
        Assert.Equal(expectedTop, top["eventName"]);
        Assert.Equal(Count(data.Fixtures, $"eventName = '{expectedTop}'"), top["events"]);

        var principal = Assert.Single(m.Tables[T.TopPrincipals].Records());
        Assert.Equal(m.EventCount, principal["events"]);
        Assert.Equal(Count(data.Fixtures, "readOnly = false"), principal["writes"]);
        Assert.Equal(1L, m.Tables[T.ConsoleSignins].Rows.Count);
        // The fixtures' one CreateUser (read from the files, not through SQL) is the one principal created.
        var created = Directory.EnumerateFiles(TestPaths.FixtureLogs).SelectMany(f => Reading.ReadFile(f).Events).Count(e => e.EventName == "CreateUser");
        Assert.Equal(1, created);
        Assert.Equal(created, m.Findings.Single(f => f.Name == "persistence-principals-created").Hits);
        Assert.Empty(m.Tables[T.RootActivity].Rows);
    }

    [Fact]
    public void Time_range_limits_every_aggregate()
    {
        var start = new DateTime(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc);
        var m = Build(data.Fixtures, new DashboardOptions { StartTime = start });
        Assert.Equal(Count(data.Fixtures, "epoch(eventTime) >= 1709337600"), m.EventCount);
        Assert.True(m.FirstEvent >= start, $"first event {m.FirstEvent:o} before {start:o}");
        Assert.Equal(0, m.ErrorCount);
        Assert.Equal(m.EventCount, Sum(m.Tables[T.Timeline], "events"));
        var none = Build(data.Fixtures, new DashboardOptions { StartTime = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc) });
        Assert.Equal(0, none.EventCount);
        Assert.Empty(none.Tables[T.Timeline].Rows);
    }

    [Fact]
    public void Sample_dataset_matches_the_generator_ground_truth()
    {
        var truth = data.GroundTruth.RootElement;
        var malicious = truth.GetProperty("maliciousIp").GetString()!;
        var m = Build(data.Sample, new DashboardOptions { IpAddresses = [malicious] });

        Assert.Equal(truth.GetProperty("events").GetInt64(), m.EventCount);
        Assert.Equal(truth.GetProperty("accounts").GetArrayLength(), m.Accounts);
        Assert.Equal(m.EventCount, Sum(m.Tables[T.Timeline], "events"));

        // Every panel has something to show on the sample.
        foreach (var (name, table) in m.Tables) Assert.True(table.Rows.Count > 0, $"table {name} is empty");

        // Talk metric 2: every planted event from the malicious IP is counted.
        var maliciousEvents = Count(data.Sample, $"sourceIPAddress = '{malicious}'");
        Assert.Equal(maliciousEvents, Sum(m.Tables[T.IpActivity], "events"));
        Assert.True(maliciousEvents >= data.Scenario("MaliciousIp").GetProperty("eventCount").GetInt64());

        // Talk metric 3: the instance role's planted bucket listing.
        var s3 = data.Scenario("InstanceRoleS3Enumeration");
        var s3Principals = s3.GetProperty("actors").GetProperty("principals").EnumerateArray().Select(p => p.GetString()).ToHashSet();
        Assert.Contains(m.Tables[T.InstanceRoleS3].Records(), r => s3Principals.Contains((string?)r["session"]) || s3Principals.Contains((string?)r["role"]));

        // Root activity and console sign-in without MFA.
        var noMfa = data.Scenario("ConsoleLoginWithoutMfa");
        var noMfaIp = noMfa.GetProperty("actors").GetProperty("sourceIPAddresses")[0].GetString();
        Assert.Contains(m.Tables[T.RootActivity].Records(), r => (string?)r["sourceIPAddress"] == noMfaIp);
        Assert.Contains(m.Tables[T.ConsoleSignins].Records(), r => (string?)r["sourceIPAddress"] == noMfaIp && (string?)r["mfaUsed"] == "No" && (string?)r["outcome"] == "Success");

        // One-pass findings carry MITRE ids the ground truth names for the planted scenarios.
        var onePass = Build(data.Sample, new DashboardOptions { Findings = FindingsMode.OnePass });
        var hits = onePass.Findings.Where(f => f.Hits > 0).ToDictionary(f => f.Name);
        foreach (var (finding, scenario) in new[]
                 {
                     ("evasion-cloudtrail", "DefenseEvasion"), ("identity-root-activity", "ConsoleLoginWithoutMfa"),
                     ("identity-console-login-no-mfa", "ConsoleLoginWithoutMfa"), ("persistence-principals-created", "Persistence"),
                 })
        {
            Assert.True(hits.ContainsKey(finding), $"no hits for {finding}");
            var techniques = data.Scenario(scenario).GetProperty("techniques").EnumerateArray().Select(t => t.GetProperty("id").GetString()).ToHashSet();
            Assert.True(hits[finding].Mitre.Any(techniques.Contains), $"{finding} shares no MITRE id with {scenario}");
            Assert.InRange(hits[finding].Examples.Rows.Count, 1, 5);
        }
        // CloudTrail's own tampering calls (its API reference, not the query's text), counted by the record reader.
        string[] tampering = ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors", "DeleteEventDataStore", "StopEventDataStoreIngestion", "UpdateEventDataStore"];
        var tamper = SampleEvents.Count(e => tampering.Contains(e.EventName));
        Assert.True(tamper >= data.Scenario("DefenseEvasion").GetProperty("eventNames").EnumerateArray().Count(n => tampering.Contains(n.GetString())));
        Assert.Equal(tamper, hits["evasion-cloudtrail"].Hits);
    }

    [Fact]
    public void Without_ip_addresses_the_busiest_external_ips_are_followed()
    {
        var m = Build(data.Sample);
        Assert.True(m.IpAddressesChosen);
        Assert.InRange(m.IpAddresses.Count, 1, 3);
        Assert.All(m.IpAddresses, ip => Assert.DoesNotContain("amazonaws.com", ip));
        Assert.DoesNotContain(m.Tables[T.TopSourceIps].Records(), r => ((string)r["sourceIPAddress"]!).EndsWith("amazonaws.com", StringComparison.Ordinal));
        Assert.DoesNotContain(m.Tables[T.TopPrincipals].Records(), r => (string?)r["identityType"] == "AWSService");
    }

    [Fact]
    public void Rendered_page_is_one_file_with_the_library_and_data_inline()
    {
        var m = Build(data.Sample);
        var html = DashboardRenderer.Render(m);
        Assert.Contains("<script type=\"application/json\" id=\"irtrail-data\">", html);
        Assert.DoesNotContain("{{", html.Replace("{{TITLE}}", "", StringComparison.Ordinal)[..2000]);
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("echarts", html);
        Assert.Contains("default-src 'none'", html);
    }

    [Fact]
    public void Title_is_escaped_and_data_cannot_close_its_script_element()
    {
        var m = Build(data.Fixtures, new DashboardOptions { Title = "<b>case</b> & \"x\"", IpAddresses = ["</script><script>alert(1)</script>"] });
        var html = DashboardRenderer.Render(m);
        Assert.Contains("<title>&lt;b&gt;case&lt;/b&gt; &amp; &quot;x&quot;</title>", html);
        Assert.DoesNotContain("</script><script>alert(1)", html);
    }

    [Fact]
    public void Missing_or_empty_dataset_is_a_clear_error()
    {
        var missing = Path.Combine(data.Root, "nope");
        var ex = Assert.Throws<DashboardException>(() => LocalDashboard.Open(missing, null, null, CancellationToken.None));
        Assert.Contains("does not exist", ex.Message);
        var empty = Directory.CreateDirectory(Path.Combine(data.Root, "empty")).FullName;
        ex = Assert.Throws<DashboardException>(() => LocalDashboard.Open(empty, null, null, CancellationToken.None));
        Assert.Contains("no Parquet files", ex.Message);
        Assert.Equal(empty, ex.Target);
    }

    [SharedDataFact]
    public async Task Sans_lab_totals_match_the_dataset()
    {
        var logs = Path.Combine(TestPaths.SharedData!, "sans504-s3-ransomware-lab");
        if (!Directory.Exists(logs)) return; // SharedDataFact already skips when ../shared is absent
        var root = Path.Combine(data.Root, "sans");
        await DatasetTestHelpers.ConvertAsync(logs, root);
        var m = Build(root);
        Assert.Equal(Count(root), m.EventCount);
        Assert.True(m.EventCount > 1000);
        Assert.Equal(Count(root, "errorCode IS NOT NULL"), m.ErrorCount);
        Assert.Equal(m.EventCount, Sum(m.Tables[T.Timeline], "events"));
        var expectedTop = DatasetTestHelpers.Scalar(root, "SELECT eventName FROM cloudtrail GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
        Assert.Equal(expectedTop, m.Tables[T.TopEventNames].Records().First()["eventName"]);
        Assert.Equal(Count(root, "eventName = 'ConsoleLogin'"), Sum(m.Tables[T.ConsoleSigninSummary], "events"));
    }

    [Fact]
    public void Library_findings_catch_every_planted_scenario_with_its_MITRE_ids_worst_first()
    {
        var lib = Library();
        var detections = DashboardBuilder.Detections(lib, QueryEngines.Local);
        Assert.Equal(lib.Queries.Count(q => q.Kind == QueryKind.Detection && q.Parameters.All(p => !p.Required)), detections.Count);
        Assert.All(detections, d => Assert.Equal(QueryKind.Detection, d.Kind));
        var m = Build(data.Sample, new DashboardOptions { Findings = FindingsMode.Library });
        Assert.Equal(detections.Count, m.Findings.Count);
        Assert.Contains("query library", m.FindingsSource);
        var hits = m.Findings.Where(f => f.Hits > 0).ToList();
        foreach (var scenario in data.GroundTruth.RootElement.GetProperty("scenarios").EnumerateArray())
        {
            var name = scenario.GetProperty("name").GetString();
            var techniques = scenario.GetProperty("techniques").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToHashSet();
            // A finding covers a scenario when it shares a technique (or its parent: T1078 covers T1078.004).
            Assert.True(hits.Any(f => f.Mitre.Any(t => techniques.Any(g => g == t || g.StartsWith(t + ".") || t.StartsWith(g + ".")))),
                $"no library finding with hits shares a MITRE id with scenario {name} ({string.Join(", ", techniques)})");
        }
        foreach (var f in hits)
        {
            Assert.InRange(f.Examples.Rows.Count, 1, 5);
            Assert.True(f.Hits >= f.Examples.Rows.Count);
            Assert.DoesNotContain("__hits", f.Examples.Columns);
        }
        // The count is the query's own row count: the talk's query shows the latest 25 of its four error codes (the
        // talk's list), counted here by the record reader.
        string[] talkCodes = ["Client.UnauthorizedOperation", "Client.InvalidPermission.NotFound", "Client.OperationNotPermitted", "AccessDenied"];
        Assert.Equal(Math.Min(25, SampleEvents.Count(e => talkCodes.Contains(e.ErrorCode))), m.Findings.Single(f => f.Name == "talk-api-errors").Hits);
        // Ranked by severity, not by hits: every finding's severity is at least the next one's.
        var ranks = m.Findings.Select(f => Enum.Parse<QuerySeverity>(f.Severity)).ToList();
        Assert.Equal(ranks.OrderByDescending(r => r), ranks);
        Assert.Equal(QuerySeverity.Critical, ranks[0]);
        var tampering = m.Findings.FindIndex(f => f.Name == "evasion-cloudtrail");
        Assert.True(m.Findings.Take(tampering).All(f => f.Severity == "Critical"), "a lower severity ranks above CloudTrail tampering");
    }

    [Fact]
    public void One_pass_hits_equal_the_library_listings_they_stand_for()
    {
        var library = Build(data.Sample, new DashboardOptions { Findings = FindingsMode.Library }).Findings.ToDictionary(f => f.Name);
        var onePass = Build(data.Sample, new DashboardOptions { Findings = FindingsMode.OnePass });
        Assert.Contains("one pass", onePass.FindingsSource);
        Assert.True(onePass.Findings.Count >= 15, $"{onePass.Findings.Count} one-pass findings");
        var lib = Library();
        foreach (var f in onePass.Findings)
        {
            var q = lib.Find(f.Name)!;
            Assert.Equal(QueryKind.Detection, q.Kind);
            Assert.Equal(q.Severity.ToString(), f.Severity);
            Assert.Equal(q.Techniques, f.Mitre);
            // Queries that list events (one row per event) must count the same; aggregates count events, not rows.
            if (q.SqlFor(QueryEngines.Local)!.Contains("GROUP BY", StringComparison.Ordinal)) Assert.True(f.Hits >= library[f.Name].Hits, f.Name);
            else Assert.True(library[f.Name].Hits == f.Hits, $"{f.Name}: one pass {f.Hits}, library {library[f.Name].Hits}");
        }
        Assert.Contains(onePass.Findings, f => f.Hits > 0);
    }

    [Fact]
    public void Auto_findings_fall_back_to_one_pass_above_the_event_limit_and_say_so()
    {
        var m = Build(data.Fixtures, new DashboardOptions { LibraryFindingsEventLimit = 3 });
        Assert.Contains("one pass", m.FindingsSource);
        Assert.Contains("-Findings Library", m.FindingsSource);
        var forced = Build(data.Fixtures, new DashboardOptions { LibraryFindingsEventLimit = 3, Findings = FindingsMode.Library });
        Assert.Contains(forced.Findings, f => f.Name == "talk-api-errors");
        Assert.DoesNotContain(m.Findings, f => f.Name == "talk-api-errors");
    }
}
