using System.Collections.Specialized;
using System.Management.Automation;
using IrTrail.Query;

namespace IrTrail.Common;

/// <summary>Engine rows (plain .NET values) → query rows: structs become nested objects, lists arrays.</summary>
internal static class RowShaper
{
    /// <summary>One row as an instance of its query's row class (the values array becomes the row's).</summary>
    public static QueryRow ToRow(Func<object?[], QueryRow> factory, object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
            if (values[i] is OrderedDictionary or object?[]) values[i] = Shape(values[i]);
        return factory(values);
    }

    private static object? Shape(object? v) => v switch
    {
        OrderedDictionary d => Struct(d),
        object?[] list => list.Select(Shape).ToArray(),
        _ => v,
    };

    private static PSObject Struct(OrderedDictionary d)
    {
        var o = new PSObject();
        foreach (System.Collections.DictionaryEntry e in d) o.Properties.Add(new PSNoteProperty((string)e.Key, Shape(e.Value)));
        return o;
    }
}
