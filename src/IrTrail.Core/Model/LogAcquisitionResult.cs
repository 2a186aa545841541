namespace IrTrail;

/// <summary>What one Save-IrTrailLog run did.</summary>
public sealed class LogAcquisitionResult
{
    public string Destination { get; init; } = "";
    public string? ManifestPath { get; init; }
    public int Downloaded { get; init; }
    public int AlreadyPresent { get; init; }
    public int Failed { get; init; }
    public long Bytes { get; init; }
    public TimeSpan Elapsed { get; init; }
}
