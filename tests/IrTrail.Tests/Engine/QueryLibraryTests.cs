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

    /// <summary>How many queries the module's files hold, counted from the JSON itself (not through the loader).</summary>
    internal static int QueriesInFiles() =>
        Directory.EnumerateFiles(LibraryFolder, "*.json").Sum(f => JsonDocument.Parse(File.ReadAllBytes(f)).RootElement.GetProperty("queries").GetArrayLength());

    [Fact]
    public void Library_loads_every_query_of_its_files_covering_every_group_and_the_talks_three()
    {
        var lib = Library();
        Assert.Empty(lib.Problems);
        Assert.True(QueriesInFiles() > 80, $"{QueriesInFiles()} queries in the files");
        Assert.Equal(QueriesInFiles(), lib.Queries.Count);
        foreach (var g in new[] { "Overview", "Errors", "IOC", "Identity", "Persistence", "EC2", "Exfiltration", "DefenseEvasion", "Impact", "Timeline", "Dashboard" })
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
            Assert.Equal([QueryEngines.Local, QueryEngines.Athena], q.Engines);
            Assert.All(q.Techniques, t => Assert.Matches(@"^T\d{4}(\.\d{3})?$", t));
        }
    }

    [Fact]
    public void Every_module_query_declares_its_kind_and_severity_and_they_are_chosen_deliberately()
    {
        // Declared in the file, not defaulted by the loader.
        foreach (var f in Directory.EnumerateFiles(LibraryFolder, "*.json"))
            foreach (var q in JsonDocument.Parse(File.ReadAllBytes(f)).RootElement.GetProperty("queries").EnumerateArray())
            {
                var name = q.GetProperty("name").GetString();
                Assert.True(q.TryGetProperty("kind", out _), $"{name} has no kind");
                Assert.True(q.TryGetProperty("severity", out _), $"{name} has no severity");
            }
        var lib = Library();
        QuerySeverity Of(string n) => lib.Find(n)!.Severity;
        // The field test's complaint: these sat at the bottom of the findings.
        Assert.Equal(QuerySeverity.Critical, Of("evasion-cloudtrail"));      // StopLogging, DeleteTrail
        Assert.Equal(QuerySeverity.Critical, Of("evasion-organizations"));   // LeaveOrganization
        Assert.Equal(QuerySeverity.High, Of("identity-console-login-no-mfa"));
        Assert.Equal(QuerySeverity.Critical, Of("impact-ransom-note"));
        // Describing the data is never a finding; a detection always is.
        Assert.All(lib.Queries.Where(q => q.Kind is QueryKind.Inventory or QueryKind.Timeline or QueryKind.Dashboard),
            q => Assert.Equal(QuerySeverity.Informational, q.Severity));
        var detections = lib.Queries.Where(q => q.Kind == QueryKind.Detection).ToList();
        Assert.True(detections.Count >= 40, $"{detections.Count} detections");
        Assert.All(detections, q => Assert.NotEqual(QuerySeverity.Informational, q.Severity));
        // Each kind and severity is used.
        Assert.Equal(Enum.GetValues<QueryKind>().Length, lib.Queries.Select(q => q.Kind).Distinct().Count());
        Assert.Equal(Enum.GetValues<QuerySeverity>().Length, lib.Queries.Select(q => q.Severity).Distinct().Count());
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
    public void Parameters_are_typed_checked_and_bound_never_spliced()
    {
        var lib = Library();
        var ip = lib.Find("talk-malicious-ip")!;
        var bound = QueryRows.Bind(ip);
        Assert.Equal(new QueryValue(QueryValueType.String, "5.205.62.253"), Assert.Single(bound.Parameters));
        Assert.DoesNotContain("5.205.62.253", bound.Sql);
        Assert.Equal("1.2.3.4", QueryRows.Bind(ip, new Hashtable { ["ipaddress"] = "1.2.3.4" }).Parameters[0].Value);
        var unknown = Assert.Throws<QueryParameterException>(() => QueryRows.Bind(ip, new Hashtable { ["Ip"] = "x" }));
        Assert.Contains("no parameter 'Ip'", unknown.Message);
        Assert.Contains("IpAddress (string", unknown.Message);
        var missing = Assert.Throws<QueryParameterException>(() => QueryRows.Bind(lib.Find("ioc-access-key")!));
        Assert.Equal("AccessKeyId", missing.Parameter);
        Assert.Contains("(string)", missing.Message);
        var wrong = Assert.Throws<QueryParameterException>(() => QueryRows.Bind(lib.Find("exfil-s3-bulk-reads")!, new Hashtable { ["Threshold"] = "lots" }));
        Assert.Contains("expects int", wrong.Message);
        Assert.Throws<QueryParameterException>(() => QueryRows.Bind(lib.Find("exfil-s3-bulk-reads")!, new Hashtable { ["Threshold"] = 2.5 }));
        Assert.Equal(7L, QueryRows.Bind(lib.Find("exfil-s3-bulk-reads")!, new Hashtable { ["Threshold"] = "7" }).Parameters.Single().Value);
        Assert.Equal(["a", "b'c"], (string[])QueryRows.Bind(lib.Find("ioc-ip-list")!, new Hashtable { ["IpAddresses"] = new object[] { "a", "b'c" } }).Parameters.Single().Value!);
        // An optional parameter left out is a typed NULL, once per place the text names it.
        var events = QueryRows.Bind(lib.Find("ec2-role-events")!);
        Assert.Equal(2, events.Parameters.Count);
        Assert.All(events.Parameters, p => Assert.Equal(new QueryValue(QueryValueType.String, null), p));
        // The same checked values for Athena, as Trino literals.
        Assert.Equal("'b''c'", new QueryValue(QueryValueType.String, "b'c").ToTrinoLiteral());
        Assert.Equal("ARRAY['a', 'b''c']", new QueryValue(QueryValueType.StringList, new[] { "a", "b'c" }).ToTrinoLiteral());
        Assert.Equal("CAST(NULL AS varchar)", events.Parameters[0].ToTrinoLiteral());
        Assert.Equal("TIMESTAMP '2024-03-01 10:00:00.000'", new QueryValue(QueryValueType.Timestamp, new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc)).ToTrinoLiteral());
    }

    [Fact]
    public void Bound_values_select_what_they_name_and_a_quote_in_a_value_is_only_a_character()
    {
        // Expected rows from IrTrail's record reader (no SQL): events from the talk's malicious address.
        var expected = Directory.EnumerateFiles(TestPaths.FixtureLogs).SelectMany(f => Reading.ReadFile(f).Events)
            .Where(e => e.SourceIPAddress == "5.205.62.253").Select(e => e.EventID).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        using var engine = new LocalQueryEngine(CloudTrailView.Open([TestPaths.FixtureLogs]));
        var lib = Library();
        Assert.Equal(expected, QueryRows.Run(engine, lib.Find("talk-malicious-ip")!).Select(r => (string?)r["eventID"]).Order(StringComparer.Ordinal).ToList());
        Assert.Empty(QueryRows.Run(engine, lib.Find("talk-malicious-ip")!, new Hashtable { ["IpAddress"] = "x' OR '1'='1" }));
        Assert.Equal(expected, QueryRows.Run(engine, lib.Find("ioc-ip-list")!, new Hashtable { ["IpAddresses"] = new[] { "x' OR '1'='1", "5.205.62.253" } })
            .Select(r => (string?)r["eventID"]).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void A_placeholder_inside_a_string_literal_is_a_definition_error()
    {
        var q = new QueryDefinition { Name = "bad", Sql = { ["default"] = "SELECT * FROM cloudtrail WHERE eventName = '{{Name}}'" }, Parameters = [new QueryParameterDefinition { Name = "Name" }] };
        var ex = Assert.Throws<QueryException>(() => QueryRows.Bind(q, new Hashtable { ["Name"] = "x" }));
        Assert.Contains("inside a string literal", ex.Message);
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
        File.WriteAllText(Path.Combine(dir, "kinds.json"), """{ "queries": [ { "name": "k1", "kind": "detection", "severity": "CRITICAL", "sql": { "default": "SELECT 1" } }, { "name": "k2", "kind": "alert", "sql": { "default": "SELECT 1" } }, { "name": "k3", "severity": "severe", "sql": { "default": "SELECT 1" } } ] }""");
        var lib = QueryLibrary.Load([LibraryFolder, dir]);
        Assert.Equal("mine", lib.Find("talk-api-errors")!.Title);
        Assert.Equal(QueryKind.Hunting, lib.Find("talk-api-errors")!.Kind); // a pack that says nothing: hunting, informational
        Assert.Equal(QuerySeverity.Informational, lib.Find("talk-api-errors")!.Severity);
        Assert.Equal(["Local"], lib.Find("my-query")!.Engines);
        Assert.Equal((QueryKind.Detection, QuerySeverity.Critical), (lib.Find("k1")!.Kind, lib.Find("k1")!.Severity));
        Assert.Null(lib.Find("k2"));
        Assert.Null(lib.Find("k3"));
        Assert.Single(lib.Problems, p => p.Contains("broken.json"));
        Assert.Single(lib.Problems, p => p.Contains("'k2'") && p.Contains("kind 'alert'"));
        Assert.Single(lib.Problems, p => p.Contains("'k3'") && p.Contains("severity 'severe'"));
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
        using var parquet = new LocalQueryEngine(CloudTrailView.Open([ds]));
        using var raw = new LocalQueryEngine(CloudTrailView.Open([logs]));
        Assert.Equal(ViewSourceKind.Dataset, parquet.View!.Kind);
        Assert.Equal(ViewSourceKind.RawLogs, raw.View!.Kind);
        var values = SampleValues(parquet);
        var failures = new List<string>();
        var nonEmpty = 0;
        foreach (var q in QueryLibraryTests.Library().Queries.Where(q => q.Kind != QueryKind.Dashboard).OrderBy(q => q.Name, StringComparer.Ordinal))
        {
            var args = new Hashtable();
            foreach (var p in q.Parameters.Where(p => p.Required && p.Default is null))
                args[p.Name] = p.Type == "string[]" ? new[] { Value(values, p.Name) } : Value(values, p.Name);
            var sql = QueryRows.Bind(q, args);
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
    private static Dictionary<string, string> SampleValues(LocalQueryEngine s)
    {
        var r = s.QueryAll("SELECT mode(sourceIPAddress), mode(userIdentity.accessKeyId), mode(userIdentity.arn), mode(userIdentity.userName), mode(userIdentity.principalId), mode(json_extract_string(requestParameters, '$.bucketName')) FROM cloudtrail").Single();
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
    internal static List<string> Canonical(IQueryEngine s, BoundQuery sql)
    {
        var rows = new List<string>();
        foreach (var r in QueryRunner.Run(s, new QueryRequest(sql), CancellationToken.None).Rows)
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
