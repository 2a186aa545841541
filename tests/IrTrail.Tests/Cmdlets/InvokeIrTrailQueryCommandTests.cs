using System.Management.Automation;
using IrTrail.Tests.Support;
using IrTrail.Core.Query;

namespace IrTrail.Tests.Cmdlets;

public class InvokeIrTrailQueryCommandTests : IDisposable
{
    private readonly TestRunspace _ps = new();
    public void Dispose() => _ps.Dispose();

    [Fact]
    public void DuckDB_values_map_to_dotnet_values()
    {
        var r = _ps.Run("""
            Invoke-IrTrailQuery "SELECT NULL AS n, 42 AS i, 12345678901234::HUGEINT AS h, 1.25::DECIMAL(10,2) AS d, true AS b,
              TIMESTAMP '2021-07-30 01:02:03' AS t, [1, 2, 3] AS l, {'a': 1, 'b': {'c': 'x'}} AS s, 'text' AS str"
            """);
        Assert.Empty(r.Errors);
        var row = Assert.Single(r.Output);
        Assert.Contains("IrTrail.QueryRow", row.TypeNames);
        Assert.Null(row.Properties["n"].Value);
        Assert.Equal(42, row.Properties["i"].Value);
        Assert.Equal(12345678901234m, row.Properties["h"].Value);
        Assert.Equal(1.25m, row.Properties["d"].Value);
        Assert.Equal(true, row.Properties["b"].Value);
        var t = (DateTime)row.Properties["t"].Value;
        Assert.Equal(DateTimeKind.Utc, t.Kind);
        Assert.Equal(new DateTime(2021, 7, 30, 1, 2, 3, DateTimeKind.Utc), t);
        Assert.Equal(new object[] { 1, 2, 3 }, (object[])row.Properties["l"].Value);
        var s = (PSObject)row.Properties["s"].Value;
        Assert.Equal("x", ((PSObject)s.Properties["b"].Value).Properties["c"].Value);
    }

    [Fact]
    public void Rows_stream_so_Select_First_stops_a_huge_query()
    {
        var r = _ps.Run("Invoke-IrTrailQuery 'SELECT range AS n FROM range(10000000000)' | Select-Object -First 3");
        Assert.Equal(3, r.Output.Count);
    }

    [Fact]
    public void A_bad_query_is_an_error_record_with_DuckDBs_message()
    {
        var r = _ps.Run("Invoke-IrTrailQuery 'SELEC 1'");
        var e = Assert.Single(r.Errors);
        Assert.StartsWith("QueryFailed", e.FullyQualifiedErrorId);
        Assert.Contains("syntax error", e.ErrorDetails.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("SELEC 1", e.TargetObject);
    }

    [Fact]
    public void Raw_logs_leave_bad_files_out_with_one_error_each_and_query_the_rest()
    {
        var r = _ps.Run($"Invoke-IrTrailQuery -Path '{TestPaths.FixtureLogs}', '{TestPaths.BadLogs}' -Sql 'SELECT count(*) AS n FROM cloudtrail'");
        var bad = r.Errors.Select(e => Path.GetFileName((string)e.TargetObject)).Order().ToList();
        Assert.Equal(["bitflip.json.gz", "corrupt.json.gz", "not-cloudtrail.json", "truncated.json"], bad);
        Assert.All(r.Errors, e => Assert.Contains("left out of the query", e.ErrorDetails?.Message ?? e.Exception.Message));
        // The whole file is left out (DuckDB reads a file whole or not at all), and the message says so, with the count
        // of records IrTrail's own reader finds before the fault — never that they were kept.
        var truncated = r.Errors.Single(e => ((string)e.TargetObject).EndsWith("truncated.json", StringComparison.Ordinal));
        var before = Reading.ReadFile(Path.Combine(TestPaths.BadLogs, "truncated.json")).Events.Count;
        Assert.True(before > 0, "the fixture has records before its fault");
        Assert.Contains($"not even the {before} record{(before == 1 ? "" : "s")} read before the fault", truncated.ErrorDetails.Message);
        Assert.All(r.Errors, e => Assert.DoesNotContain("were emitted", e.ErrorDetails?.Message ?? e.Exception.Message));
        var good = _ps.Run($"Invoke-IrTrailQuery -Path '{TestPaths.FixtureLogs}' -Sql 'SELECT count(*) AS n FROM cloudtrail'");
        Assert.Empty(good.Errors);
        Assert.Equal(Convert.ToInt64(good.Output.Single().Properties["n"].Value), Convert.ToInt64(r.Output.Single().Properties["n"].Value));
    }

    [Fact]
    public void Reads_raw_logs_with_duckdb_json()
    {
        var r = _ps.Run($"Invoke-IrTrailQuery \"SELECT count(*) AS n, min(eventName) AS e FROM read_json('{TestPaths.FixtureLogs}/lines.jsonl')\"");
        Assert.Empty(r.Errors);
        Assert.Equal(3L, Convert.ToInt64(r.Output.Single().Properties["n"].Value));
        Assert.Equal("GetObject", r.Output.Single().Properties["e"].Value);
    }
}

/// <summary>-Path, -Name, -Parameter, -Statistics, the placeholder, and the bad-input errors, in a runspace.</summary>
public class InvokeIrTrailQueryLibraryCommandTests : IDisposable
{
    private readonly TestRunspace _ps = new();
    private static readonly string Dataset = MakeDataset();

