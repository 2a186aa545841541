using IrTrail.Core.Aws;

namespace IrTrail.Core.Integrity;

/// <summary>One public key as CloudTrail's ListPublicKeys returns it (Value: DER, PKCS#1 RSAPublicKey).</summary>
internal sealed record CloudTrailPublicKey(byte[] Value, DateTime? ValidityStartTime, DateTime? ValidityEndTime, string? Fingerprint);

internal sealed record CloudTrailPublicKeyPage(IReadOnlyList<CloudTrailPublicKey> PublicKeyList, string? NextToken);

/// <summary>
/// The one CloudTrail call digest validation needs, ListPublicKeys (StartTime, EndTime, NextToken), in one region.
/// A narrow seam: IrTrail's CloudTrail client (issue 19, AWSSDK.Core's AmazonServiceClient with generated types)
/// implements it; tests implement it directly. Failures are thrown as <see cref="AwsException"/>.
/// </summary>
internal interface ICloudTrailPublicKeyApi
{
    Task<CloudTrailPublicKeyPage> ListPublicKeysAsync(string region, DateTime startTime, DateTime endTime, string? nextToken, CancellationToken cancellationToken);
}

/// <summary>
/// Where the cmdlet gets an <see cref="ICloudTrailPublicKeyApi"/> for a session.
/// SEAM (issue 22 / issue 19), left for the lead to wire: <see cref="Factory"/> is null, so Test-IrTrailLogIntegrity
/// asks for -PublicKeyPath (error PublicKeySourceUnavailable). Wiring it is a small adapter and one assignment here,
/// <c>Factory = session =&gt; new CloudTrailClientPublicKeyApi(session)</c>, where the adapter keeps one
/// <c>CloudTrailClient(session, region)</c> (Aws/Generated) per region asked for and maps
/// <c>ListPublicKeysAsync(new ListPublicKeysRequest { StartTime, EndTime, NextToken })</c> to
/// <see cref="CloudTrailPublicKeyPage"/> (PublicKey.Value, ValidityStartTime, ValidityEndTime, Fingerprint; NextToken);
/// the client already reports failures as <see cref="AwsException"/>. Tests set <see cref="Factory"/> to a fake.
/// </summary>
internal static class CloudTrailPublicKeyApi
{
    internal static Func<AwsSession, ICloudTrailPublicKeyApi>? Factory { get; set; }

    /// <summary>Whether this build can call ListPublicKeys.</summary>
    public static bool IsAvailable => Factory is not null;

    public static ICloudTrailPublicKeyApi? ForSession(AwsSession session) => Factory?.Invoke(session);
}

/// <summary>
/// Public keys from CloudTrail, per region, fetched once for the whole validation range the first time a region is
/// asked (as the CLI does: start to end plus two hours), then again only for a digest outside every range fetched so
/// far (the hours around it). Thread-safe; keys are shared by the digests of a region.
/// </summary>
internal sealed class CloudTrailPublicKeySource(ICloudTrailPublicKeyApi api) : IPublicKeySource, IDisposable
{
    private sealed class RegionKeys
    {
        public readonly List<DigestPublicKey> Keys = [];
        public readonly HashSet<string> Unloadable = new(StringComparer.OrdinalIgnoreCase);
        public readonly List<(DateTime Start, DateTime End)> Fetched = [];
        public readonly SemaphoreSlim Gate = new(1, 1);
    }

    private readonly Dictionary<string, RegionKeys> _regions = new(StringComparer.Ordinal);

    /// <summary>ListPublicKeys calls made (region, start, end), for tests and -Debug.</summary>
    public List<(string Region, DateTime Start, DateTime End)> Calls { get; } = [];

    public async ValueTask<PublicKeyLookup> FindAsync(PublicKeyRequest request, CancellationToken cancellationToken)
    {
        var (region, fingerprint, at) = (request.Region, request.Fingerprint, request.At);
        RegionKeys keys;
        lock (_regions)
        {
            if (!_regions.TryGetValue(region, out keys!)) _regions[region] = keys = new RegionKeys();
        }
        await keys.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (keys.Keys.FirstOrDefault(k => k.Answers(fingerprint)) is { } known) return new PublicKeyLookup(known, null);
            if (!keys.Fetched.Any(w => w.Start <= at && at <= w.End))
            {
                var (start, end) = keys.Fetched.Count == 0 && request.RangeStart <= at && at <= request.RangeEnd.AddHours(2)
                    ? (request.RangeStart, request.RangeEnd.AddHours(2))
                    : (at.AddHours(-2), at.AddHours(2));
                await FetchAsync(region, start, end, keys, cancellationToken).ConfigureAwait(false);
                if (keys.Keys.FirstOrDefault(k => k.Answers(fingerprint)) is { } found) return new PublicKeyLookup(found, null);
            }
            return new PublicKeyLookup(null, keys.Unloadable.Contains(fingerprint.Trim())
                ? $"the public key with fingerprint {fingerprint} from ListPublicKeys in {region} is not an RSA public key"
                : $"public key not found in region {region} for fingerprint {fingerprint}");
        }
        finally
        {
            keys.Gate.Release();
        }
    }

    private async Task FetchAsync(string region, DateTime start, DateTime end, RegionKeys keys, CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            lock (Calls) Calls.Add((region, start, end));
            var page = await api.ListPublicKeysAsync(region, start, end, token, cancellationToken).ConfigureAwait(false);
            foreach (var k in page.PublicKeyList)
            {
                // A key CloudTrail returns that cannot be loaded answers to nothing; the digests it signed say why.
                try { keys.Keys.Add(DigestPublicKey.FromDer(k.Value, $"ListPublicKeys in {region}", k.Fingerprint)); }
                catch (System.Security.Cryptography.CryptographicException) { if (k.Fingerprint is { } f) keys.Unloadable.Add(f.Trim()); }
            }
            token = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        } while (token is not null);
        keys.Fetched.Add((start, end));
    }

    public void Dispose()
    {
        foreach (var r in _regions.Values)
        {
            foreach (var k in r.Keys) k.Dispose();
            r.Gate.Dispose();
        }
    }
}
