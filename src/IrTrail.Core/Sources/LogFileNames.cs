namespace IrTrail.Core.Sources;

/// <summary>Which files in a folder are taken to be logs when a folder is searched (a named file is always read).</summary>
public static class LogFileNames
{
    private static readonly string[] Suffixes =
    [
        ".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz", ".log", ".log.gz", ".cloudtrail",
    ];

    public static bool LooksLikeLog(string fileName)
    {
        foreach (var s in Suffixes)
            if (fileName.EndsWith(s, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Files below a folder that look like logs, in a stable (ordinal) order.</summary>
    public static IEnumerable<string> Enumerate(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.None };
        var files = Directory.EnumerateFiles(folder, "*", options).Where(f => LooksLikeLog(Path.GetFileName(f))).ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
