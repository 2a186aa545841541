using System.Runtime.InteropServices;
using System.Text;

namespace IrTrail.Common;

/// <summary>
/// Local inputs (files and folders) in the order they were given, held until the run reads them in EndProcessing. The
/// first ones are kept in memory; past <see cref="InMemory"/> the rest go to a temporary file, so a pipeline of millions of
/// files (<c>Get-ChildItem -Recurse | Convert-IrTrailToParquet</c>) costs a file on disk instead of ~200 bytes of memory
/// each. Enumerable any number of times once the adding is done; the file is deleted on dispose.
/// </summary>
internal sealed class SpooledInputs : IDisposable
{
    /// <summary>Inputs kept in memory before spooling starts (a test may lower it).</summary>
    internal static int InMemory { get; set; } = 4096;

    /// <summary>Where the spool file goes (a test may point it somewhere unwritable).</summary>
    internal static string Folder { get; set; } = System.IO.Path.GetTempPath();

    private readonly List<(string Path, bool IsFolder)> _head = [];
    private FileStream? _spool;
    private BinaryWriter? _writer;
    private bool _inMemoryOnly; // the spool file could not be made: keep everything in memory rather than fail the run

    public int Count { get; private set; }

    /// <summary>Where the spill goes once there is one (for tests).</summary>
    internal string? SpoolPath => _spool?.Name;

    public void Add(string path, bool isFolder)
    {
        Count++;
        if (_spool is null && (_head.Count < InMemory || _inMemoryOnly || !TryOpenSpool())) { _head.Add((path, isFolder)); return; }
        // Length-prefixed UTF-16 as the string holds it: not lines (a Unix file name may hold a newline), and not UTF-8,
        // which would replace a lone surrogate (possible in a Windows file name) and lose the file.
        _writer!.Write(isFolder);
        _writer.Write(path.Length);
        _writer.Write(MemoryMarshal.AsBytes(path.AsSpan()));
    }

    private bool TryOpenSpool()
    {
        try
        {
            _spool = new FileStream(System.IO.Path.Combine(Folder, $"irtrail-inputs-{Guid.NewGuid():N}.tmp"),
                FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose);
            _writer = new BinaryWriter(_spool, Encoding.UTF8, leaveOpen: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full or read-only temp folder costs memory, not the conversion.
            _inMemoryOnly = true;
            return false;
        }
    }

    public IEnumerable<(string Path, bool IsFolder)> Items()
    {
        foreach (var item in _head) yield return item;
        if (_spool is null) yield break;
        _writer!.Flush();
        var length = _spool.Length;
        // A reader of its own, so that enumerations may overlap (a count, then the run).
        using var input = new FileStream(_spool.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        using var reader = new BinaryReader(input, Encoding.UTF8);
        while (input.Position < length)
        {
            var isFolder = reader.ReadBoolean();
            var bytes = reader.ReadBytes(reader.ReadInt32() * sizeof(char));
            yield return (new string(MemoryMarshal.Cast<byte, char>(bytes)), isFolder);
        }
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _spool?.Dispose();
        _writer = null;
        _spool = null;
    }
}
