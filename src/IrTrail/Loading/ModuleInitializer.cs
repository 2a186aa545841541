using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace IrTrail.Loading;

/// <summary>
/// Hooks the default context's Resolving event for exactly one name, IrTrail.Core, and answers it from the module's
/// own load context; everything the engine needs then resolves inside that context. It runs as the assembly's module
/// initializer, so it is in place before PowerShell reflects over any cmdlet, and only once per process, so
/// Import-Module -Force and several runspaces share one engine.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private static IrTrailLoadContext? s_context;
    private static readonly object s_lock = new();

    /// <summary>The module's Dependencies folder, or null when running outside the laid-out module (tests).</summary>
    internal static string? DependenciesPath { get; private set; }

#pragma warning disable CA2255 // a module initializer is exactly what is wanted: before any cmdlet type is touched
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        lock (s_lock)
        {
            if (s_context is not null) return;
            var here = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location);
            if (string.IsNullOrEmpty(here)) return;
            var deps = Path.Combine(here, "Dependencies");
            if (!Directory.Exists(deps)) return; // not the laid-out module: the host resolves everything itself
            DependenciesPath = deps;
            s_context = new IrTrailLoadContext(deps);
            AssemblyLoadContext.Default.Resolving += ResolveEngine;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == "IrTrail.Core" && s_context is not null
            ? s_context.LoadFromAssemblyName(name)
            : null;

    // The engine stays loaded for the process (a non-collectible context cannot unload), so a re-import finds it.
    public void OnImport() => Initialize();
}
