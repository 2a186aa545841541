using System.Runtime.InteropServices;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Keeps DuckDB's allocator from holding on to freed memory while the converter writes. DuckDB's Linux build allocates
/// through a bundled jemalloc that keeps freed pages for a while (dirty, then lazily freed "muzzy" pages that still count
/// as the process's memory) before returning them; writing Parquet churns through several times the data converted, so
/// that was 150-250 MB of the converter's peak. While a conversion runs, freed pages are returned within 100 ms and
/// purged outright after every row group or so; the previous settings are restored afterwards. Uses jemalloc's own
/// control call (<c>mallctl</c>), which DuckDB's library exports; where it does not (Windows and macOS builds use the
/// system allocator), all of this does nothing.
/// </summary>
internal static unsafe class DuckDbAllocator
{
    private const string AllArenas = "4096"; // MALLCTL_ARENAS_ALL
    private static bool _available = true;

    /// <summary>Returns every arena's freed pages to the system now, and the C library's too: DuckDB's other
    /// allocations (file metadata, containers), zlib's and the runtime's go through glibc's malloc, which kept 20-45 MB
    /// of freed chunks resident by the end of a 5M-event conversion (docs/benchmarks.md).</summary>
    public static void Purge()
    {
        if (_available) Call(() => Mallctl($"arena.{AllArenas}.purge", null, null, null, 0));
        if (_trim)
        {
            try { MallocTrim(0); }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException) { _trim = false; }
        }
    }

    private static bool _trim = OperatingSystem.IsLinux();

    [DllImport("libc", EntryPoint = "malloc_trim", CallingConvention = CallingConvention.Cdecl)]
    private static extern int MallocTrim(nuint pad);

    private static readonly object Gate = new();
    private static int _tuned;
    private static List<(string Name, nint Value)> _restore = [];

    /// <summary>Freed pages go back within <paramref name="dirtyMs"/> and skip the lazy stage, until disposed. The
    /// settings are process-wide: conversions running at the same time share one tuning, and the last to finish
    /// restores the settings found before the first.</summary>
    public static IDisposable ReturnFreedMemorySooner(long dirtyMs = 100)
    {
        lock (Gate)
        {
            if (_tuned++ == 0) _restore = Tune(dirtyMs);
        }
        return new Restore();
    }

    private static List<(string Name, nint Value)> Tune(long dirtyMs)
    {
        var restore = new List<(string Name, nint Value)>();
        Call(() =>
        {
            uint arenas = 0;
            nuint size = sizeof(uint);
            if (Mallctl("arenas.narenas", &arenas, &size, null, 0) != 0) return;
            var names = new List<string> { "arenas" };
            for (var i = 0; i < arenas; i++) names.Add($"arena.{i}");
            foreach (var prefix in names)
            {
                Set(prefix + ".dirty_decay_ms", dirtyMs, restore);
                Set(prefix + ".muzzy_decay_ms", 0, restore);
            }
        });
        return restore;
    }

    /// <summary>A numeric setting (e.g. <c>arenas.dirty_decay_ms</c>), or null where there is no jemalloc.</summary>
    internal static long? Read(string name)
    {
        long? result = null;
        Call(() =>
        {
            nint value = 0;
            nuint size = (nuint)sizeof(nint);
            if (Mallctl(name, &value, &size, null, 0) == 0) result = value;
        });
        return result;
    }

    /// <summary>Sets a decay setting, remembering its old value; arenas not created yet refuse, which is fine (they
    /// will take the "arenas" default).</summary>
    private static void Set(string name, long value, List<(string, nint)> restore)
    {
        nint old = 0, v = (nint)value;
        nuint size = (nuint)sizeof(nint);
        if (Mallctl(name, &old, &size, &v, (nuint)sizeof(nint)) == 0) restore.Add((name, old));
    }

    private sealed class Restore : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            lock (Gate)
            {
                if (--_tuned > 0) return;
                var settings = _restore;
                Call(() =>
                {
                    foreach (var (name, value) in settings)
                    {
                        var v = value;
                        Mallctl(name, null, null, &v, (nuint)sizeof(nint));
                    }
                });
                _restore = [];
            }
        }
    }

    private static void Call(Action action)
    {
        if (!_available) return;
        try
        {
            action();
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _available = false;
        }
    }

    [DllImport("duckdb", EntryPoint = "duckdb_je_mallctl", CallingConvention = CallingConvention.Cdecl)]
    private static extern int Mallctl([MarshalAs(UnmanagedType.LPUTF8Str)] string name, void* oldp, nuint* oldlenp, void* newp, nuint newlen);
}
