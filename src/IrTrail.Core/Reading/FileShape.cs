namespace IrTrail.Core.Reading;

/// <summary>The layout a CloudTrail source turned out to have.</summary>
public enum FileShape
{
    Unknown,
    /// <summary>Nothing but white space.</summary>
    Empty,
    /// <summary><c>{"Records":[...]}</c>, as CloudTrail delivers to S3.</summary>
    Records,
    /// <summary>A bare JSON array of events.</summary>
    Array,
    /// <summary>One or more top-level event objects: a single event, or one event per line (JSON Lines).</summary>
    Objects,
    /// <summary>A CloudTrail digest file (integrity validation), not events.</summary>
    Digest,
}
