using System.Collections.Specialized;
using System.Management.Automation;

namespace IrTrail.Common;

/// <summary>Engine rows (plain .NET values) → PSObjects: structs become nested objects, lists arrays.</summary>
internal static class RowShaper
{
    public static PSObject ToPSObject(IReadOnlyList<string> names, object?[] values, string? typeName)
    {
        var o = new PSObject();
        for (var i = 0; i < names.Count; i++) o.Properties.Add(new PSNoteProperty(names[i], Shape(values[i])));
        if (typeName is not null) o.TypeNames.Insert(0, typeName);
        return o;
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
