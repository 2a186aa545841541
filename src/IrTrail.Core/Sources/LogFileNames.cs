using System.IO.Enumeration;

namespace IrTrail.Core.Sources;

/// <summary>Which files in a folder are taken to be logs when a folder is searched (a named file is always read).</summary>
public static class LogFileNames
{
    private static readonly string[] Suffixes =
    [
        ".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz", ".log", ".log.gz", ".cloudtrail",
    ];

    /// <summary>
    /// IrTrail's own bookkeeping, which lives beside logs: a sample's ground truth, an acquisition's chain-of-custody
    /// manifest, a dataset's _irtrail/ folder. A folder search passes over them rather than calling them bad logs.
    /// </summary>
    public const string GroundTruthFile = "ground-truth.json";
    public const string AcquisitionManifestPrefix = "irtrail-acquisition-";
    public const string DatasetMetadataFolder = "_irtrail";

    public static bool LooksLikeLog(string fileName)
    {
        if (fileName.Equals(GroundTruthFile, StringComparison.OrdinalIgnoreCase) ||
            fileName.StartsWith(AcquisitionManifestPrefix, StringComparison.OrdinalIgnoreCase)) return false;
        foreach (var s in Suffixes)
            if (fileName.EndsWith(s, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Files below a folder that look like logs, in a stable (ordinal) order of their paths. Walked lazily, one
    /// directory listing at a time: a trail of a million delivery files is never held as a list. A directory that cannot
    /// be read throws, or, given <paramref name="onError"/>, is reported there and passed over.</summary>
    public static IEnumerable<string> Enumerate(string folder, Action<string, Exception>? onError = null) =>
        Walk(folder, onError).Select(f => f.Path);

    /// <summary>How many log files a folder holds and their bytes, by the same walk (folders that cannot be read count 0).</summary>
    public static (int Files, long Bytes) Measure(string folder)
    {
        var (files, bytes) = (0, 0L);
        foreach (var f in Walk(folder, (_, _) => { })) (files, bytes) = (files + 1, bytes + f.Length);
        return (files, bytes);
    }

    private static IEnumerable<(string Path, long Length)> Walk(string dir, Action<string, Exception>? onError)
    {
        var entries = List(dir, onError);
        if (entries is null) yield break;
        foreach (var e in entries)
        {
            if (!e.IsDirectory) yield return (e.Path, e.Length);
            else foreach (var file in Walk(e.Path, onError)) yield return file;
        }
    }

    private static readonly EnumerationOptions ListOptions = new() { IgnoreInaccessible = false, AttributesToSkip = FileAttributes.None };

    private readonly record struct Entry(string Key, string Path, bool IsDirectory, long Length);

    /// <summary>One directory's log files and subdirectories, ordered so that walking them gives paths in ordinal order
    /// (a directory sorts by its name and separator, as every path below it does).</summary>
    private static List<Entry>? List(string dir, Action<string, Exception>? onError)
    {
        List<Entry> entries;
        try
        {
            entries = new FileSystemEnumerable<Entry?>(dir, (ref FileSystemEntry e) =>
            {
                var name = e.FileName.ToString();
                if (!e.IsDirectory) return LooksLikeLog(name) ? new Entry(name, Path.Join(dir, name), false, e.Length) : null;
                // Links to directories are not followed (nor are they by the runtime's recursive search): no cycles.
                if ((e.Attributes & FileAttributes.ReparsePoint) != 0 || name == DatasetMetadataFolder) return null;
                return new Entry(name + Path.DirectorySeparatorChar, Path.Join(dir, name), true, 0);
            }, ListOptions).OfType<Entry>().ToList();
        }
        catch (Exception ex) when (onError is not null && ex is IOException or UnauthorizedAccessException)
        {
            onError(dir, ex);
            return null;
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }
}
