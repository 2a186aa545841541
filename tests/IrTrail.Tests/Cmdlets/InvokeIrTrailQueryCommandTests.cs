using System.Management.Automation;
using IrTrail.Tests.Support;

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
    public void Reads_raw_logs_with_duckdb_json()
    {
        var r = _ps.Run($"Invoke-IrTrailQuery \"SELECT count(*) AS n, min(eventName) AS e FROM read_json('{TestPaths.FixtureLogs}/lines.jsonl')\"");
        Assert.Empty(r.Errors);
        Assert.Equal(3L, Convert.ToInt64(r.Output.Single().Properties["n"].Value));
        Assert.Equal("GetObject", r.Output.Single().Properties["e"].Value);
    }
}
