namespace IrTrail.Core.Query;

/// <summary>
/// SQL ready for one engine: its text with a <c>?</c> for each parameter occurrence, and the checked values in the same
/// order. The text never holds a user's value: engines bind them (DuckDB prepared statement, Athena execution parameters).
/// </summary>
internal sealed record BoundQuery(string Sql, IReadOnlyList<QueryValue> Parameters)
{
    /// <summary>The library query it came from, or null for SQL typed by the user.</summary>
    public QueryDefinition? Definition { get; init; }

    /// <summary>The library name, or empty for ad-hoc SQL (statistics and errors name it).</summary>
    public string Name => Definition?.Name ?? "";

    /// <summary>SQL typed by the user: no parameters, the talk's placeholder accepted.</summary>
    public static BoundQuery Adhoc(string sql) => new(SqlText.ReplaceTablePlaceholder(sql), []);
}
