using System.Runtime.InteropServices;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Tunes and trims the C library's heap, which Arrow's writer allocates from (with malloc, on several threads). On Linux
/// with glibc, by default, blocks of more than 128 KB-32 MB come straight from the system and go back to it when freed,
/// and an arena gives back its free top whenever it grows past a threshold that follows them: every row group's buffers
/// were then new pages, each one a page fault. Kept in the heap instead, a million events took 0.4-0.6 CPU s less and
/// five million 1.5-2 s less. The other side: glibc then keeps what a finished file's writer freed, so resident memory
/// would creep up file after file; <see cref="FileWritten"/> gives free memory back every few files.
/// Elsewhere (Windows, macOS, musl) there are no such calls, and this does nothing.
/// </summary>
internal static partial class NativeHeap
{
    private static int _unavailable = OperatingSystem.IsLinux() ? 0 : 1;
    private static int _tuned;
    private static long _sinceTrim;

    /// <summary>Trimming costs the call (it walks every arena) and the page faults of memory used again after it: after
    /// every file it slowed 313 small partitions by 8-10%; every 16 MB of files written, it costs nothing measurable and
    /// still lowers the peak of five million events in one day by 20-40 MB.</summary>
    private const long TrimEveryBytes = 16L * 1024 * 1024;

    /// <summary>Blocks up to this size come from the heap, not from their own mapping (glibc's M_MMAP_THRESHOLD; 32 MB
    /// is the most its dynamic threshold reaches by itself, and the most it accepts). A row group's largest column buffers
    /// stay under it.</summary>
    internal const int MmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>An arena gives back its free top only past this much (M_TRIM_THRESHOLD). Each thread's arena may keep
    /// this much, so it sets the peak against speed: for the resampled corpus (313 partitions) 2 MB peaked at 319-336
    /// MB and took 8.1-8.5 s, 8 MB 347-352 MB and 7.7-8.1 s, 16 MB 358-362 MB and 7.3-7.7 s, 32 MB 362-384 MB and
    /// 7.0-7.6 s; five million events in one day peaked at 346 MB with 16 MB, 357 MB with 32, at the same speed.</summary>
    internal const int TrimThresholdBytes = 16 * 1024 * 1024;

    private const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;

    /// <summary>Before a conversion: sets the heap's thresholds (once per process; they are process-wide, and fixed
    /// values also end glibc's dynamic threshold). Returns whether they are set.</summary>
    public static bool Tune()
    {
        if (Volatile.Read(ref _unavailable) != 0) return false;
        if (Volatile.Read(ref _tuned) != 0) return true;
        try
        {
            var ok = mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1 & mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1;
            Volatile.Write(ref _tuned, ok ? 1 : 0);
            return ok;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref _unavailable, 1); // not glibc
            return false;
        }
    }

    /// <summary>After a file of <paramref name="fileBytes"/> is written: returns free heap pages to the system (glibc's
    /// malloc_trim) once every <see cref="TrimEveryBytes"/> written.</summary>
    public static void FileWritten(long fileBytes)
    {
        if (Volatile.Read(ref _unavailable) != 0) return;
        if (Interlocked.Add(ref _sinceTrim, fileBytes) < TrimEveryBytes) return;
        Interlocked.Exchange(ref _sinceTrim, 0);
        Trim();
    }

    /// <summary>Returns free heap pages to the system now: at the end of a conversion, so the session that ran it does
    /// not keep its writers' memory.</summary>
    public static void Trim()
    {
        if (Volatile.Read(ref _unavailable) != 0) return;
        try
        {
            malloc_trim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref _unavailable, 1); // not glibc (musl has no malloc_trim)
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
