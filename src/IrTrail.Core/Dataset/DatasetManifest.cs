using System.Text.Json;
using System.Text.Json.Serialization;

namespace IrTrail.Core.Dataset;

/// <summary>One source file's entry in the dataset manifest.</summary>
public sealed class ManifestEntry
{
    [JsonPropertyName("uri")] public string Uri { get; set; } = "";
    [JsonPropertyName("size")] public long? Size { get; set; }
    [JsonPropertyName("sha256")] public string? Sha256 { get; set; }
    /// <summary>converted, skipped (digest/empty) or failed.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("events")] public long Events { get; set; }
    [JsonPropertyName("written")] public long Written { get; set; }
    [JsonPropertyName("duplicates")] public long Duplicates { get; set; }
    [JsonPropertyName("errors")] public long Errors { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("convertedAt")] public DateTime ConvertedAt { get; set; }
    [JsonPropertyName("runId")] public string RunId { get; set; } = "";
    [JsonPropertyName("irtrailVersion")] public string IrTrailVersion { get; set; } = "";
}

/// <summary>A run's pending commit: the renames that make its files visible and the manifest entries it adds.</summary>
internal sealed class CommitJournal
{
    [JsonPropertyName("runId")] public string RunId { get; set; } = "";
    [JsonPropertyName("renames")] public List<string[]> Renames { get; set; } = [];
    /// <summary>Enumerated twice when committed (journal, then manifest): a lazy sequence must give the same entries.</summary>
    [JsonPropertyName("entries")] public IEnumerable<ManifestEntry> Entries { get; set; } = [];
}

/// <summary>
/// The <c>_irtrail/</c> folder of a dataset: <c>manifest.jsonl</c> (one line per source file that went in) and, while a
/// run commits, <c>commit-&lt;run&gt;.json</c>. Every file here is replaced atomically (temporary name, then rename), and a
/// journal left by an interrupted commit is rolled forward by the next run, so the dataset is always either before or
/// after a run, never half way.
/// </summary>
public sealed class DatasetManifest
{
    public const string FolderName = "_irtrail";
    public const string TempSuffix = ".tmp";
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly string _folder;
    private readonly string _path;

    public DatasetManifest(string root)
    {
        Root = root;
        _folder = Path.Combine(root, FolderName);
        _path = Path.Combine(_folder, "manifest.jsonl");
    }

    public string Root { get; }
    public List<ManifestEntry> Entries { get; } = [];

    public static bool IsDataset(string root) => Directory.Exists(Path.Combine(root, FolderName));

    public static string Version =>
        typeof(DatasetManifest).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    private FileStream? _lock;

    /// <summary>
    /// Takes the dataset's writer lock (one conversion at a time: a second would sweep the first one's temporary files),
    /// finishes any interrupted commit, removes files of interrupted runs, and loads the manifest. The operating system
    /// releases the lock when a process dies, so a killed run never blocks the next.
    /// </summary>
    public void Open()
    {
        Directory.CreateDirectory(_folder);
        try
        {
            _lock = new FileStream(Path.Combine(_folder, "writer.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new DatasetException($"Another conversion is writing the dataset '{Root}' (its {FolderName}/writer.lock is held). Wait for it to finish.", ex);
        }
        Load();
        foreach (var journalPath in Directory.EnumerateFiles(_folder, "commit-*.json"))
        {
            CommitJournal journal;
            using (var f = File.OpenRead(journalPath)) journal = JsonSerializer.Deserialize<CommitJournal>(f, Json)!;
            if (Apply(journal)) Entries.AddRange(journal.Entries);
            File.Delete(journalPath);
        }
        // Anything still under a temporary name belongs to a run that never committed.
        foreach (var tmp in Directory.EnumerateFiles(Root, "*" + TempSuffix, SearchOption.AllDirectories))
            File.Delete(tmp);
    }

    private void Load()
    {
        Entries.Clear();
        if (!File.Exists(_path)) return;
        foreach (var line in File.ReadLines(_path))
            if (line.Length > 0) Entries.Add(JsonSerializer.Deserialize<ManifestEntry>(line, Json)!);
    }

    /// <summary>Makes a run's files visible and records its sources: journal first, so a crash here is finished later.</summary>
    internal void Commit(CommitJournal journal)
    {
        var path = Path.Combine(_folder, $"commit-{journal.RunId}.json");
        WriteAtomic(path, s => JsonSerializer.Serialize(s, journal, Json));
        Apply(journal);
        File.Delete(path);
    }

    /// <summary>Renames the run's files and adds its entries to manifest.jsonl. Streamed, file to file: a run over
    /// hundreds of thousands of delivery files has as many entries, and the manifest holds every run's. False when the
    /// manifest already had them (a commit interrupted after its manifest was written).</summary>
    private bool Apply(CommitJournal journal)
    {
        foreach (var r in journal.Renames)
            if (File.Exists(r[0]) && !File.Exists(r[1])) File.Move(r[0], r[1]);
        if (Entries.Any(e => e.RunId == journal.RunId)) return false;
        // Rewritten rather than appended to, so that it is replaced atomically: the lines there are copied as they are.
        WriteAtomic(_path, s =>
        {
            if (File.Exists(_path))
                using (var old = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
                    old.CopyTo(s);
            foreach (var e in journal.Entries)
            {
                JsonSerializer.Serialize(s, e, Json);
                s.WriteByte((byte)'\n');
            }
        });
        return true;
    }

    /// <summary>Releases the writer lock.</summary>
    public void Close()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private static void WriteAtomic(string path, Action<Stream> write)
    {
        var tmp = path + TempSuffix;
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            write(fs);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
