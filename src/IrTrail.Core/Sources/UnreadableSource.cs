namespace IrTrail.Core.Sources;

/// <summary>
/// A folder met while walking the input that could not be listed. It stands in the input where its files would have
/// been, so the run records it as failed (an error record naming it, an entry in the manifest) and goes on.
/// </summary>
public sealed class UnreadableSource(string path, Exception error) : ILogSource
{
    public string Uri { get; } = path;

    public long? Length => null;

    public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) =>
        throw (error as IOException ?? new IOException($"The folder cannot be read: {error.Message}", error));

    public override string ToString() => Uri;
}
