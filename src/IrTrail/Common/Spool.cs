using System.Runtime.InteropServices;
using System.Text;

namespace IrTrail.Common;

/// <summary>Settings shared by every <see cref="Spool{T}"/> (tests lower the bound and move the folder).</summary>
internal static class Spool
{
    /// <summary>Items kept in memory before spooling starts.</summary>
    internal static int InMemory { get; set; } = 4096;

    /// <summary>Where spool files go.</summary>
    internal static string Folder { get; set; } = System.IO.Path.GetTempPath();
}

/// <summary>
/// Pipeline input held until the run reads it in EndProcessing, in the order it came. The first items are kept in
/// memory; past <see cref="Spool.InMemory"/> the rest go to a temporary file, so a pipeline of millions of inputs costs
/// a file on disk instead of memory for each. Enumerable any number of times once the adding is done; the file is deleted
/// on dispose. Subclasses say how one item is written and read back.
/// </summary>
internal abstract class Spool<T> : IDisposable
{
    private readonly List<T> _head = [];
    private FileStream? _spool;
    private BinaryWriter? _writer;
    private bool _inMemoryOnly; // the spool file could not be made: keep everything in memory rather than fail the run

    public int Count { get; private set; }

    /// <summary>Where the spill goes once there is one (for tests).</summary>
    internal string? SpoolPath => _spool?.Name;

    protected abstract void Write(BinaryWriter writer, T item);

    protected abstract T Read(BinaryReader reader);

    public void Add(T item)
    {
        Count++;
        if (_spool is null && (_head.Count < Spool.InMemory || _inMemoryOnly || !TryOpenSpool())) { _head.Add(item); return; }
        Write(_writer!, item);
    }

    private bool TryOpenSpool()
    {
        try
        {
            _spool = new FileStream(System.IO.Path.Combine(Spool.Folder, $"irtrail-inputs-{Guid.NewGuid():N}.tmp"),
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

    public IEnumerable<T> Items()
    {
        foreach (var item in _head) yield return item;
        if (_spool is null) yield break;
        _writer!.Flush();
        var length = _spool.Length;
        // A reader of its own, so that enumerations may overlap (a count, then the run).
        using var input = new FileStream(_spool.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        using var reader = new BinaryReader(input, Encoding.UTF8);
        while (input.Position < length) yield return Read(reader);
    }

    /// <summary>Length-prefixed UTF-16 as the string holds it (-1 for null): not lines (a Unix file name may hold a
    /// newline), and not UTF-8, which would replace a lone surrogate (possible in a Windows file name) and lose the file.</summary>
    protected static void WriteString(BinaryWriter writer, string? s)
    {
        writer.Write(s?.Length ?? -1);
        if (s is not null) writer.Write(MemoryMarshal.AsBytes(s.AsSpan()));
    }

    protected static string? ReadString(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        return length < 0 ? null : new string(MemoryMarshal.Cast<byte, char>(reader.ReadBytes(length * sizeof(char))));
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _spool?.Dispose();
        _writer = null;
        _spool = null;
    }
}
