using System.Collections.Specialized;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;

namespace IrTrail.Common;

/// <summary>Engine rows (plain .NET values) → PSObjects: structs become nested objects, lists arrays.</summary>
internal static class RowShaper
{
    /// <summary>The type names every row of one query carries (most specific first), built once per query.</summary>
    internal sealed class RowType(IReadOnlyList<string> names)
    {
        public IReadOnlyList<string> Names { get; } = names;
        /// <summary>A read-only, shareable type-name list when PowerShell's internals allow it (see <see cref="SetTypeNames"/>).</summary>
        public object? Shared { get; } = SharedTypeNames(names);
    }

    public static RowType Type(params string[] typeNames) =>
        new([.. typeNames, "System.Management.Automation.PSCustomObject", "System.Object"]);

    public static PSObject ToPSObject(IReadOnlyList<string> names, object?[] values, RowType? type)
    {
        var o = new PSObject();
        for (var i = 0; i < names.Count; i++) o.Properties.Add(new PSNoteProperty(names[i], Shape(values[i])));
        if (type is not null)
        {
            if (type.Shared is not null && SetTypeNames is not null) SetTypeNames(o, type.Shared);
            else for (var i = type.Names.Count - 3; i >= 0; i--) o.TypeNames.Insert(0, type.Names[i]);
        }
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

    // Inserting a type name copies and re-keys the object's type-name list, which halved the rate rows came out at.
    // PowerShell itself shares one read-only list among objects of a type and copies it on the first change through
    // PSObject.TypeNames; rows do the same here through the internal members that do it. If they are missing (another
    // PowerShell version), rows fall back to the public, slower Insert. A test checks that changing one row's type names
    // leaves the others alone.
    private static readonly Action<PSObject, object>? SetTypeNames = CompileSetter();
    private static readonly Func<IReadOnlyList<string>, object>? NewReadOnlyTypeNames = CompileFactory();

    private static object? SharedTypeNames(IReadOnlyList<string> names)
    {
        try { return NewReadOnlyTypeNames?.Invoke(names); }
        catch { return null; }
    }

    private static Action<PSObject, object>? CompileSetter()
    {
        try
        {
            var property = typeof(PSObject).GetProperty("InternalTypeNames", BindingFlags.Instance | BindingFlags.NonPublic);
            if (property?.SetMethod is null) return null;
            var o = Expression.Parameter(typeof(PSObject));
            var v = Expression.Parameter(typeof(object));
            return Expression.Lambda<Action<PSObject, object>>(
                Expression.Call(o, property.SetMethod, Expression.Convert(v, property.PropertyType)), o, v).Compile();
        }
        catch { return null; }
    }

    private static Func<IReadOnlyList<string>, object>? CompileFactory()
    {
        try
        {
            var type = typeof(PSObject).Assembly.GetType("System.Management.Automation.Runspaces.ConsolidatedString");
            var ctor = type?.GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, [typeof(IEnumerable<string>), typeof(bool)]);
            var readOnly = type?.GetProperty("IsReadOnly", BindingFlags.Instance | BindingFlags.NonPublic);
            if (ctor is null || readOnly is null) return null;
            return names =>
            {
                var list = ctor.Invoke([names.ToArray(), true]);
                // Only a read-only list is safe to share (PowerShell copies it before a change).
                return readOnly.GetValue(list) is true ? list : throw new InvalidOperationException("type-name list is not read-only");
            };
        }
        catch { return null; }
    }
}
