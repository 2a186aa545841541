namespace IrTrail.Core.Aws;

/// <summary>One object (or file) found by a listing.</summary>
public sealed record StoreObject(string Key, long Size, DateTime? LastModified, string? ETag);

/// <summary>
/// A key space the listing planner walks: an S3 bucket, or a local folder holding a copy of the same layout.
/// Folder listings are one level deep (S3: delimiter "/"); object listings are recursive and paged.
/// </summary>
public interface ILogStore
{
    /// <summary>Child "folders" directly below a prefix ending in '/' (or "" for the top), each ending in '/'.</summary>
    Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Every object whose key starts with the prefix, in key order, page by page.</summary>
    IAsyncEnumerable<StoreObject> ListObjectsAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The URI that identifies one key in this store.</summary>
    string UriOf(string key);
}
