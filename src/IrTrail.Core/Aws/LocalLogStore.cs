using System.Runtime.CompilerServices;

namespace IrTrail.Core.Aws;

/// <summary>A local folder holding CloudTrail files in the S3 key layout (for example a Save-IrTrailLog case folder).</summary>
public sealed class LocalLogStore(string rootFolder) : ILogStore
{
    private readonly string _root = Path.GetFullPath(rootFolder);

    public Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(_root, prefix.Replace('/', Path.DirectorySeparatorChar));
        IReadOnlyList<string> result = Directory.Exists(dir)
            ? Directory.EnumerateDirectories(dir).Select(d => prefix + Path.GetFileName(d) + "/").Order(StringComparer.Ordinal).ToList()
            : [];
        return Task.FromResult(result);
    }

    public async IAsyncEnumerable<StoreObject> ListObjectsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A prefix ending in '/' is a folder; otherwise its parent folder is searched and names are matched.
        var cut = prefix.LastIndexOf('/') + 1;
        var dir = Path.Combine(_root, prefix[..cut].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(dir)) yield break;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        var keys = Directory.EnumerateFiles(dir, "*", options)
            .Select(f => Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var k in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fi = new FileInfo(Path.Combine(_root, k));
            yield return new StoreObject(k, fi.Length, fi.LastWriteTimeUtc, null);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public string UriOf(string key) => Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
}
