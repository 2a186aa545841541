using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using IrTrail.Core.Query;
using IrTrail.Core.Sample;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>The library itself: loads, is complete, and binds parameters with clear errors.</summary>
public class QueryLibraryTests
{
    internal static string LibraryFolder => Path.Combine(TestPaths.RepoRoot, "module", "queries");
    internal static QueryLibrary Library() => QueryLibrary.Load([LibraryFolder]);

    [Fact]
    public void Library_has_at_least_50_queries_covering_every_group_and_the_talks_three()
    {
        var lib = Library();
        Assert.Empty(lib.Problems);
        Assert.True(lib.Queries.Count >= 50, $"{lib.Queries.Count} queries");
        foreach (var g in new[] { "Overview", "Errors", "IOC", "Identity", "Persistence", "EC2", "Exfiltration", "DefenseEvasion", "Impact", "Timeline" })
            Assert.Contains(lib.Queries, q => q.Group == g);
        Assert.NotNull(lib.Find("talk-api-errors"));
        Assert.NotNull(lib.Find("talk-ec2-role-list-buckets"));
        var ip = Assert.Single(lib.Find("talk-malicious-ip")!.Parameters);
        Assert.Equal("IpAddress", ip.Name);
        Assert.Equal("5.205.62.253", ip.Default);
        foreach (var q in lib.Queries)
        {
            Assert.False(string.IsNullOrWhiteSpace(q.Title), q.Name);
            Assert.False(string.IsNullOrWhiteSpace(q.Description), q.Name);
            Assert.Contains("Local", q.Engines);
            Assert.All(q.Techniques, t => Assert.Matches(@"^T\d{4}(\.\d{3})?$", t));
        }
    }

    [Fact]
    public void Source_query_bugs_are_fixed()
    {
        var all = string.Join("\n", Library().Queries.SelectMany(q => q.Sql.Values));
        Assert.DoesNotContain("evenname", all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Sredential", all);
        Assert.DoesNotContain("DeleteNetworkAclEncry", all);
        Assert.Contains("'EnableMFADevice', 'CreateVirtualMFADevice'", all);
        Assert.Contains("'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress'", all);
    }

    [Fact]
    public void Parameters_are_typed_and_checked()
    {
        var lib = Library();
        var ip = lib.Find("talk-malicious-ip")!;
        Assert.Contains("sourceIPAddress = '5.205.62.253'", QueryLibrary.Bind(ip, "Local", null));
        Assert.Contains("'1.2.3.4'", QueryLibrary.Bind(ip, "Local", new Hashtable { ["ipaddress"] = "1.2.3.4" }));
        var unknown = Assert.Throws<QueryParameterException>(() => QueryLibrary.Bind(ip, "Local", new Hashtable { ["Ip"] = "x" }));
        Assert.Contains("no parameter 'Ip'", unknown.Message);
        Assert.Contains("IpAddress (string", unknown.Message);
        var missing = Assert.Throws<QueryParameterException>(() => QueryLibrary.Bind(lib.Find("ioc-access-key")!, "Local", null));
        Assert.Equal("AccessKeyId", missing.Parameter);
        Assert.Contains("(string)", missing.Message);
        var wrong = Assert.Throws<QueryParameterException>(() => QueryLibrary.Bind(lib.Find("exfil-s3-bulk-reads")!, "Local", new Hashtable { ["Threshold"] = "lots" }));
        Assert.Contains("expects int", wrong.Message);
        Assert.Contains("> 7", QueryLibrary.Bind(lib.Find("exfil-s3-bulk-reads")!, "Local", new Hashtable { ["Threshold"] = "7" }));
        Assert.Contains("['a', 'b''c']", QueryLibrary.Bind(lib.Find("ioc-ip-list")!, "Local", new Hashtable { ["IpAddresses"] = new object[] { "a", "b'c" } }));
        Assert.Contains("NULL IS NULL", QueryLibrary.Bind(lib.Find("ec2-role-events")!, "Local", null));
    }

    [Fact]
    public void Unknown_names_get_the_nearest_suggestions()
    {
        var near = Library().Suggest("talk-api-error");
        Assert.Equal("talk-api-errors", near[0]);
        Assert.Contains("talk-malicious-ip", Library().Suggest("malicious"));
    }

    [Fact]
    public void User_packs_add_and_replace_queries()
    {
        var dir = DatasetTestHelpers.TempDir();
        File.WriteAllText(Path.Combine(dir, "mine.json"), """{ "queries": [ { "name": "talk-api-errors", "title": "mine", "description": "d", "sql": { "default": "SELECT 1" } }, { "name": "my-query", "title": "t", "description": "d", "sql": { "duckdb": "SELECT 2" } } ] }""");
        File.WriteAllText(Path.Combine(dir, "broken.json"), "{ not json");
        var lib = QueryLibrary.Load([LibraryFolder, dir]);
        Assert.Equal("mine", lib.Find("talk-api-errors")!.Title);
        Assert.Equal(["Local"], lib.Find("my-query")!.Engines);
        Assert.Single(lib.Problems, p => p.Contains("broken.json"));
    }
}

/// <summary>
/// Every library query runs over a dataset and over the raw logs it came from, with identical results: on the
/// project's fixtures, on generated sample data, and on shared real data.
/// </summary>
public class LibraryQueriesOverSourcesTests
{
    public static IEnumerable<object[]> Own() => [["fixtures"], ["sample"]];
    public static IEnumerable<object[]> Shared() => [["shared:sans504-s3-ransomware-lab"], ["shared:invictus-ir-aws_dataset"]];