    private static string MakeDataset()
    {
        // The module's queries folder is copied beside the cmdlet assembly in the test output (as in the built module),
        // so no process-wide IRTRAIL_QUERY_PATH is needed.
        var ds = Path.Combine(Path.GetTempPath(), "irtrail-cmdlet-ds-" + Guid.NewGuid().ToString("N")[..8]);
        using var ps = new TestRunspace();
        var r = ps.Run($"Convert-IrTrailToParquet -Path '{TestPaths.FixtureLogs}' -Destination '{ds}' -Force");
        // Shared by the class's tests for the life of the test process: removed when it exits.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(ds, true); } catch { /* best effort */ } };
        return ds;
    }

    public void Dispose() => _ps.Dispose();

    [Fact]
    public void A_library_query_over_the_dataset_and_the_raw_logs_gives_the_same_rows_with_its_type_name()
    {
        var a = _ps.Run($"Invoke-IrTrailQuery -Path '{Dataset}' -Name ioc-user-name -Parameter @{{ UserName = 'alice' }}");
        var b = _ps.Run($"Invoke-IrTrailQuery -Path '{TestPaths.FixtureLogs}' -Name ioc-user-name -Parameter @{{ UserName = 'alice' }}");
        Assert.Empty(a.Errors);
        Assert.Empty(b.Errors);
        Assert.NotEmpty(a.Output);
        Assert.Equal(a.Output.Select(o => o.Properties["eventID"].Value), b.Output.Select(o => o.Properties["eventID"].Value));
        Assert.Equal("IrTrail.QueryRow.ioc-user-name", a.Output[0].TypeNames[0]);
        Assert.Contains("IrTrail.QueryRow", a.Output[0].TypeNames);
    }

    [Fact]
    public void Piped_conversion_result_binds_Path_and_statistics_follow_the_rows()
    {
        var r = _ps.Run($"[pscustomobject]@{{ Path = '{Dataset}' }} | Invoke-IrTrailQuery -Sql 'SELECT count(*) AS n FROM <<table>>' -Statistics");
        Assert.Empty(r.Errors);
        Assert.Equal(2, r.Output.Count);
        var stats = Assert.IsType<IrTrail.Core.Query.QueryStatistics>(r.Output[1].BaseObject);
        Assert.Equal("Dataset", stats.Source);
        Assert.Equal(1, stats.Rows);
        Assert.True(stats.FilesTotal > 0);
        Assert.NotNull(stats.BytesRead);
    }

    [Fact]
    public void A_time_window_prunes_partitions()
    {
        var r = _ps.Run($"Invoke-IrTrailQuery -Path '{Dataset}' -Sql 'SELECT count(*) AS n FROM cloudtrail' -StartTime '2099-01-01' -Statistics");
        Assert.Empty(r.Errors);
        Assert.Equal(0L, Convert.ToInt64(r.Output[0].Properties["n"].Value));
        var stats = (IrTrail.Core.Query.QueryStatistics)r.Output[1].BaseObject;
        Assert.Equal(0, stats.FilesRead);
    }

    [Fact]
    public void An_unknown_name_suggests_the_nearest()
    {
        var r = _ps.Run($"Invoke-IrTrailQuery -Path '{Dataset}' -Name talk-api-error");
        var e = Assert.Single(r.Errors);
        Assert.StartsWith("QueryNotFound", e.FullyQualifiedErrorId);
        Assert.Contains("talk-api-errors", e.Exception.Message);
    }

