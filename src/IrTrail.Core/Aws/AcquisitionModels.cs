namespace IrTrail.Core.Aws;

public enum AcquisitionStatus
{
    Downloaded,
    AlreadyPresent,
    Failed,
}

/// <summary>One object's chain-of-custody entry.</summary>
public sealed class AcquiredObject
{
    public string SourceUri { get; init; } = "";
    public string? ETag { get; init; }
    public string? VersionId { get; init; }
    public long Size { get; init; }
    public string? Sha256 { get; init; }

    /// <summary>UTC time the bytes were verified on disk (for AlreadyPresent: this run's re-verification).</summary>
    public DateTime? AcquiredUtc { get; init; }

    /// <summary>Path of the copy relative to the case folder, '/' separated.</summary>
    public string LocalPath { get; init; } = "";

    /// <summary>The object's S3 user metadata (x-amz-meta- removed), when it has any: for a digest file CloudTrail's
    /// "signature" and "signature-algorithm", which validating the case folder offline needs.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public AcquisitionStatus Status { get; init; }
    public string? Error { get; init; }

    /// <summary>The failure, for error records (not serialized).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public Exception? Exception { get; init; }
}

/// <summary>The manifest written into the case folder for one Save-IrTrailLog run.</summary>
public sealed class AcquisitionManifest
{
    public string Tool { get; init; } = "IrTrail";
    public string? IrTrailVersion { get; init; }
    public string? Operator { get; init; }
    public string? Host { get; init; }
    public DateTime StartedUtc { get; init; }
    public DateTime CompletedUtc { get; set; }

    /// <summary>The run was stopped (Ctrl+C) before every object was taken: the objects listed are those it finished.</summary>
    public bool Interrupted { get; init; }
    public IDictionary<string, string?> Parameters { get; init; } = new Dictionary<string, string?>();
    public List<AcquiredObject> Objects { get; init; } = [];
}
