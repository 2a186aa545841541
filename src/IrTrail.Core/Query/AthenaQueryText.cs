using System.Text;

namespace IrTrail.Core.Query;

/// <summary>
/// What Athena is sent for a bound query: its text, with <c>cloudtrail</c> (and relations such as the dashboard's
/// <c>ev</c>) as common table expressions in front, and the values as execution parameters — one Trino literal per
/// <c>?</c>, in order, never spliced into the text. The time window becomes a filter on the table, partition column
/// first so Athena prunes partitions. For the Athena engine, and for the tests that parse every library query as Trino.
/// </summary>
internal static class AthenaQueryText
{
    /// <param name="table">The qualified, quoted table (<c>"AwsDataCatalog"."db"."table"</c>) the relation <c>cloudtrail</c> stands for.</param>
    /// <param name="relations">Relations defined earlier on the engine (name and query), visible to this one.</param>
    public static BoundQuery Render(BoundQuery query, string table, DateTime? start, DateTime? end,
        IReadOnlyList<(string Name, BoundQuery Query)>? relations = null)
    {
        var window = new List<string>();
        var values = new List<QueryValue>();
        if (start is { } s)
        {
            window.Add("event_date >= ?");
            values.Add(new QueryValue(QueryValueType.String, s.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
            window.Add("eventTime >= ?");
            values.Add(new QueryValue(QueryValueType.Timestamp, s.ToUniversalTime()));
        }
        if (end is { } e)
        {
            window.Add("event_date <= ?");
            values.Add(new QueryValue(QueryValueType.String, e.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
            window.Add("eventTime <= ?");
            values.Add(new QueryValue(QueryValueType.Timestamp, e.ToUniversalTime()));
        }
        var ctes = new List<(string Name, string Body)>
        {
            (SqlText.Table, $"SELECT * FROM {table}" + (window.Count > 0 ? " WHERE " + string.Join(" AND ", window) : "")),
        };
        foreach (var (name, relation) in relations ?? [])
        {
            ctes.Add((name, relation.Sql));
            values.AddRange(relation.Parameters);
        }
        values.AddRange(query.Parameters);
        return new BoundQuery(SqlText.WithCtes(query.Sql, ctes), values) { Definition = query.Definition };
    }

    /// <summary>Athena's <c>ExecutionParameters</c> for a rendered query.</summary>
    public static IReadOnlyList<string> ExecutionParameters(BoundQuery query) => query.Parameters.Select(p => p.ToTrinoLiteral()).ToList();

    /// <summary>
    /// The text with each <c>?</c> replaced by its value's literal: what Athena executes in effect. For parsing and
    /// showing a query, never for sending one.
    /// </summary>
    public static string Inline(BoundQuery query)
    {
        var i = 0;
        var text = SqlText.RewriteCode(query.Sql, code =>
        {
            var sb = new StringBuilder(code.Length);
            foreach (var ch in code)
            {
                if (ch == '?') sb.Append(query.Parameters[i++].ToTrinoLiteral());
                else sb.Append(ch);
            }
            return sb.ToString();
        });
        if (i != query.Parameters.Count) throw new InvalidOperationException($"The text has {i} placeholders for {query.Parameters.Count} values.");
        return text;
    }
}
