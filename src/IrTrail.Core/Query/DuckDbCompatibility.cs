namespace IrTrail.Core.Query;

/// <summary>
/// Athena's (Trino) spelling on DuckDB: macros created in every local session so the library's one text runs on both
/// engines. Each bridges a Trino function DuckDB lacks or spells differently, with Trino's meaning (checked side by side
/// in DuckDbCompatibilityTests). What a macro cannot bridge — date_parse/date_format with MySQL formats, UNNEST … AS
/// t(a, b) over rows, format() — is left out of the library's shared text (per-engine SQL where a query needs it).
/// Temporary macros shadow DuckDB's functions of the same name for the session only: the user's process and other
/// sessions are untouched.
/// </summary>
internal static class DuckDbCompatibility
{
    /// <summary>Trino function → the DuckDB macro that gives its meaning.</summary>
    public static readonly IReadOnlyList<(string Function, string Macro)> Macros =
    [
        // Trino: NULL for objects and arrays (json_extract_string would return their text); a JSON null is NULL too.
        // Trino's bracket paths ($["x-amz-…"]) become DuckDB's quoted keys ($."x-amz-…").
        ("json_extract_scalar", """
            CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p) AS
              CASE WHEN json_type(j, regexp_replace(p, '\["([^"]*)"\]', '."\1"', 'g')) IN ('OBJECT', 'ARRAY') THEN NULL
                   ELSE json_extract_string(j, regexp_replace(p, '\["([^"]*)"\]', '."\1"', 'g')) END
            """),
        ("from_iso8601_timestamp", "CREATE OR REPLACE TEMP MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)"),
        ("from_iso8601_date", "CREATE OR REPLACE TEMP MACRO from_iso8601_date(s) AS CAST(s AS DATE)"),
        // Trino's date_add(unit, value, timestamp); DuckDB's own two-argument form keeps working.
        ("date_add", """
            CREATE OR REPLACE TEMP MACRO date_add(u, n, t) AS t + CASE lower(u)
                WHEN 'millisecond' THEN to_milliseconds(n) WHEN 'second' THEN to_seconds(n) WHEN 'minute' THEN to_minutes(n)
                WHEN 'hour' THEN to_hours(n) WHEN 'day' THEN to_days(n) WHEN 'week' THEN to_weeks(n)
                WHEN 'month' THEN to_months(n) WHEN 'quarter' THEN to_months(3 * n) WHEN 'year' THEN to_years(n) END,
              (a, b) AS a + b
            """),
        // Trino counts whole units between the two (DuckDB's date_diff counts boundaries crossed; its date_sub is Trino's).
        ("date_diff", "CREATE OR REPLACE TEMP MACRO date_diff(u, a, b) AS date_sub(u, a, b)"),
        ("regexp_like", "CREATE OR REPLACE TEMP MACRO regexp_like(s, p) AS regexp_matches(s, p)"),
        // Trino: NULL when there is no match (DuckDB: an empty string).
        ("regexp_extract", """
            CREATE OR REPLACE TEMP MACRO regexp_extract(s, p) AS CASE WHEN regexp_matches(s, p) THEN system.main.regexp_extract(s, p) END,
              (s, p, g) AS CASE WHEN regexp_matches(s, p) THEN system.main.regexp_extract(s, p, g) END
            """),
        ("approx_distinct", "CREATE OR REPLACE TEMP MACRO approx_distinct(x) AS approx_count_distinct(x), (x, e) AS approx_count_distinct(x)"),
        ("cardinality", "CREATE OR REPLACE TEMP MACRO cardinality(a) AS len(a)"),
        // Lists and maps: DuckDB's subscript is Trino's element_at (1-based, negative from the end, NULL outside).
        ("element_at", "CREATE OR REPLACE TEMP MACRO element_at(a, i) AS a[i]"),
        ("array_join", "CREATE OR REPLACE TEMP MACRO array_join(a, sep) AS array_to_string(a, sep)"),
        ("to_unixtime", "CREATE OR REPLACE TEMP MACRO to_unixtime(t) AS epoch(t)"),
        ("from_unixtime", "CREATE OR REPLACE TEMP MACRO from_unixtime(x) AS to_timestamp(x)"),
    ];

    /// <summary>Creates the macros in a session.</summary>
    public static void Install(Action<string> execute)
    {
        foreach (var (_, macro) in Macros) execute(macro);
    }
}
