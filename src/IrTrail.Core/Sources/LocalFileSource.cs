namespace IrTrail.Core.Sources;

/// <summary>A log file on a local or mounted file system.</summary>
public sealed class LocalFileSource(string fullPath) : ILogSource
{
    public string Uri { get; } = fullPath;

    public long? Length => File.Exists(Uri) ? new FileInfo(Uri).Length : null;

    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) =>
        // Unbuffered: readers read in large blocks of their own, and a 64 KB buffer per file was most of what a
        // conversion of many small delivery files allocated.
        ValueTask.FromResult<Stream>(new FileStream(Uri, FileMode.Open, FileAccess.Read, FileShare.Read, 0,
            FileOptions.SequentialScan | FileOptions.Asynchronous));

    public override string ToString() => Uri;
}
