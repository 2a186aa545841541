using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IrTrail.Core.Integrity;

/// <summary>A log file as a digest lists it.</summary>
internal sealed record DigestLogEntry(string? Bucket, string? Key, string? HashValue, string? HashAlgorithm, DateTime? OldestEventTime, DateTime? NewestEventTime);

/// <summary>The fields of a digest file that validation uses, parsed from its decompressed JSON.</summary>
internal sealed class DigestDocument
{
    /// <summary>Keys a digest must have before its content is trusted for anything (as the CLI requires them).</summary>
    private static readonly string[] Required =
        ["digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object", "previousDigestSignature", "digestEndTime", "digestStartTime"];

    public required string DigestStartTimeText { get; init; }
    public required string DigestEndTimeText { get; init; }
    public required DateTime DigestStartTime { get; init; }
    public required DateTime DigestEndTime { get; init; }
    public required string DigestS3Bucket { get; init; }
    public required string DigestS3Object { get; init; }
    public required string Fingerprint { get; init; }
    public string? SignatureAlgorithm { get; init; }
    public string? PreviousDigestS3Bucket { get; init; }
    public string? PreviousDigestS3Object { get; init; }
    public string? PreviousDigestHashValue { get; init; }
    public string? PreviousDigestHashAlgorithm { get; init; }
    public string? PreviousDigestSignature { get; init; }
    public string? AccountId { get; init; }
    public IReadOnlyList<DigestLogEntry> LogFiles { get; init; } = [];

    /// <summary>Parses the decompressed bytes as a JSON document (UTF-8, strictly); a <see cref="FormatException"/> when they are not.</summary>
    public static JsonDocument ParseJson(ReadOnlyMemory<byte> json)
    {
        // Strict UTF-8 first: the CLI decodes the bytes before parsing and calls any failure an invalid format.
        try { _ = new UTF8Encoding(false, true).GetCharCount(json.Span); }
        catch (DecoderFallbackException) { throw new FormatException("the digest is not UTF-8 text"); }
        try { return JsonDocument.Parse(json); }
        catch (JsonException ex) { throw new FormatException("the digest is not JSON: " + ex.Message); }
    }

    /// <summary>The fields of a digest; a <see cref="FormatException"/> says which is missing or unusable.</summary>
    public static DigestDocument FromJson(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("the digest is not a JSON object");
        foreach (var r in Required)
            if (!root.TryGetProperty(r, out _)) throw new FormatException($"the digest has no '{r}'");
        var logs = new List<DigestLogEntry>();
        if (root.TryGetProperty("logFiles", out var lf) && lf.ValueKind == JsonValueKind.Array)
            foreach (var e in lf.EnumerateArray())
                logs.Add(e.ValueKind != JsonValueKind.Object
                    ? new DigestLogEntry(null, null, null, null, null, null)
                    : new DigestLogEntry(Text(e, "s3Bucket"), Text(e, "s3Object"), Text(e, "hashValue"), Text(e, "hashAlgorithm"),
                        TimeOrNull(Text(e, "oldestEventTime")), TimeOrNull(Text(e, "newestEventTime"))));
        var start = RequiredText(root, "digestStartTime");
        var end = RequiredText(root, "digestEndTime");
        var previousSignature = root.GetProperty("previousDigestSignature");
        return new DigestDocument
        {
            DigestStartTimeText = start,
            DigestEndTimeText = end,
            DigestStartTime = ParseTime(start, "digestStartTime"),
            DigestEndTime = ParseTime(end, "digestEndTime"),
            DigestS3Bucket = RequiredText(root, "digestS3Bucket"),
            DigestS3Object = RequiredText(root, "digestS3Object"),
            Fingerprint = RequiredText(root, "digestPublicKeyFingerprint"),
            SignatureAlgorithm = Text(root, "digestSignatureAlgorithm"),
            PreviousDigestS3Bucket = Text(root, "previousDigestS3Bucket"),
            PreviousDigestS3Object = Text(root, "previousDigestS3Object"),
            PreviousDigestHashValue = Text(root, "previousDigestHashValue"),
            PreviousDigestHashAlgorithm = Text(root, "previousDigestHashAlgorithm"),
            PreviousDigestSignature = previousSignature.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => previousSignature.GetString(),
                _ => throw new FormatException("'previousDigestSignature' is neither text nor null"),
            },
            AccountId = Text(root, "awsAccountId"),
            LogFiles = logs,
        };
    }

    /// <summary>Both steps at once (tests, tools).</summary>
    public static DigestDocument Parse(ReadOnlyMemory<byte> json)
    {
        using var doc = ParseJson(json);
        return FromJson(doc.RootElement);
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string RequiredText(JsonElement e, string name) =>
        Text(e, name) ?? throw new FormatException($"'{name}' is not text");

    public static DateTime ParseTime(string text, string name) =>
        TimeOrNull(text) ?? throw new FormatException($"'{name}' is not a time: '{text}'");

    private static DateTime? TimeOrNull(string? text) =>
        text is not null && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : null;
}
