using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;

namespace IrTrail.Query;

/// <summary>
/// A .NET class per query shape (type name and column names), emitted once and cached: one property per column and a
/// constructor taking the row's values. A row is then one allocation and a few stores, where a custom object needs a
/// validated note property per column and its own copy of the type names; that made rows come out slower than
/// Import-Csv reads them.
/// </summary>
internal static class QueryRowTypes
{
    private static readonly ConcurrentDictionary<string, Func<object?[], QueryRow>> Factories = new(StringComparer.Ordinal);

    /// <summary>The property names used for these columns: PowerShell's member names are case-insensitive, so a
    /// repeated column (<c>SELECT a, A</c>) gets a suffix (<c>A_2</c>) rather than hiding the first.</summary>
    public static string[] PropertyNames(IReadOnlyList<string> columns)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new string[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            var name = columns[i].Length == 0 ? "column" + (i + 1) : columns[i];
            var candidate = name;
            for (var n = 2; !seen.Add(candidate); n++) candidate = name + "_" + n;
            names[i] = candidate;
        }
        return names;
    }

    /// <summary>Makes rows of <paramref name="typeName"/> with the properties <paramref name="names"/> (from
    /// <see cref="PropertyNames"/>), in that order, from arrays of values.</summary>
    public static Func<object?[], QueryRow> Factory(string typeName, string[] names) =>
        Factories.GetOrAdd(typeName + "\n" + string.Join("\n", names), _ => Emit(typeName, names));

    private static Func<object?[], QueryRow> Emit(string typeName, string[] names)
    {
        // One collectible assembly per shape: type names repeat across shapes (a query pack can redefine a query).
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("IrTrail.QueryRows." + Guid.NewGuid().ToString("N")),
            AssemblyBuilderAccess.RunAndCollect);
        var module = assembly.DefineDynamicModule("IrTrail.QueryRows");
        var type = module.DefineType(typeName, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(QueryRow));
        var fields = new FieldBuilder[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            fields[i] = type.DefineField("_" + i, typeof(object), FieldAttributes.Private);
            var property = type.DefineProperty(names[i], PropertyAttributes.None, typeof(object), null);
            const MethodAttributes accessor = MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig;
            var get = type.DefineMethod("get_" + names[i], accessor, typeof(object), Type.EmptyTypes);
            var il = get.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, fields[i]);
            il.Emit(OpCodes.Ret);
            property.SetGetMethod(get);
            var set = type.DefineMethod("set_" + names[i], accessor, null, [typeof(object)]);
            il = set.GetILGenerator();
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Stfld, fields[i]);
            il.Emit(OpCodes.Ret);
            property.SetSetMethod(set);
        }
        var ctor = type.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(object[])]);
        var c = ctor.GetILGenerator();
        c.Emit(OpCodes.Ldarg_0);
        c.Emit(OpCodes.Call, typeof(QueryRow).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes)!);
        for (var i = 0; i < names.Length; i++)
        {
            c.Emit(OpCodes.Ldarg_0);
            c.Emit(OpCodes.Ldarg_1);
            c.Emit(OpCodes.Ldc_I4, i);
            c.Emit(OpCodes.Ldelem_Ref);
            c.Emit(OpCodes.Stfld, fields[i]);
        }
        c.Emit(OpCodes.Ret);
        var built = type.CreateType();
        var values = Expression.Parameter(typeof(object[]), "values");
        return Expression.Lambda<Func<object?[], QueryRow>>(
            Expression.New(built.GetConstructor([typeof(object[])])!, values), values).Compile();
    }
}