    [Fact]
    public void A_missing_or_mistyped_parameter_names_it_and_its_type()
    {
        var r = _ps.Run($"Invoke-IrTrailQuery -Path '{Dataset}' -Name ioc-access-key");
        var e = Assert.Single(r.Errors);
        Assert.StartsWith("QueryParameterInvalid", e.FullyQualifiedErrorId);
        Assert.Contains("AccessKeyId", e.Exception.Message);
        r = _ps.Run($"Invoke-IrTrailQuery -Path '{Dataset}' -Name exfil-s3-bulk-reads -Parameter @{{ Threshold = 'many' }}");
        Assert.Contains("expects int", Assert.Single(r.Errors).Exception.Message);
    }

    [Fact]
    public void A_path_that_is_neither_dataset_nor_logs_says_what_was_found()
    {
        var dir = Path.Combine(Path.GetTempPath(), "irtrail-notlogs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "readme.txt"), "hello");
        try
        {
            var r = _ps.Run($"Invoke-IrTrailQuery -Path '{dir}' -Sql 'SELECT 1'");
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("SourceNotRecognized", e.FullyQualifiedErrorId);
            Assert.Contains("neither an IrTrail dataset nor CloudTrail logs", e.Exception.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Sql_errors_carry_DuckDBs_message_and_position()
    {
        var r = _ps.Run($"Invoke-IrTrailQuery -Path '{Dataset}' -Sql 'SELECT nosuchcolumn FROM cloudtrail'");
        var e = Assert.Single(r.Errors);
        Assert.StartsWith("QueryFailed", e.FullyQualifiedErrorId);
        Assert.Contains("nosuchcolumn", e.ErrorDetails.Message);
        Assert.Contains("LINE 1", e.ErrorDetails.Message);
    }

    [Fact]
    public void Get_IrTrailQuery_filters_by_name_tag_and_technique()
    {
        Assert.Null(Environment.GetEnvironmentVariable("IRTRAIL_QUERY_PATH"));
        Assert.Equal(Engine.QueryLibraryTests.QueriesInFiles(), _ps.Run("Get-IrTrailQuery").Output.Count);
        Assert.Equal(3, _ps.Run("Get-IrTrailQuery -Name talk-*").Output.Count);
        var evasion = _ps.Run("Get-IrTrailQuery -Technique T1562").Output;
        Assert.NotEmpty(evasion);
        Assert.All(evasion, o => Assert.Contains(((IrTrail.Core.Query.QueryDefinition)o.BaseObject).Techniques, t => t.StartsWith("T1562")));
        Assert.NotEmpty(_ps.Run("Get-IrTrailQuery -Tag defense-evasion").Output);
        Assert.StartsWith("QueryNotFound", Assert.Single(_ps.Run("Get-IrTrailQuery -Name talk-malicous-ip").Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Get_IrTrailQuery_filters_by_kind_and_severity_and_shows_them()
    {
        var lib = Engine.QueryLibraryTests.Library();
        var critical = _ps.Run("Get-IrTrailQuery -Severity Critical").Output.Select(o => (IrTrail.Core.Query.QueryDefinition)o.BaseObject).ToList();
        Assert.Equal(lib.Queries.Where(q => q.Severity == QuerySeverity.Critical).Select(q => q.Name).Order(), critical.Select(q => q.Name).Order());
        Assert.Contains(critical, q => q.Name == "evasion-cloudtrail");
        var found = _ps.Run("Get-IrTrailQuery -Kind Detection -Severity High, Critical").Output.Select(o => (IrTrail.Core.Query.QueryDefinition)o.BaseObject).ToList();
        Assert.NotEmpty(found);
        Assert.All(found, q => Assert.True(q.Kind == QueryKind.Detection && q.Severity >= QuerySeverity.High, q.Name));
        Assert.Equal(lib.Queries.Count(q => q.Kind == QueryKind.Detection && q.Severity >= QuerySeverity.High), found.Count);
        var dashboard = _ps.Run("Get-IrTrailQuery -Kind Dashboard").Output;
        Assert.Equal(lib.Queries.Count(q => q.Kind == QueryKind.Dashboard), dashboard.Count);
        Assert.NotEmpty(_ps.Run("Get-IrTrailQuery -Kind Bogus").Errors);
    }

    [Fact]
    public void A_library_or_pack_query_that_would_write_is_refused_before_it_runs()
    {
        var dir = Directory.CreateTempSubdirectory("irtrail-pack-").FullName;
        try
        {
            var csv = Path.Combine(dir, "out.csv").Replace("'", "''");
            var db = Path.Combine(dir, "x.db").Replace("'", "''");
            var pack = new
            {
                queries = new object[]
                {
                    new { name = "pack-copy", title = "t", description = "d", sql = new { @default = $"COPY (SELECT 42 AS x) TO '{csv}'" } },
                    new { name = "pack-attach", title = "t", description = "d", sql = new { @default = $"ATTACH '{db}' AS other" } },
                    new { name = "pack-two", title = "t", description = "d", sql = new { @default = $"SELECT 1 AS x; COPY (SELECT 1) TO '{csv}'" } },
                    new { name = "pack-set", title = "t", description = "d", sql = new { @default = "SET threads = 1" } },
                    new { name = "pack-read", title = "t", description = "d", sql = new { @default = "SELECT count(*) AS n FROM cloudtrail" } },
                },
            };
            File.WriteAllText(Path.Combine(dir, "pack.json"), System.Text.Json.JsonSerializer.Serialize(pack));
            foreach (var (name, kind) in new[] { ("pack-copy", "COPY"), ("pack-attach", "ATTACH"), ("pack-two", "statement"), ("pack-set", "SET") })
            {
                var r = _ps.Run($"Invoke-IrTrailQuery -Path '{Dataset}' -Name {name} -QueryPath '{dir}'");
                var e = Assert.Single(r.Errors);
                Assert.StartsWith("QueryNotReadOnly", e.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
                Assert.Contains(kind, e.ErrorDetails.Message);
                Assert.Empty(r.Output);
            }
            Assert.False(File.Exists(Path.Combine(dir, "out.csv")), "a pack query wrote a file");
            Assert.False(File.Exists(Path.Combine(dir, "x.db")), "a pack query attached (created) a database");
            // Measure-IrTrailQuery runs packs read-only too.
            var m = _ps.Run($"Measure-IrTrailQuery -LogPath '{TestPaths.FixtureLogs}' -DatasetPath '{Dataset}' -Name pack-copy -QueryPath '{dir}' -Runs 1");
            Assert.StartsWith("QueryNotReadOnly", Assert.Single(m.Errors).FullyQualifiedErrorId);
            Assert.False(File.Exists(Path.Combine(dir, "out.csv")), "a measured pack query wrote a file");
            var ok = _ps.Run($"Invoke-IrTrailQuery -Path '{Dataset}' -Name pack-read -QueryPath '{dir}'");
            Assert.Empty(ok.Errors);
            Assert.True(Convert.ToInt64(Assert.Single(ok.Output).Properties["n"].Value) > 0);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Sql_that_writes_goes_through_ShouldProcess_so_WhatIf_skips_it()
    {
        var dir = Directory.CreateTempSubdirectory("irtrail-sql-").FullName;
        try
        {
            var csv = Path.Combine(dir, "out.csv");
            var copy = $"COPY (SELECT count(*) AS n FROM cloudtrail) TO '{csv.Replace("'", "''")}'";
            var vars = new Dictionary<string, object?> { ["ds"] = Dataset, ["copy"] = copy };
            var whatIf = _ps.Run("Invoke-IrTrailQuery -Path $ds -Sql $copy -WhatIf", vars);
            Assert.Empty(whatIf.Errors);
            Assert.False(File.Exists(csv), "-WhatIf ran a COPY");
            var preference = _ps.Run("$WhatIfPreference = $true; try { Invoke-IrTrailQuery -Path $ds -Sql $copy } finally { $WhatIfPreference = $false }", vars);
            Assert.Empty(preference.Errors);
            Assert.False(File.Exists(csv), "$WhatIfPreference ran a COPY");
            // Reading is not a change: -WhatIf still answers a SELECT.
            var select = _ps.Run($"Invoke-IrTrailQuery -Path '{Dataset}' -Sql 'SELECT count(*) AS n FROM cloudtrail' -WhatIf");
            Assert.True(Convert.ToInt64(Assert.Single(select.Output).Properties["n"].Value) > 0);
            var run = _ps.Run("Invoke-IrTrailQuery -Path $ds -Sql $copy -Confirm:$false", vars);
            Assert.Empty(run.Errors);
            Assert.True(File.Exists(csv), "the COPY did not run without -WhatIf");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_Athena_engine_is_refused_clearly_until_it_exists()
    {
        foreach (var command in new[] { "Invoke-IrTrailQuery -Engine Athena -Name talk-api-errors", $"Measure-IrTrailQuery -Engine Athena -LogPath '{TestPaths.FixtureLogs}' -DatasetPath '{Dataset}' -Name talk-api-errors",
                     $"Export-IrTrailDashboard -Engine Athena -Path '{Dataset}' -Destination '{Path.Combine(Path.GetTempPath(), "never.html")}'" })
        {
            var r = _ps.Run($"try {{ {command} }} catch {{ $_ }}");
            var e = Assert.IsType<ErrorRecord>(Assert.Single(r.Output).BaseObject);
            Assert.StartsWith("EngineNotAvailable", e.FullyQualifiedErrorId);
            Assert.Contains("Athena engine is not available", e.Exception.Message);
        }
    }

    [Fact]
    public void Measure_IrTrailQuery_reports_both_sides()
    {
        var r = _ps.Run($"Measure-IrTrailQuery -LogPath '{TestPaths.FixtureLogs}' -DatasetPath '{Dataset}' -Name talk-api-errors -Runs 1");
        Assert.Empty(r.Errors);
        var m = Assert.IsType<IrTrail.Core.Query.QueryMeasurement>(Assert.Single(r.Output).BaseObject);
        Assert.Equal("talk-api-errors", m.Query);
        Assert.True(m.JsonBytesScanned > 0);
        Assert.Equal(1, m.Runs);
    }

    [Fact]
    public void Measure_IrTrailQuery_reports_the_cold_runs_bytes_even_when_later_runs_hit_the_cache()
    {
        var r = _ps.Run($"Measure-IrTrailQuery -LogPath '{TestPaths.FixtureLogs}' -DatasetPath '{Dataset}' -Name talk-api-errors -Runs 4");
        Assert.Empty(r.Errors);
        var m = Assert.IsType<IrTrail.Core.Query.QueryMeasurement>(Assert.Single(r.Output).BaseObject);
        Assert.True(m.ParquetBytesScanned > 0, "Parquet bytes scanned must not read as zero");
        // The cold run's bytes: the same as a single run's, however many warm runs follow.
        var once = Assert.IsType<IrTrail.Core.Query.QueryMeasurement>(Assert.Single(
            _ps.Run($"Measure-IrTrailQuery -LogPath '{TestPaths.FixtureLogs}' -DatasetPath '{Dataset}' -Name talk-api-errors -Runs 1").Output).BaseObject);
        Assert.Equal(once.ParquetBytesScanned, m.ParquetBytesScanned);
    }

    [Fact]
    public void Stop_interrupts_a_running_query()
    {
        var iss = System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2();
        iss.Commands.Add(new System.Management.Automation.Runspaces.SessionStateCmdletEntry("Invoke-IrTrailQuery", typeof(IrTrail.Commands.InvokeIrTrailQueryCommand), null));
        using var ps = PowerShell.Create(iss);
        ps.AddScript("Invoke-IrTrailQuery 'SELECT count(*) FROM range(100000000000) a'");
        var handle = ps.BeginInvoke();
        Thread.Sleep(1500);
        ps.Stop(); // what Ctrl+C does: StopProcessing cancels the token, which interrupts DuckDB
        Assert.True(handle.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "the query was not interrupted");
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
    }

    [Fact]
    public void Tab_completion_offers_query_names_and_parameters()
    {
        var names = _ps.Run("(TabExpansion2 -inputScript 'Invoke-IrTrailQuery -Name talk-m' -cursorColumn 32).CompletionMatches.CompletionText").Output.Select(o => o.ToString()).ToList();
        Assert.Contains("talk-malicious-ip", names);
        var pars = _ps.Run("$s = 'Invoke-IrTrailQuery -Name talk-malicious-ip -Parameter '; (TabExpansion2 -inputScript $s -cursorColumn $s.Length).CompletionMatches.CompletionText").Output.Select(o => o.ToString()).ToList();
        Assert.Contains(pars, p => p.Contains("IpAddress = '5.205.62.253'"));
    }
}
