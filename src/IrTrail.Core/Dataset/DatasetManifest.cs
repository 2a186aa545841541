using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
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
    /// <summary>Events whose eventTime was missing or unreadable (kept in the unknown-date partition).</summary>
    [JsonPropertyName("unknownTime")] public long UnknownTime { get; set; }
    /// <summary>Bytes of JSON read (after gunzip).</summary>
    [JsonPropertyName("uncompressedBytes")] public long UncompressedBytes { get; set; }
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

    private readonly string _folder;
    private readonly string _path;

    /// <summary>What a re-run needs of each source already in: its size and SHA-256, by a 128-bit hash of its URI.
    /// About 60 bytes a source rather than the entry's strings: a dataset can hold millions of delivery files.</summary>
    private readonly Dictionary<UInt128, KnownSource> _known = [];
    private readonly HashSet<string> _runs = new(StringComparer.Ordinal);

    private readonly record struct KnownSource(long? Size, UInt128 ShaHigh, UInt128 ShaLow);

    public DatasetManifest(string root)
    {
        Root = root;
        _folder = Path.Combine(root, FolderName);
        _path = Path.Combine(_folder, "manifest.jsonl");
    }

    public string Root { get; }

    /// <summary>Entries read (and rolled forward) by <see cref="Open"/>.</summary>
    public int Count { get; private set; }

    /// <summary>The size and SHA-256 the manifest last recorded for <paramref name="uri"/>; false when it has no hash.</summary>
    public bool TryGetSource(string uri, out long? size, out string sha256) => TryGetSource(UriKey(uri), out size, out sha256);

    /// <summary>The same, by the source's <see cref="UriKey"/> (already made by the run, which hashes each URI once).</summary>
    internal bool TryGetSource(UInt128 key, out long? size, out string sha256)
    {
        size = null;
        sha256 = "";
        if (!_known.TryGetValue(key, out var k)) return false;
        Span<byte> sha = stackalloc byte[32];
        var (high, low) = (k.ShaHigh, k.ShaLow);
        MemoryMarshal.Write(sha, in high);
        MemoryMarshal.Write(sha[16..], in low);
        size = k.Size;
        sha256 = Convert.ToHexString(sha).ToLowerInvariant();
        return true;
    }

    /// <summary>The entries one run added, read from manifest.jsonl on demand (none when it is gone).</summary>
    public static IEnumerable<ManifestEntry> ReadRun(string root, string runId)
    {
        var path = Path.Combine(root, FolderName, "manifest.jsonl");
        if (!File.Exists(path)) yield break;
        var marker = $"\"{runId}\"";
        foreach (var line in File.ReadLines(path))
            if (line.Contains(marker, StringComparison.Ordinal) && JsonSerializer.Deserialize(line, ManifestJson.Default.ManifestEntry) is { } e && e.RunId == runId)
                yield return e;
    }

    /// <summary>A source's identity in memory: 16 bytes of the SHA-256 of its URI.</summary>
    public static UInt128 UriKey(string uri)
    {
        Span<byte> hash = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(uri.Length);
        var utf8 = max <= 1024 ? stackalloc byte[max] : new byte[max];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(uri, utf8)], hash);
        return MemoryMarshal.Read<UInt128>(hash);
    }

    private void Add(ManifestEntry e)
    {
        Count++;
        _runs.Add(e.RunId);
        // Only lower-case hex round-trips through the bytes, and only a hash lets a re-run recognise the file.
        if (e.Sha256 is { Length: 64 } hex && hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            var sha = Convert.FromHexString(hex).AsSpan();
            _known[UriKey(e.Uri)] = new KnownSource(e.Size, MemoryMarshal.Read<UInt128>(sha), MemoryMarshal.Read<UInt128>(sha[16..]));
        }
        else _known.Remove(UriKey(e.Uri));
    }

    public static bool IsDataset(string root) => Directory.Exists(Path.Combine(root, FolderName));

    /// <summary>IrTrail's version, as each entry records it (made once: every source's entry asks).</summary>
    public static string Version { get; } =
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
            using (var f = File.OpenRead(journalPath)) journal = JsonSerializer.Deserialize(f, ManifestJson.Default.CommitJournal)!;
            Apply(journal, index: true);
            File.Delete(journalPath);
        }
        // Anything still under a temporary name belongs to a run that never committed.
        foreach (var tmp in Directory.EnumerateFiles(Root, "*" + TempSuffix, SearchOption.AllDirectories))
            File.Delete(tmp);
    }

    private void Load()
    {
        _known.Clear();
        _runs.Clear();
        Count = 0;
        if (!File.Exists(_path)) return;
        foreach (var line in File.ReadLines(_path))
            if (line.Length > 0) Add(JsonSerializer.Deserialize(line, ManifestJson.Default.ManifestEntry)!);
    }

    /// <summary>Makes a run's files visible and records its sources: journal first, so a crash here is finished later.</summary>
    internal void Commit(CommitJournal journal)
    {
        var path = Path.Combine(_folder, $"commit-{journal.RunId}.json");
        WriteAtomic(path, s => JsonSerializer.Serialize(s, journal, ManifestJson.Default.CommitJournal));
        Apply(journal, index: false);
        File.Delete(path);
    }

    /// <summary>Renames the run's files and adds its entries to manifest.jsonl. Streamed, file to file: a run over
    /// hundreds of thousands of delivery files has as many entries, and the manifest holds every run's. Entries are
    /// not added twice (a commit interrupted after its manifest was written); <paramref name="index"/> also records
    /// them as known sources.</summary>
    private void Apply(CommitJournal journal, bool index)
    {
        foreach (var r in journal.Renames)
            if (File.Exists(r[0]) && !File.Exists(r[1])) File.Move(r[0], r[1]);
        if (_runs.Contains(journal.RunId)) return;
        // Rewritten rather than appended to, so that it is replaced atomically: the lines there are copied as they are.
        WriteAtomic(_path, s =>
        {
            if (File.Exists(_path))
                using (var old = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
                    old.CopyTo(s);
            foreach (var e in journal.Entries)
            {
                JsonSerializer.Serialize(s, e, ManifestJson.Default.ManifestEntry);
                s.WriteByte((byte)'\n');
                // Only a journal rolled forward on opening comes before a run that needs to know its sources.
                if (index) Add(e);
            }
        });
        _runs.Add(journal.RunId);
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
