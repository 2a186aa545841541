using System.Collections;
using IrTrail.Core.Model;
using IrTrail.Core.Query;
using IrTrail.Core.Sample;
using IrTrail.Core.Sources;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// Every library query runs on DuckDB over New-IrTrailSampleData output (every planted scenario), and a query of each
/// kind returns exactly what IrTrail's record reader — no SQL — says it should.
/// </summary>
[Trait("Tier", "Full")]
public class LibraryOnSampleTests
{
    private sealed record Sample(string Logs, string Dataset, List<CloudTrailEvent> Events);

    private static readonly Lazy<Sample> Data = new(() =>
    {
        var root = DatasetTestHelpers.TempDir();
        var result = new SampleDataGenerator(new SampleDataOptions { OutputPath = root, EventCount = 3000, Duration = TimeSpan.FromHours(4), Seed = 23 }).Generate();
        var ds = DatasetTestHelpers.TempDir();
        DatasetTestHelpers.ConvertAsync(result.Path, ds).GetAwaiter().GetResult();
        // One copy per eventID, as the dataset keeps.
        var events = LogFileNames.Enumerate(result.Path).SelectMany(f => Reading.ReadFile(f).Events).DistinctBy(e => e.EventID).ToList();
        return new Sample(result.Path, ds, events);
    });

    private static string Mode(IEnumerable<string?> values) => values.Where(v => v is not null).GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key!;

