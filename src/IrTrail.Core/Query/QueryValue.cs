using System.Globalization;

namespace IrTrail.Core.Query;

/// <summary>The types a library parameter can have (its <c>type</c> in the pack: string, string[], int, datetime, bool).</summary>
internal enum QueryValueType { String, StringList, Integer, Timestamp, Boolean }

/// <summary>
/// One checked parameter value, the same for every engine: a string, a string array, a long, a UTC DateTime, a bool,
/// or null (typed). Engines never see the user's raw input: the local engine binds <see cref="Value"/> as a DuckDB
/// prepared-statement parameter, Athena sends <see cref="ToTrinoLiteral"/> as an execution parameter.
/// </summary>
internal sealed record QueryValue(QueryValueType Type, object? Value)
{
    public static QueryValueType TypeOf(string declared) => declared.Trim().ToLowerInvariant() switch
    {
        "string" => QueryValueType.String,
        "string[]" => QueryValueType.StringList,
        "int" => QueryValueType.Integer,
        "datetime" => QueryValueType.Timestamp,
        "bool" => QueryValueType.Boolean,
        _ => throw new ArgumentException($"unknown parameter type '{declared}' (string, string[], int, datetime or bool)"),
    };

    /// <summary>
    /// The value as a Trino literal expression, which is what Athena's <c>ExecutionParameters</c> hold (one per
    /// <c>?</c>, in order). A null keeps its type so an expression like <c>? IS NULL</c> still has one.
    /// </summary>
    public string ToTrinoLiteral() => Value switch
    {
        null => Type switch
        {
            QueryValueType.String => "CAST(NULL AS varchar)",
            QueryValueType.StringList => "CAST(NULL AS array(varchar))",
            QueryValueType.Integer => "CAST(NULL AS bigint)",
            QueryValueType.Timestamp => "CAST(NULL AS timestamp)",
            _ => "CAST(NULL AS boolean)",
        },
        string s => Quote(s),
        string[] list => "ARRAY[" + string.Join(", ", list.Select(Quote)) + "]",
        long n => n.ToString(CultureInfo.InvariantCulture),
        DateTime t => "TIMESTAMP '" + t.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + "'",
        bool b => b ? "true" : "false",
        _ => throw new InvalidOperationException($"A {Value.GetType().Name} is not a query value."),
    };

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    public override string ToString() => ToTrinoLiteral();
}
