using System.Collections;
using IrTrail.Core.Query;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// One library, both engines: every library query's Athena text — <c>cloudtrail</c> and the dashboard's <c>ev</c> as
/// common table expressions over a table, parameters as <c>?</c> and also rendered as the literals Athena substitutes —
/// is parsed as Trino SQL by a real parser, and is one statement.
/// </summary>
[Trait("Tier", "Full")]
public class AthenaDialectTests
{
    private const string Table = "\"AwsDataCatalog\".\"irtrail\".\"cloudtrail_parquet\"";

    /// <summary>A value of each declared type, so every parameter is rendered (required or not).</summary>
    private static object Sample(QueryParameterDefinition p) => p.Type switch
    {
        "string[]" => new[] { "a'b", "c" },
        "int" => 42,
        "datetime" => new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc),
        "bool" => true,
        _ => "it's",
    };

    /// <summary>Each query's Athena texts: as sent (with ?), and with its values inlined; with and without a time window.</summary>
    internal static IEnumerable<(string Id, string Sql)> AthenaTexts(QueryLibrary lib)
    {
        var events = QueryBinder.Bind(lib.Find("dashboard-events")!, QueryEngines.Athena, null);
        foreach (var q in lib.Queries.OrderBy(q => q.Name, StringComparer.Ordinal))
        {
            var all = new Hashtable();
            foreach (var p in q.Parameters) all[p.Name] = Sample(p);
            var bounds = new List<(string, BoundQuery)> { ("values", QueryBinder.Bind(q, QueryEngines.Athena, all)) };
            if (q.Parameters.All(p => !p.Required)) bounds.Add(("defaults", QueryBinder.Bind(q, QueryEngines.Athena, null)));
            var relations = q.Kind == QueryKind.Dashboard && q.Name != "dashboard-events" ? new[] { ("ev", events) } : [];
            foreach (var (label, bound) in bounds)
            {
                var windowed = AthenaQueryText.Render(bound, Table, new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc), relations);
                var plain = AthenaQueryText.Render(bound, Table, null, null, relations);
                yield return ($"{q.Name} ({label}, as sent)", windowed.Sql);
                yield return ($"{q.Name} ({label}, values inlined)", AthenaQueryText.Inline(windowed));
                yield return ($"{q.Name} ({label}, no window, values inlined)", AthenaQueryText.Inline(plain));
            }
        }
    }

    [Fact]
    public void Every_library_query_parses_as_one_Trino_statement()
    {
        var lib = QueryLibraryTests.Library();
        var texts = AthenaTexts(lib).ToList();
        Assert.True(texts.Count >= 3 * lib.Queries.Count, $"{texts.Count} texts for {lib.Queries.Count} queries");
        var results = TrinoParser.Parse(texts);
        Assert.Equal(texts.Count, results.Count);
        var failures = results.Where(r => r.Errors.Count > 0 || r.Statements != 1)
            .Select(r => $"{r.Id}: {r.Statements} statement(s); {string.Join("; ", r.Errors)}\n    {texts.First(t => t.Id == r.Id).Sql}").ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} Athena texts are not one valid Trino statement:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void The_compatibility_cases_are_Trino_spelling()
    {
        // What DuckDbCompatibilityTests runs on DuckDB is Athena's language, not DuckDB's.
        var texts = DuckDbCompatibilityTests.Cases.Select((c, i) => ($"case {i}: {c.Expression}", "SELECT " + c.Expression)).ToList();
        var failures = TrinoParser.Parse(texts).Where(r => r.Errors.Count > 0).Select(r => $"{r.Id}: {string.Join("; ", r.Errors)}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_parser_rejects_what_Athena_would_reject()
    {
        // DuckDB spellings the library used to have, a truncated query and two statements: each must be caught, so the
        // test above can fail.
        var lib = QueryLibraryTests.Library();
        var good = AthenaQueryText.Render(QueryBinder.Bind(lib.Find("talk-api-errors")!, QueryEngines.Athena, null), Table, null, null).Sql;
        var bad = new (string Id, string Sql)[]
        {
            ("group by all", good.Replace("ORDER BY", "GROUP BY ALL ORDER BY", StringComparison.Ordinal)),
            ("cast operator", good.Replace("SELECT eventTime,", "SELECT eventTime::VARCHAR,", StringComparison.Ordinal)),
            ("ilike", good.Replace("WHERE errorCode IN", "WHERE userAgent ILIKE '%x%' AND errorCode IN", StringComparison.Ordinal)),
            ("truncated", good[..good.IndexOf("FROM cloudtrail WHERE", StringComparison.Ordinal)] + "FROM cloudtrail WHERE"),
            ("two statements", good + "; SELECT 1"),
            ("list literal", good.Replace("errorCode IN (", "contains(['a'], errorCode) AND errorCode IN (", StringComparison.Ordinal)),
        };
        Assert.All(bad, b => Assert.NotEqual(good, b.Sql));
        var results = TrinoParser.Parse(bad.Append(("good", good))).ToDictionary(r => r.Id);
        Assert.Empty(results["good"].Errors);
        Assert.Equal(1, results["good"].Statements);
        foreach (var (id, _) in bad.Where(b => b.Id != "two statements"))
            Assert.True(results[id].Errors.Count > 0, $"the parser accepted malformed SQL ({id})");
        Assert.Equal(2, results["two statements"].Statements);
        Assert.Contains(results["cast operator"].Errors, e => e.StartsWith("line 1, column ", StringComparison.Ordinal));
    }

    [Fact]
    public void Values_travel_as_execution_parameters_never_in_the_text()
    {
        var lib = QueryLibraryTests.Library();
        var bound = QueryBinder.Bind(lib.Find("ioc-ip-list")!, QueryEngines.Athena, new Hashtable { ["IpAddresses"] = new[] { "5.205.62.253", "x' OR '1'='1" } });
        var sent = AthenaQueryText.Render(bound, Table, new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc), null);
        Assert.DoesNotContain("5.205.62.253", sent.Sql);
        Assert.DoesNotContain("2024-03-01", sent.Sql);
        Assert.Equal(sent.Sql.Count(c => c == '?'), sent.Parameters.Count);
        Assert.Equal(["'2024-03-01'", "TIMESTAMP '2024-03-01 00:00:00.000'", "ARRAY['5.205.62.253', 'x'' OR ''1''=''1']"], AthenaQueryText.ExecutionParameters(sent));
        Assert.StartsWith($"WITH cloudtrail AS (SELECT * FROM {Table} WHERE event_date >= ? AND eventTime >= ?) SELECT", sent.Sql, StringComparison.Ordinal);
    }
}
