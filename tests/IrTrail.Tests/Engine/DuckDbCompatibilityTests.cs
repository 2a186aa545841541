using IrTrail.Core.Query;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// The Trino functions the library uses, run on DuckDB through the compatibility macros, give Trino's answers (the
/// expected values are Trino's documented behaviour, not what DuckDB does natively — several differ).
/// </summary>
public class DuckDbCompatibilityTests
{
    /// <summary>Trino expression → Trino's result (null = SQL NULL). Also parsed as Trino in AthenaDialectTests.</summary>
    internal static readonly (string Expression, object? Expected)[] Cases =
    [
        // json_extract_scalar: scalars as text, objects/arrays/JSON null as NULL, bracket paths for keys with dashes.
        ("json_extract_scalar('{\"a\": {\"b\": 1}, \"c\": \"x\", \"n\": 5, \"z\": null}', '$.c')", "x"),
        ("json_extract_scalar('{\"a\": {\"b\": 1}, \"c\": \"x\", \"n\": 5, \"z\": null}', '$.n')", "5"),
        ("json_extract_scalar('{\"a\": {\"b\": 1}, \"c\": \"x\", \"n\": 5, \"z\": null}', '$.a')", null),
        ("json_extract_scalar('{\"a\": [1, 2]}', '$.a')", null),
        ("json_extract_scalar('{\"a\": {\"b\": 1}, \"c\": \"x\", \"n\": 5, \"z\": null}', '$.z')", null),
        ("json_extract_scalar('{\"a\": {\"b\": 1}}', '$.a.b')", "1"),
        ("json_extract_scalar('{\"x-amz-key\": \"k1\"}', '$[\"x-amz-key\"]')", "k1"),
        ("json_extract_scalar(CAST(NULL AS varchar), '$.a')", null),
        ("from_iso8601_timestamp('2024-03-01T10:11:12Z')", new DateTime(2024, 3, 1, 10, 11, 12, DateTimeKind.Utc)),
        ("from_iso8601_timestamp('2024-03-01T12:11:12+02:00')", new DateTime(2024, 3, 1, 10, 11, 12, DateTimeKind.Utc)),
        ("date_add('day', 2, from_iso8601_timestamp('2024-03-01T10:00:00Z'))", new DateTime(2024, 3, 3, 10, 0, 0, DateTimeKind.Utc)),
        ("date_add('hour', -1, from_iso8601_timestamp('2024-03-01T00:30:00Z'))", new DateTime(2024, 2, 29, 23, 30, 0, DateTimeKind.Utc)),
        ("date_add('month', 1, from_iso8601_timestamp('2024-01-31T00:00:00Z'))", new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Utc)),
        ("date_add('minute', 90, from_iso8601_timestamp('2024-03-01T00:00:00Z'))", new DateTime(2024, 3, 1, 1, 30, 0, DateTimeKind.Utc)),
        // Whole units between the two (DuckDB's own date_diff would say 1: one midnight crossed).
        ("date_diff('day', from_iso8601_timestamp('2024-01-01T23:00:00Z'), from_iso8601_timestamp('2024-01-02T01:00:00Z'))", 0L),
        ("date_diff('hour', from_iso8601_timestamp('2024-01-01T23:00:00Z'), from_iso8601_timestamp('2024-01-02T01:00:00Z'))", 2L),
        ("date_diff('day', from_iso8601_timestamp('2024-01-03T00:00:00Z'), from_iso8601_timestamp('2024-01-01T00:00:00Z'))", -2L),
        ("regexp_like('arn:aws:sts::1:assumed-role/r/i-0abc', 'i-[0-9a-f]+')", true),
        ("regexp_like('abc', '^b')", false),
        // NULL without a match (DuckDB's own regexp_extract gives an empty string).
        ("regexp_extract('abc', 'x(.)', 1)", null),
        ("regexp_extract('abc', 'b(.)', 1)", "c"),
        ("regexp_extract('abc', 'b.')", "bc"),
        ("cardinality(ARRAY['a', 'b', 'c'])", 3L),
        ("element_at(ARRAY['a', 'b', 'c'], 2)", "b"),
        ("element_at(ARRAY['a', 'b', 'c'], -1)", "c"),
        ("element_at(ARRAY['a'], 5)", null),
        ("array_join(ARRAY['a', 'b'], ',')", "a,b"),
        ("contains(ARRAY['us-east-1', 'eu-west-1'], 'eu-west-1')", true),
        ("to_unixtime(from_iso8601_timestamp('1970-01-02T00:00:00Z'))", 86400.0),
        ("from_unixtime(86400)", new DateTime(1970, 1, 2, 0, 0, 0, DateTimeKind.Utc)),
        ("approx_distinct(x) FROM (VALUES (1), (1), (2)) AS t (x)", 2L),
        ("arbitrary(x) FROM (VALUES (7)) AS t (x)", 7),
        ("array_sort(array_agg(DISTINCT x)) FROM (VALUES ('b'), ('a'), ('b')) AS t (x)", new object?[] { "a", "b" }),
        ("count(*) FILTER (WHERE x > 1) FROM (VALUES (1), (2), (3)) AS t (x)", 2L),
        ("date_trunc('hour', from_iso8601_timestamp('2024-03-01T10:11:12Z'))", new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc)),
        ("split_part('arn:aws:kms:us-east-1:123456789012:key/k', ':', 5)", "123456789012"),
    ];

    [Fact]
    public void Trino_functions_give_Trinos_answers_on_DuckDB()
    {
        using var engine = new LocalQueryEngine();
        var failures = new List<string>();
        foreach (var (expression, expected) in Cases)
        {
            object? actual;
            try { actual = QueryRows.Sql(engine, "SELECT " + expression).Single()[0]; }
            catch (QueryException ex) { failures.Add($"{expression}: {ex.Message}"); continue; }
            var same = (expected, actual) switch
            {
                (null, null) => true,
                (object?[] e, object?[] a) => e.SequenceEqual(a),
                (double e, _) => actual is not null && Math.Abs(e - Convert.ToDouble(actual)) < 1e-9,
                (long e, _) => actual is not null and not string && Convert.ToInt64(actual) == e,
                _ => Equals(expected, actual),
            };
            if (!same) failures.Add($"{expression}: expected {expected ?? "NULL"}, got {actual ?? "NULL"} ({actual?.GetType().Name})");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Without_the_macros_DuckDB_answers_differently()
    {
        // The macros are what makes the cases pass: DuckDB's own functions of the same names give other answers.
        using var raw = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        raw.Open();
        object? One(string sql) { using var c = raw.CreateCommand(); c.CommandText = sql; return c.ExecuteScalar(); }
        Assert.Equal(1L, Convert.ToInt64(One("SELECT date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')")));
        Assert.Equal("", One("SELECT regexp_extract('abc', 'x(.)', 1)"));
        Assert.Equal("{\"b\":1}", One("SELECT json_extract_string('{\"a\": {\"b\": 1}}', '$.a')"));
        Assert.ThrowsAny<Exception>(() => One("SELECT json_extract_scalar('{}', '$.a')"));
    }

    [Fact]
    public void The_macros_live_in_the_session_only()
    {
        using (var engine = new LocalQueryEngine())
            Assert.Equal(0L, Convert.ToInt64(QueryRows.Sql(engine, "SELECT date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')").Single()[0]));
        using var other = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        other.Open();
        using var c = other.CreateCommand();
        c.CommandText = "SELECT date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')";
        Assert.Equal(1L, Convert.ToInt64(c.ExecuteScalar()));
    }
}
