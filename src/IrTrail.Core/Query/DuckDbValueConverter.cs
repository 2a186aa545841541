using System.Collections;
using System.Collections.Specialized;
using System.Numerics;

namespace IrTrail.Core.Query;

/// <summary>
/// DuckDB.NET values → plain .NET values the cmdlet layer can shape: DBNull → null, STRUCT → ordered dictionary,
/// LIST → object?[], TIMESTAMP → UTC DateTime, HUGEINT → decimal when it fits.
/// </summary>
public static class DuckDbValueConverter
{
    public static object? Convert(object? value)
    {
        switch (value)
        {
            case null or DBNull: return null;
            case string: return value;
            case DateTime dt: return dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime();
            case DateTimeOffset dto: return dto.UtcDateTime;
            case BigInteger bi: return bi >= (BigInteger)decimal.MinValue && bi <= (BigInteger)decimal.MaxValue ? (decimal)bi : bi;
            case IDictionary dict:
                var od = new OrderedDictionary(StringComparer.Ordinal);
                foreach (DictionaryEntry e in dict) od[e.Key.ToString()!] = Convert(e.Value);
                return od;
            case byte[]: return value;
            case IEnumerable list:
                var items = new List<object?>();
                foreach (var item in list) items.Add(Convert(item));
                return items.ToArray();
            default: return value;
        }
    }
}
