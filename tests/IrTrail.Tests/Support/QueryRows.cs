using System.Collections;
using IrTrail.Core.Query;

namespace IrTrail.Tests.Support;

/// <summary>Library queries run on an engine, rows as name → value maps.</summary>
internal static class QueryRows
{
    public static BoundQuery Bind(QueryDefinition q, IDictionary? args = null) => QueryBinder.Bind(q, QueryEngines.Local, args);

    public static List<Dictionary<string, object?>> Run(IQueryEngine engine, BoundQuery query)
    {
        var r = QueryRunner.Run(engine, new QueryRequest(query), CancellationToken.None);
        return r.Rows.Select(row => r.Columns.Select((c, i) => (c.Name, row[i])).ToDictionary(x => x.Name, x => x.Item2, StringComparer.Ordinal)).ToList();
    }

    public static List<Dictionary<string, object?>> Run(IQueryEngine engine, QueryDefinition q, IDictionary? args = null) => Run(engine, Bind(q, args));

    /// <summary>Typed SQL (no checks, no parameters), for the tests' own questions.</summary>
    public static List<object?[]> Sql(IQueryEngine engine, string sql) =>
        QueryRunner.Run(engine, new QueryRequest(BoundQuery.Adhoc(sql)) { ReadOnly = false }, CancellationToken.None).Rows;
}
