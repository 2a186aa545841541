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

    /// <summary>Files below a folder that look like logs, in a stable (ordinal) order.</summary>
    public static IEnumerable<string> Enumerate(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.None };
        var sep = Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(folder, "*", options)
            .Where(f => LooksLikeLog(Path.GetFileName(f)) && !f.Contains($"{sep}{DatasetMetadataFolder}{sep}", StringComparison.Ordinal))
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