    [Fact]
    public void Every_library_query_runs_on_the_sample()
    {
        var d = Data.Value;
        var lib = QueryLibraryTests.Library();
        var values = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase)
        {
            ["IpAddress"] = Mode(d.Events.Select(e => e.SourceIPAddress)), ["AccessKeyId"] = Mode(d.Events.Select(e => e.UserIdentity?.AccessKeyId)),
            ["Arn"] = Mode(d.Events.Select(e => e.UserIdentity?.Arn)), ["UserName"] = Mode(d.Events.Select(e => e.UserIdentity?.UserName)),
            ["Session"] = "session", ["Resource"] = "arn:aws", ["InstanceId"] = "i-", ["UserAgent"] = "%aws%", ["Principal"] = Mode(d.Events.Select(e => e.UserIdentity?.Arn)),
        };
        values["IpAddresses"] = new[] { values["IpAddress"] };
        values["AccessKeyIds"] = new[] { values["AccessKeyId"] };
        values["UserAgents"] = new[] { "aws-cli" };
        values["UserNames"] = new[] { values["UserName"] };
        values["AllowedRegions"] = new[] { "us-east-1" };
        using var engine = new LocalQueryEngine(CloudTrailView.Open([d.Dataset]));
        engine.DefineRelationAsync("ev", QueryRows.Bind(lib.Find("dashboard-events")!), CancellationToken.None).GetAwaiter().GetResult();
        var failures = new List<string>();
        var withRows = 0;
        foreach (var q in lib.Queries.OrderBy(q => q.Name, StringComparer.Ordinal))
        {
            var args = new Hashtable();
            foreach (var p in q.Parameters.Where(p => p.Required)) args[p.Name] = values[p.Name];
            try { if (QueryRows.Run(engine, q, args).Count > 0) withRows++; }
            catch (Exception ex) when (ex is QueryException or QueryParameterException) { failures.Add($"{q.Name}: {ex.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(withRows > lib.Queries.Count / 2, $"only {withRows} of {lib.Queries.Count} queries returned rows on the sample");
    }

    private static List<string?> Ids(IEnumerable<Dictionary<string, object?>> rows) => rows.Select(r => (string?)r["eventID"]).ToList();

    private static List<string?> Ordered(IEnumerable<CloudTrailEvent> events) =>
        events.OrderBy(e => e.EventTime).ThenBy(e => e.EventID, StringComparer.Ordinal).Select(e => e.EventID).ToList();

    [Fact]
    public void A_query_of_each_kind_returns_what_the_record_reader_says()
    {
        var d = Data.Value;
        var lib = QueryLibraryTests.Library();
        using var engine = new LocalQueryEngine(CloudTrailView.Open([d.Dataset]));
        List<Dictionary<string, object?>> Run(string name, IDictionary? args = null) => QueryRows.Run(engine, lib.Find(name)!, args);

        // Detection: root activity that is not AWS acting for the account.
        var root = d.Events.Where(e => e.UserIdentity?.Type == "Root" && e.EventType != "AwsServiceEvent").ToList();
        Assert.NotEmpty(root);
        Assert.Equal(Ordered(root), Ids(Run("identity-root-activity")));

        // Detection: CloudTrail's tampering calls (from its API reference).
        string[] tampering = ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors", "DeleteEventDataStore", "StopEventDataStoreIngestion", "UpdateEventDataStore"];
        var tamper = d.Events.Where(e => tampering.Contains(e.EventName)).ToList();
        Assert.NotEmpty(tamper);
        Assert.Equal(Ordered(tamper), Ids(Run("evasion-cloudtrail")));

        // Detection: successful console sign-ins without MFA, read from the JSON blobs by System.Text.Json.
        static string? Field(CloudTrailJson? json, string name)
        {
            if (json?.ToString() is not { Length: > 0 } text) return null;
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        }
        var noMfa = d.Events.Where(e => e.EventName == "ConsoleLogin" && Field(e.AdditionalEventData, "MFAUsed") == "No" && Field(e.ResponseElements, "ConsoleLogin") != "Failure").ToList();
        Assert.NotEmpty(noMfa);
        Assert.Equal(Ordered(noMfa), Ids(Run("identity-console-login-no-mfa")));

        // Timeline: every event of an access key, in time order.
        var key = d.Events.Where(e => e.UserIdentity?.AccessKeyId is not null).GroupBy(e => e.UserIdentity!.AccessKeyId).OrderByDescending(g => g.Count()).First();
        Assert.Equal(Ordered(key), Ids(Run("timeline-access-key", new Hashtable { ["AccessKeyId"] = key.Key })));

        // Hunting: activity from a list of addresses (one that matches, one that cannot).
        var ip = Mode(d.Events.Select(e => e.SourceIPAddress));
        Assert.Equal(Ordered(d.Events.Where(e => e.SourceIPAddress == ip)), Ids(Run("ioc-ip-list", new Hashtable { ["IpAddresses"] = new[] { ip, "192.0.2.255" } })));

        // Inventory: events per region.
        var regions = d.Events.GroupBy(e => e.AwsRegion).Select(g => (g.Key, (long)g.Count())).OrderByDescending(x => x.Item2).ThenBy(x => x.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(regions, Run("overview-regions").Select(r => ((string?)r["awsRegion"], Convert.ToInt64(r["events"]))).ToList());

        // Inventory: the busiest calls, with their errors.
        var top = d.Events.GroupBy(e => (e.EventSource, e.EventName))
            .Select(g => (g.Key.EventSource, g.Key.EventName, (long)g.Count(), (long)g.Count(e => e.ErrorCode is not null)))
            .OrderByDescending(x => x.Item3).ThenBy(x => x.EventSource, StringComparer.Ordinal).ThenBy(x => x.EventName, StringComparer.Ordinal).Take(100).ToList();
        Assert.Equal(top, Run("overview-top-events").Select(r => ((string?)r["eventSource"], (string?)r["eventName"], Convert.ToInt64(r["events"]), Convert.ToInt64(r["errors"]))).ToList());

        // The talk's first query: the latest 25 events with one of its four error codes, newest first.
        string[] codes = ["Client.UnauthorizedOperation", "Client.InvalidPermission.NotFound", "Client.OperationNotPermitted", "AccessDenied"];
        var errors = d.Events.Where(e => codes.Contains(e.ErrorCode)).OrderByDescending(e => e.EventTime).ThenBy(e => e.EventID, StringComparer.Ordinal).Take(25).Select(e => e.EventID).ToList();
        Assert.NotEmpty(errors);
        Assert.Equal(errors, Ids(Run("talk-api-errors")));
    }
}
