using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace IrTrail.Loading;

/// <summary>
/// The module's own load context. IrTrail.Core and every third-party assembly (AWSSDK, DuckDB.NET, ParquetSharp, Parquet.Net)
/// load here from Dependencies/, so a session that already loaded another AWSSDK.Core (AWS Tools for PowerShell
/// does) keeps its copy and IrTrail keeps its own. The native libraries (DuckDB, ParquetSharpNative) are resolved from
/// Dependencies/runtimes/&lt;rid&gt;/native/, which PowerShell's own probing never looks at.
/// Rule for cmdlet classes: no engine value types (enums, structs) as fields or parameter types. Loading such a type
/// needs IrTrail.Core at once, when PowerShell reflects over the cmdlets at import, before the module initializer has
/// hooked this context up; engine classes are fine (they load on first use).
/// </summary>
internal sealed class IrTrailLoadContext : AssemblyLoadContext
{
    private readonly string _dependencies;

    public IrTrailLoadContext(string dependencies) : base("IrTrail", isCollectible: false) => _dependencies = dependencies;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var candidate = Path.Combine(_dependencies, assemblyName.Name + ".dll");
        // Anything not shipped in Dependencies/ (the framework itself) comes from the default context.
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var path in NativeCandidates(unmanagedDllName))
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
                return handle;
        return IntPtr.Zero; // fall back to the default probing (and its clear DllNotFoundException)
    }

    private IEnumerable<string> NativeCandidates(string name)
    {
        var file = Path.GetFileName(name);
        string[] names = OperatingSystem.IsWindows() ? [file + ".dll", file]
            : OperatingSystem.IsMacOS() ? ["lib" + file + ".dylib", file + ".dylib", file]
            : ["lib" + file + ".so", file + ".so", file];
        foreach (var rid in RuntimeIdentifiers())
            foreach (var n in names)
                yield return Path.Combine(_dependencies, "runtimes", rid, "native", n);
    }

    /// <summary>The runtime folders NuGet packages use for this OS and architecture, most specific first.</summary>
    internal static IEnumerable<string> RuntimeIdentifiers()
    {
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        if (OperatingSystem.IsWindows()) yield return "win-" + arch;
        else if (OperatingSystem.IsMacOS()) { yield return "osx-" + arch; yield return "osx"; }
        else yield return "linux-" + arch;
    }
}
