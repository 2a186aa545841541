namespace IrTrail.Core.Sources;

/// <summary>
/// Something CloudTrail records can be read from: a stream plus its identity. Local files and S3 objects are read
/// through the same reader, so everything downstream (events, conversion, provenance) is the same for both.
/// </summary>
public interface ILogSource
{
    /// <summary>The identity recorded as each event's source: a full path, or an s3:// URI.</summary>
    string Uri { get; }

    /// <summary>Size in bytes when known.</summary>
    long? Length { get; }

    /// <summary>Opens the content for sequential reading.</summary>
    ValueTask<Stream> OpenAsync(CancellationToken cancellationToken);
}
