using System.Collections;
using System.Globalization;

namespace IrTrail.Core.Query;

/// <summary>
/// Library query + the user's values → <see cref="BoundQuery"/>: the engine's SQL with <c>?</c> placeholders and checked,
/// typed values. The checks are the same whichever engine runs the query.
/// </summary>
internal static class QueryBinder
{
    /// <summary>
    /// Throws QueryParameterException naming the parameter and the expected type when one is missing, unknown or of the
    /// wrong type; QueryException when the definition itself is unusable (no SQL for the engine, an undeclared placeholder).
    /// </summary>
    public static BoundQuery Bind(QueryDefinition query, string engine, IDictionary? values)
    {
        var sql = query.SqlFor(engine) ?? throw new QueryException(
            $"Query '{query.Name}' has no SQL for the {engine} engine (it has: {string.Join(", ", query.Engines)}).", engine);
        var given = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (values is not null)
            foreach (DictionaryEntry e in values) given[e.Key.ToString() ?? ""] = e.Value;
        foreach (var key in given.Keys)
            if (!query.Parameters.Any(p => p.Name.Equals(key, StringComparison.OrdinalIgnoreCase)))
                throw new QueryParameterException(query.Name, key,
                    $"Query '{query.Name}' has no parameter '{key}'. " + (query.Parameters.Length == 0 ? "It takes none." : "Its parameters: " + string.Join(", ", query.Parameters.Select(p => p.ToString())) + "."));
        var checkedValues = new Dictionary<string, QueryValue>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in query.Parameters)
        {
            QueryValueType type;
            try { type = QueryValue.TypeOf(p.Type); }
            catch (ArgumentException ex) { throw new QueryException($"Query '{query.Name}' declares parameter '{p.Name}' with an {ex.Message}.", engine); }
            var value = given.TryGetValue(p.Name, out var v) ? v : p.Default;
            if (value is null)
            {
                if (p.Required) throw new QueryParameterException(query.Name, p.Name, $"Query '{query.Name}' needs parameter '{p.Name}' ({p.Type}): {p.Description} Pass it as -Parameter @{{ {p.Name} = <{p.Type}> }}.");
                checkedValues[p.Name] = new QueryValue(type, null);
                continue;
            }
            checkedValues[p.Name] = Check(query.Name, p, type, value);
        }
        (string Sql, List<string> Names) text;
        // A pack's trailing semicolon would stop the text being composed into a larger query (the dashboard's findings).
        try { text = SqlText.Placeholders(SqlText.ReplaceTablePlaceholder(sql.TrimEnd().TrimEnd(';').TrimEnd())); }
        catch (FormatException ex) { throw new QueryException($"Query '{query.Name}': {ex.Message}", engine); }
        var ordered = new List<QueryValue>(text.Names.Count);
        foreach (var name in text.Names)
            ordered.Add(checkedValues.TryGetValue(name, out var qv) ? qv
                : throw new QueryException($"Query '{query.Name}' uses {{{{{name}}}}} but declares no such parameter.", engine));
        return new BoundQuery(text.Sql, ordered) { Definition = query };
    }

    private static QueryValue Check(string queryName, QueryParameterDefinition p, QueryValueType type, object value)
    {
        QueryParameterException Wrong(object? v) => new(queryName, p.Name,
            $"Parameter '{p.Name}' of query '{queryName}' expects {p.Type}; got '{v}' ({v?.GetType().Name ?? "null"}).");
        switch (type)
        {
            case QueryValueType.String:
                if (value is string s) return new(type, s);
                if (value is IEnumerable) throw Wrong(value);
                return new(type, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
            case QueryValueType.StringList:
                var items = value is string one ? [one]
                    : value is IEnumerable list ? list.Cast<object?>().Select(x => Convert.ToString(x, CultureInfo.InvariantCulture) ?? "").ToArray()
                    : [Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""];
                if (items.Length == 0) throw Wrong("(empty list)");
                return new(type, items);
            case QueryValueType.Integer:
                try
                {
                    if (value is string str) return new(type, long.Parse(str, NumberStyles.Integer, CultureInfo.InvariantCulture));
                    if (value is bool or DateTime or DateTimeOffset or IEnumerable) throw Wrong(value);
                    if (value is double or float or decimal && Convert.ToDecimal(value, CultureInfo.InvariantCulture) % 1 != 0) throw Wrong(value);
                    return new(type, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                }
                catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException) { throw Wrong(value); }
            case QueryValueType.Timestamp:
                DateTime t;
                if (value is DateTime dt) t = dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime();
                else if (value is DateTimeOffset dto) t = dto.UtcDateTime;
                else if (value is string ts && DateTime.TryParse(ts, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)) t = parsed;
                else throw Wrong(value);
                return new(type, t);
            default:
                if (value is bool b) return new(type, b);
                if (value is string bs && bool.TryParse(bs, out var pb)) return new(type, pb);
                throw Wrong(value);
        }
    }
}

/// <summary>A missing, unknown or mistyped query parameter.</summary>
public sealed class QueryParameterException(string query, string parameter, string message) : Exception(message)
{
    public string Query { get; } = query;
    public string Parameter { get; } = parameter;
}
