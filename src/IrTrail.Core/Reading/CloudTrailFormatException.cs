namespace IrTrail.Core.Reading;

/// <summary>Why a source could not be read (further): the kind decides the error id and category a cmdlet reports.</summary>
public enum ReadFaultKind
{
    /// <summary>The gzip stream is corrupt or truncated.</summary>
    CorruptCompression,
    /// <summary>The JSON is malformed or truncated.</summary>
    MalformedJson,
    /// <summary>Well-formed JSON that is not CloudTrail (no CloudTrail fields, or the wrong structure).</summary>
    NotCloudTrail,
    /// <summary>One record is larger than the reader allows.</summary>
    RecordTooLarge,
    /// <summary>The source could not be opened or read (missing, denied, I/O).</summary>
    Unreadable,
}

/// <summary>A fault in a source, with where it happened (byte offset in the decompressed stream, record index).</summary>
public sealed class CloudTrailFormatException : Exception
{
    public CloudTrailFormatException(ReadFaultKind kind, string message, long? byteOffset = null, long? recordIndex = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        ByteOffset = byteOffset;
        RecordIndex = recordIndex;
    }

    public ReadFaultKind Kind { get; }
    public long? ByteOffset { get; }
    public long? RecordIndex { get; }
}
