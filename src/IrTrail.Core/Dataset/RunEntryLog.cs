using System.Text.Json;

namespace IrTrail.Core.Dataset;

/// <summary>
/// A run's manifest entries, written to <c>_irtrail/entries-&lt;run&gt;.jsonl.tmp</c> as each source is consumed and read
/// back by the commit, so a run over millions of delivery files holds none of their outcomes in memory. It is a temporary
/// file: an interrupted run's is swept by the next <see cref="DatasetManifest.Open"/>.
/// </summary>
internal sealed class RunEntryLog : IDisposable
{
    private readonly string _path;
    private FileStream? _stream;

    public RunEntryLog(string root, string runId)
    {
        _path = Path.Combine(root, DatasetManifest.FolderName, $"entries-{runId}.jsonl{DatasetManifest.TempSuffix}");
        _stream = new FileStream(_path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
    }

    public long Count { get; private set; }

    public void Add(ManifestEntry entry)
    {
        JsonSerializer.Serialize(_stream!, entry, ManifestJson.Default.ManifestEntry);
        _stream!.WriteByte((byte)'\n');
        Count++;
    }

    /// <summary>The entries in the order added; each enumeration reads the file again.</summary>
    public IEnumerable<ManifestEntry> Read()
    {
        _stream!.Flush();
        using var reader = new StreamReader(new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16));
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) yield return JsonSerializer.Deserialize(line, ManifestJson.Default.ManifestEntry)!;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        try { File.Delete(_path); } catch (IOException) { /* swept by the next run */ }
    }
}