    private static readonly Dictionary<string, (string Logs, string Dataset)> Prepared = new();
    private static readonly SemaphoreSlim Gate = new(1, 1);

    internal static async Task<(string Logs, string Dataset)> PrepareAsync(string source)
    {
        await Gate.WaitAsync();
        try
        {
            if (Prepared.TryGetValue(source, out var p)) return p;
            string logs;
            if (source == "fixtures") logs = TestPaths.FixtureLogs;
            else if (source == "sample")
            {
                var root = DatasetTestHelpers.TempDir();
                new SampleDataGenerator(new SampleDataOptions { OutputPath = root, EventCount = 4000, Duration = TimeSpan.FromHours(6), Seed = 7 }).Generate();
                logs = Path.Combine(root, "AWSLogs");
            }
            else logs = Path.Combine(SharedData.Root!, source["shared:".Length..]);
            var ds = DatasetTestHelpers.TempDir();
            await DatasetTestHelpers.ConvertAsync(logs, ds);
            return Prepared[source] = (logs, ds);
        }
        finally { Gate.Release(); }
    }

    [Theory]
    [MemberData(nameof(Own))]
    public Task Every_query_gives_the_same_rows_over_the_dataset_and_the_raw_logs(string source) => Compare(source);

    [SharedDataTheory]
    [MemberData(nameof(Shared))]
    public Task Every_query_gives_the_same_rows_over_real_data_as_dataset_and_raw_logs(string source) => Compare(source);

    private static async Task Compare(string source)
    {
        var (logs, ds) = await PrepareAsync(source);
        using var parquet = new QuerySession(CloudTrailView.Open([ds]), statistics: false);
        using var raw = new QuerySession(CloudTrailView.Open([logs]), statistics: false);
        Assert.Equal(ViewSourceKind.Dataset, parquet.View!.Kind);
        Assert.Equal(ViewSourceKind.RawLogs, raw.View!.Kind);
        var values = SampleValues(parquet);
        var failures = new List<string>();
        var nonEmpty = 0;
        foreach (var q in QueryLibraryTests.Library().Queries.OrderBy(q => q.Name, StringComparer.Ordinal))
        {
            var args = new Hashtable();
            foreach (var p in q.Parameters.Where(p => p.Required && p.Default is null))
                args[p.Name] = p.Type == "string[]" ? new[] { Value(values, p.Name) } : Value(values, p.Name);
            var sql = QueryLibrary.Bind(q, "Local", args);
            try
            {
                var a = Canonical(parquet, sql);
                var b = Canonical(raw, sql);
                if (a.Count > 0) nonEmpty++;
                if (!a.SequenceEqual(b))
                    failures.Add($"{q.Name}: dataset {a.Count} rows, raw {b.Count} rows; first difference: {a.Except(b).FirstOrDefault()} vs {b.Except(a).FirstOrDefault()}");
            }
            catch (QueryException ex)
            {
                failures.Add($"{q.Name}: {ex.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(nonEmpty >= 5, $"only {nonEmpty} queries returned rows");
    }

    /// <summary>Pivot values taken from the data itself, so parameterised queries return rows.</summary>
    private static Dictionary<string, string> SampleValues(QuerySession s)
    {
        var r = s.Run("SELECT mode(sourceIPAddress), mode(userIdentity.accessKeyId), mode(userIdentity.arn), mode(userIdentity.userName), mode(userIdentity.principalId), mode(json_extract_string(requestParameters, '$.bucketName')) FROM cloudtrail", null, _ => { }, CancellationToken.None).Single();
        string S(object? o) => o?.ToString() ?? "none";
        return new(StringComparer.OrdinalIgnoreCase)
        {
            ["IpAddress"] = S(r[0]), ["IpAddresses"] = S(r[0]), ["AccessKeyId"] = S(r[1]), ["AccessKeyIds"] = S(r[1]),
            ["Arn"] = S(r[2]), ["Principal"] = S(r[2]), ["UserName"] = S(r[3]), ["UserNames"] = S(r[3]), ["Session"] = S(r[4]),
            ["Resource"] = S(r[5]), ["Bucket"] = S(r[5]), ["InstanceId"] = "i-", ["UserAgent"] = "%aws%", ["UserAgents"] = "aws-cli",
            ["AllowedRegions"] = "us-east-1",
        };
    }

    private static string Value(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"No sample value for parameter {name}");

    /// <summary>Rows as sorted text, with JSON text compared by content (the raw side re-serialises blobs).</summary>
    internal static List<string> Canonical(QuerySession s, string sql)
    {
        var rows = new List<string>();
        foreach (var r in s.Run(sql, null, _ => { }, CancellationToken.None))
            rows.Add(string.Join(" | ", r.Select(Text)));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static string Text(object? v) => v switch
    {
        null => "<null>",
        string s when s.Length > 1 && (s[0] == '{' || s[0] == '[') => Json(s),
        DateTime d => d.ToString("O"),
        object?[] list => "[" + string.Join(",", list.Select(Text)) + "]",
        IDictionary d => "{" + string.Join(",", d.Keys.Cast<object>().Select(k => $"{k}={Text(d[k])}")) + "}",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static string Json(string s)
    {
        try { return Normalise(JsonNode.Parse(s)); }
        catch (JsonException) { return s; }
    }

    // Numbers by value: DuckDB re-serialises 1688560107.857 as 1.688560107857E9.
    private static string Normalise(JsonNode? n) => n switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.Select(p => JsonSerializer.Serialize(p.Key) + ":" + Normalise(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Normalise)) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => n.ToJsonString(),
    };
}
