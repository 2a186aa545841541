using System.Globalization;
using System.Text;

namespace IrTrail.Core.Sample;

/// <summary>
/// Builds the small per-API JSON blobs (requestParameters, responseElements, additionalEventData, resources) as text,
/// written verbatim into records. Values are escaped; numbers and booleans use invariant formatting.
/// </summary>
internal static class SampleJson
{
    /// <summary>JSON text inserted as is (a nested object or array).</summary>
    public readonly record struct Raw(string Json);

    public static string Obj(params (string Key, object? Value)[] members)
    {
        var sb = new StringBuilder(64);
        sb.Append('{');
        var first = true;
        foreach (var (k, v) in members)
        {
            if (!first) sb.Append(',');
            first = false;
            AppendString(sb, k);
            sb.Append(':');
            AppendValue(sb, v);
        }
        return sb.Append('}').ToString();
    }

    public static Raw O(params (string Key, object? Value)[] members) => new(Obj(members));

    public static Raw Arr(params object?[] items)
    {
        var sb = new StringBuilder(32);
        sb.Append('[');
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0) sb.Append(',');
            AppendValue(sb, items[i]);
        }
        return new Raw(sb.Append(']').ToString());
    }

    private static void AppendValue(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case null: sb.Append("null"); break;
            case Raw r: sb.Append(r.Json); break;
            case string s: AppendString(sb, s); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(d.ToString("0.0###", CultureInfo.InvariantCulture)); break;
            default: AppendString(sb, Convert.ToString(v, CultureInfo.InvariantCulture) ?? ""); break;
        }
    }

    private static void AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
