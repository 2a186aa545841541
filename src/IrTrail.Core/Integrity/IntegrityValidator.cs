using System.Runtime.CompilerServices;
using System.Threading.Channels;
using IrTrail.Core.Aws;

namespace IrTrail.Core.Integrity;

/// <summary>What to validate.</summary>
internal sealed class IntegrityOptions
{
    /// <summary>Digests delivered from this time on (their chain is walked back until a digest starts before it); null: all.</summary>
    public DateTime? StartTime { get; init; }

    /// <summary>Digests delivered up to this time (plus one hour, for log files that spill over, as the CLI does).</summary>
    public DateTime EndTime { get; init; } = DateTime.UtcNow;

    public IReadOnlyList<string>? Accounts { get; init; }
    public IReadOnlyList<string>? Regions { get; init; }

    /// <summary>Only this trail's digests (the name in the digest file names).</summary>
    public string? TrailName { get; init; }

    /// <summary>Log files read at the same time.</summary>
    public int ThrottleLimit { get; init; } = 8;

    /// <summary>Decompressed digests larger than this are refused (CloudTrail's are kilobytes).</summary>
    public long MaxDigestBytes { get; init; } = 64L << 20;
}

/// <summary>What validation reports, in order: how many digests were listed, then a finding per object, or an object
/// that could not be checked at all.</summary>
internal abstract record IntegrityEvent;

internal sealed record DigestsListed(int Count, int Chains) : IntegrityEvent;

internal sealed record ObjectChecked(LogIntegrityResult Result) : IntegrityEvent;

/// <summary>An object not checked because reading it failed (access denied, throttled, network): an error, not a finding.</summary>
internal sealed record ObjectNotChecked(Exception Error, string Target, LogIntegrityKind Kind) : IntegrityEvent;

/// <summary>
/// Validates CloudTrail log files against their digest files as <c>aws cloudtrail validate-logs</c> does (awscli
/// customizations/cloudtrail/validation.py), over an S3 bucket or a local copy:
/// each trail's digests of an account and region form a chain, walked newest first by each digest's
/// previousDigestS3Object; a digest is checked for format, signature metadata, location (Moved), public key
/// (by fingerprint) and RSA signature; each log file a valid digest lists is read and its decompressed SHA-256 compared.
/// A missing or invalid digest continues with the next older digest listed; a digest that starts a chain while older
/// ones exist is a gap. Beyond the CLI: a digest must also be the one the newer digest recorded (hash and signature),
/// and an object with data after its gzip stream (or a truncated one) is InvalidFormat.
/// Findings stream in the order the CLI reports them; log files are read <see cref="IntegrityOptions.ThrottleLimit"/> at a time.
/// </summary>
internal sealed class IntegrityValidator(IIntegrityStore store, IPublicKeySource keys, IntegrityOptions options)
{
    public LogIntegritySummary Summary { get; } = new()
    {
        Source = store.Description, RequestedStartTime = options.StartTime, RequestedEndTime = options.EndTime,
    };

    /// <summary>A digest to check: one the listing found, or one a newer digest points to (with what it recorded about it).</summary>
    private sealed record Cursor(ListedDigest? Listed, string? Bucket, string Key, DateTime KeyTime, Expectation? Expected);

    /// <summary>What a valid digest recorded about the previous one.</summary>
    private sealed record Expectation(string Uri, string? HashValue, string? HashAlgorithm, string? Signature);

    private sealed record DigestOutcome(LogIntegrityResult? Result, DigestDocument? Document, Exception? Error, string Target)
    {
        public bool IsValid => Result?.Status == LogIntegrityStatus.Valid;
    }

    public async IAsyncEnumerable<IntegrityEvent> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Findings in report order: each is a task (log files are read in parallel), awaited in the order queued.
        var queue = Channel.CreateBounded<Task<IntegrityEvent>>(new BoundedChannelOptions(Math.Max(64, options.ThrottleLimit * 16)) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                await ProduceAsync(queue.Writer, stop.Token).ConfigureAwait(false);
                queue.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                queue.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var task in queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                var e = await task.ConfigureAwait(false);
                Count(e);
                yield return e;
            }
            await producer.ConfigureAwait(false);
        }
        finally
        {
            // A consumer that stops early (or a failure) stops the listing and the reads still running.
            await stop.CancelAsync().ConfigureAwait(false);
            try { await producer.ConfigureAwait(false); } catch (Exception) { /* already reported or cancelled */ }
        }
    }

    private void Count(IntegrityEvent e)
    {
        switch (e)
        {
            case ObjectNotChecked:
                Summary.NotChecked++;
                break;
            case ObjectChecked { Result: var r }:
                if (r.Status != LogIntegrityStatus.Valid) Summary.Findings.Add(r);
                switch (r.Kind)
                {
                    case LogIntegrityKind.Gap:
                        Summary.Gaps++;
                        break;
                    case LogIntegrityKind.Log:
                        Summary.LogFiles++;
                        if (r.Status == LogIntegrityStatus.Valid) Summary.ValidLogFiles++;
                        break;
                    case LogIntegrityKind.Digest when r.IsBackfill:
                        Summary.BackfillDigestFiles++;
                        if (r.Status == LogIntegrityStatus.Valid) Summary.ValidBackfillDigestFiles++;
                        break;
                    default:
                        Summary.DigestFiles++;
                        if (r.Status == LogIntegrityStatus.Valid) Summary.ValidDigestFiles++;
                        break;
                }
                break;
        }
    }

    private async Task ProduceAsync(ChannelWriter<Task<IntegrityEvent>> output, CancellationToken ct)
    {
        var start = options.StartTime ?? DateTime.MinValue;
        // Listed: digests whose key time is within [start, end + 1 h] (log files delivered near the end spill into the
        // next hour's digest), by day prefixes; the exact bounds are applied to the key times.
        var query = new LogFileQuery
        {
            Accounts = options.Accounts, Regions = options.Regions, StartTime = options.StartTime, EndTime = options.EndTime.AddHours(1),
        };
        var chains = new Dictionary<ChainId, List<ListedDigest>>();
        await foreach (var d in store.ListDigestsAsync(query, ct).ConfigureAwait(false))
        {
            if (d.Info.EndTime < Truncate(start) || d.Info.EndTime > Truncate(options.EndTime.AddHours(1))) continue;
            if (options.TrailName is { } trail && !string.Equals(d.Info.TrailName, trail, StringComparison.Ordinal)) continue;
            var id = d.Info.Chain(d.Primary.Bucket);
            if (!chains.TryGetValue(id, out var list)) chains[id] = list = [];
            list.Add(d);
        }
        await output.WriteAsync(Task.FromResult<IntegrityEvent>(new DigestsListed(chains.Values.Sum(c => c.Count), chains.Count)), ct).ConfigureAwait(false);

        using var readers = new SemaphoreSlim(Math.Max(1, options.ThrottleLimit));
        var ordered = chains.OrderBy(c => c.Key.Bucket, StringComparer.Ordinal).ThenBy(c => c.Key.Prefix, StringComparer.Ordinal)
            .ThenBy(c => c.Key.OrganizationId, StringComparer.Ordinal).ThenBy(c => c.Key.Account, StringComparer.Ordinal)
            .ThenBy(c => c.Key.TrailName, StringComparer.Ordinal).ThenBy(c => c.Key.HomeRegion, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Region, StringComparer.Ordinal).ThenBy(c => c.Key.IsBackfill);
        var pendingLogs = new List<Task>();
        foreach (var (chain, listed) in ordered)
            await WalkAsync(chain, listed, output, readers, pendingLogs, ct).ConfigureAwait(false);
        // The semaphore outlives every log read queued on it.
        await Task.WhenAll(pendingLogs.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
    }

    /// <summary>Times in keys have whole seconds: compare at that precision, as the CLI compares key text.</summary>
    private static DateTime Truncate(DateTime t) => t == DateTime.MinValue ? t : new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    private async Task WalkAsync(ChainId chain, List<ListedDigest> listed, ChannelWriter<Task<IntegrityEvent>> output, SemaphoreSlim readers,
        List<Task> pendingLogs, CancellationToken ct)
    {
        var start = options.StartTime ?? DateTime.MinValue;
        // Oldest first, so the next digest to take is at the end.
        var pending = listed.OrderBy(d => d.Info.EndTime).ThenBy(d => d.Primary.Key, StringComparer.Ordinal).ToList();
        var rangeStart = options.StartTime ?? pending[0].Info.EndTime.AddHours(-2);
        var cursor = Next(pending, null);
        var lastStart = cursor!.KeyTime;
        // A local copy without bucket folders: the bucket the chain's digests name, once one was read.
        var bucket = new StrongBox<string?>(chain.Bucket);
        while (cursor is not null && start <= lastStart)
        {
            var outcome = await CheckDigestAsync(chain, bucket, cursor, rangeStart, ct).ConfigureAwait(false);
            await output.WriteAsync(Task.FromResult<IntegrityEvent>(outcome.Result is { } r ? new ObjectChecked(r) : new ObjectNotChecked(outcome.Error!, outcome.Target, LogIntegrityKind.Digest)), ct).ConfigureAwait(false);
            if (!outcome.IsValid)
            {
                if (outcome.Error is KeyServiceException) return; // no key can be had for this chain: its remaining digests cannot be checked
                cursor = Next(pending, cursor.KeyTime);
                continue;
            }
            var doc = outcome.Document!;
            lastStart = doc.DigestStartTime;
            Track(doc);
            foreach (var entry in doc.LogFiles)
            {
                var digestUri = outcome.Result!.Uri!;
                var task = Task.Run(async () =>
                {
                    await readers.WaitAsync(ct).ConfigureAwait(false);
                    try { return await CheckLogAsync(chain, entry, digestUri, ct).ConfigureAwait(false); }
                    finally { readers.Release(); }
                }, ct);
                pendingLogs.Add(task);
                await output.WriteAsync(task, ct).ConfigureAwait(false);
            }
            if (doc.PreviousDigestS3Bucket is null || doc.PreviousDigestS3Object is null)
            {
                // The chain starts here. An older digest listed means digests stopped for a while: a gap.
                var older = Next(pending, cursor.KeyTime);
                if (older is not null)
                    await output.WriteAsync(Task.FromResult<IntegrityEvent>(new ObjectChecked(Gap(chain, older.KeyTime, lastStart))), ct).ConfigureAwait(false);
                cursor = older;
            }
            else
            {
                var key = doc.PreviousDigestS3Object;
                cursor = new Cursor(null, doc.PreviousDigestS3Bucket, key, DigestKey.TimeOf(key) ?? DateTime.MaxValue,
                    new Expectation(outcome.Result!.Uri!, doc.PreviousDigestHashValue, doc.PreviousDigestHashAlgorithm, doc.PreviousDigestSignature));
            }
        }
    }

    /// <summary>The newest listed digest older than <paramref name="before"/> (or the newest of all), dropping newer ones.</summary>
    private static Cursor? Next(List<ListedDigest> pending, DateTime? before)
    {
        while (pending.Count > 0)
        {
            var d = pending[^1];
            pending.RemoveAt(pending.Count - 1);
            if (before is null || d.Info.EndTime < before) return new Cursor(d, d.Primary.Bucket, d.Primary.Key, d.Info.EndTime, null);
        }
        return null;
    }

    private void Track(DigestDocument d)
    {
        // As the CLI: only valid digests count, clipped to the period asked for.
        var s = options.StartTime is { } rs && rs > d.DigestStartTime ? rs : d.DigestStartTime;
        var e = d.DigestEndTime > options.EndTime ? options.EndTime : d.DigestEndTime;
        lock (Summary)
        {
            if (Summary.FoundStartTime is null || s < Summary.FoundStartTime) Summary.FoundStartTime = s;
            if (Summary.FoundEndTime is null || e > Summary.FoundEndTime) Summary.FoundEndTime = e;
        }
    }

    private static LogIntegrityResult Gap(ChainId chain, DateTime from, DateTime to) => new()
    {
        Status = LogIntegrityStatus.Gap, Kind = LogIntegrityKind.Gap, Account = chain.Account, Region = chain.Region, TrailName = chain.TrailName,
        OrganizationId = chain.OrganizationId, StartTime = from, EndTime = to, IsBackfill = chain.IsBackfill,
        Message = $"No log files were delivered by CloudTrail between {from:yyyy-MM-dd'T'HH:mm:ss'Z'} and {to:yyyy-MM-dd'T'HH:mm:ss'Z'}",
    };

    private async Task<DigestOutcome> CheckDigestAsync(ChainId chain, StrongBox<string?> chainBucket, Cursor cursor, DateTime rangeStart, CancellationToken ct)
    {
        var here = cursor.Listed?.Primary ?? new ObjectLocation(cursor.Bucket, cursor.Key);
        var uri = here.UriWith(chainBucket.Value);
        var localPath = cursor.Listed?.LocalPath ?? (cursor.Bucket is { } b ? store.LocalPathOf(b, cursor.Key) : null);
        LogIntegrityResult Result(LogIntegrityStatus status, string message, string? actualSha = null, string? expectedSha = null, DigestDocument? d = null, string? at = null) => new()
        {
            Status = status, Kind = LogIntegrityKind.Digest, Uri = at ?? uri, LocalPath = localPath, Account = chain.Account, Region = chain.Region,
            TrailName = chain.TrailName, OrganizationId = chain.OrganizationId, StartTime = d?.DigestStartTime, EndTime = d?.DigestEndTime ?? DigestKey.TimeOf(cursor.Key),
            DigestUri = cursor.Expected?.Uri, ExpectedSha256 = expectedSha, ActualSha256 = actualSha, IsBackfill = chain.IsBackfill, Message = message,
        };

        StoredObject? stored;
        try
        {
            stored = cursor.Listed is { } listed
                ? await store.OpenAsync(listed, ct).ConfigureAwait(false)
                : cursor.Bucket is null ? null : await store.OpenAsync(cursor.Bucket, cursor.Key, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AwsException or IOException or UnauthorizedAccessException)
        {
            return new DigestOutcome(null, null, ex, uri);
        }
        if (stored is null) return new DigestOutcome(Result(LogIntegrityStatus.NotFound, "not found"), null, null, uri);

        using (stored)
        {
            localPath = stored.LocalPath ?? localPath;
            using var content = new MemoryStream();
            GzipReadResult read;
            try
            {
                read = await GzipMember.ReadAsync(stored.Stream, stored.Length, content, options.MaxDigestBytes, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AwsException or IOException or UnauthorizedAccessException)
            {
                return new DigestOutcome(null, null, ex, uri);
            }
            if (!read.IsOk) return new DigestOutcome(Result(LogIntegrityStatus.InvalidFormat, "invalid format: " + read.Problem, read.Sha256Hex), null, null, uri);

            System.Text.Json.JsonDocument json;
            try { json = DigestDocument.ParseJson(content.GetBuffer().AsMemory(0, (int)content.Length)); }
            catch (FormatException ex) { return new DigestOutcome(Result(LogIntegrityStatus.InvalidFormat, "invalid format: " + ex.Message, read.Sha256Hex), null, null, uri); }
            using (json)
            {
                // A local copy without a bucket in its path: name the object with the bucket the digest itself names.
                if (here.Bucket is null && json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object &&
                    json.RootElement.TryGetProperty("digestS3Bucket", out var nb) && nb.ValueKind == System.Text.Json.JsonValueKind.String)
                    uri = here.UriWith(nb.GetString());
                // The CLI's order: the signature metadata must be there before the content is looked at.
                if (!stored.Metadata.TryGetValue(DigestSignature.SignatureMetadata, out var signature) ||
                    !stored.Metadata.TryGetValue(DigestSignature.AlgorithmMetadata, out var algorithm))
                    return new DigestOutcome(Result(LogIntegrityStatus.SignatureInvalid,
                        "signature verification failed: the object has no signature metadata (x-amz-meta-signature, x-amz-meta-signature-algorithm)", read.Sha256Hex), null, null, uri);
                var at = DateTime.MinValue;
                if (chain.IsBackfill)
                {
                    if (!stored.Metadata.TryGetValue(DigestSignature.BackfillTimestampMetadata, out var ts) || !TryTime(ts, out at))
                        return new DigestOutcome(Result(LogIntegrityStatus.InvalidFormat,
                            "invalid format: a backfill digest without its backfill-generation-timestamp metadata", read.Sha256Hex), null, null, uri);
                }
                DigestDocument d;
                try { d = DigestDocument.FromJson(json.RootElement); }
                catch (FormatException ex) { return new DigestOutcome(Result(LogIntegrityStatus.InvalidFormat, "invalid format: " + ex.Message, read.Sha256Hex), null, null, uri); }

                var claimed = $"s3://{d.DigestS3Bucket}/{d.DigestS3Object}";
                var isHere = cursor.Listed is { } l ? l.Locations.Any(x => x.IsAt(d.DigestS3Bucket, d.DigestS3Object)) : here.IsAt(d.DigestS3Bucket, d.DigestS3Object);
                if (!isHere)
                    return new DigestOutcome(Result(LogIntegrityStatus.Moved, $"has been moved from its original location ({claimed})", read.Sha256Hex, d: d,
                        at: here.UriWith(d.DigestS3Bucket)), null, null, uri);
                uri = claimed; // a local copy with no bucket in its path takes the bucket the digest names
                chainBucket.Value ??= d.DigestS3Bucket;

                if (!chain.IsBackfill) at = d.DigestEndTime;
                PublicKeyLookup key;
                try
                {
                    key = await keys.FindAsync(new PublicKeyRequest(chain.Region, d.Fingerprint, at, rangeStart, options.EndTime), ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AwsException or IOException or HttpRequestException)
                {
                    return new DigestOutcome(null, null, new KeyServiceException($"The public keys for {chain.Region} could not be fetched, so the digest chain of " +
                        $"{chain.Account} in {chain.Region} cannot be checked: {ex.Message}", ex), uri);
                }
                if (key.Key is null) return new DigestOutcome(Result(LogIntegrityStatus.KeyNotFound, key.Problem!, read.Sha256Hex, d: d), null, null, uri);

                if (DigestSignature.Verify(key.Key.Key, d, read.Sha256Hex, signature, algorithm) is { } problem)
                    return new DigestOutcome(Result(LogIntegrityStatus.SignatureInvalid, problem, read.Sha256Hex, d: d), null, null, uri);

                // Beyond the CLI: the digest the newer one chains to must be this one, byte for byte.
                if (cursor.Expected is { } e)
                {
                    if (e.HashValue is { } h && (e.HashAlgorithm is null || e.HashAlgorithm.Equals("SHA-256", StringComparison.OrdinalIgnoreCase)) &&
                        !h.Equals(read.Sha256Hex, StringComparison.OrdinalIgnoreCase))
                        return new DigestOutcome(Result(LogIntegrityStatus.HashMismatch,
                            $"not the digest the next one recorded: its SHA-256 differs from the previousDigestHashValue in {e.Uri}", read.Sha256Hex, h, d), null, null, uri);
                    if (e.Signature is { } s && !s.Equals(signature.Trim(), StringComparison.OrdinalIgnoreCase))
                        return new DigestOutcome(Result(LogIntegrityStatus.HashMismatch,
                            $"not the digest the next one recorded: its signature differs from the previousDigestSignature in {e.Uri}", read.Sha256Hex, e.HashValue, d), null, null, uri);
                }
                return new DigestOutcome(Result(LogIntegrityStatus.Valid, "valid", read.Sha256Hex, cursor.Expected?.HashValue, d), d, null, uri);
            }
        }
    }

    private async Task<IntegrityEvent> CheckLogAsync(ChainId chain, DigestLogEntry entry, string digestUri, CancellationToken ct)
    {
        var uri = $"s3://{entry.Bucket ?? "(no bucket)"}/{entry.Key ?? "(no key)"}";
        LogIntegrityResult Result(LogIntegrityStatus status, string message, string? actual = null, string? localPath = null) => new()
        {
            Status = status, Kind = LogIntegrityKind.Log, Uri = uri, LocalPath = localPath, Account = chain.Account, Region = chain.Region,
            TrailName = chain.TrailName, OrganizationId = chain.OrganizationId, StartTime = entry.OldestEventTime, EndTime = entry.NewestEventTime,
            DigestUri = digestUri, ExpectedSha256 = entry.HashValue, ActualSha256 = actual, IsBackfill = chain.IsBackfill, Message = message,
        };
        if (entry.Bucket is null || entry.Key is null || entry.HashValue is null)
            return new ObjectChecked(Result(LogIntegrityStatus.InvalidFormat, "invalid format: the digest's entry for this log file has no s3Bucket, s3Object or hashValue"));
        StoredObject? stored;
        try
        {
            stored = await store.OpenAsync(entry.Bucket, entry.Key, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AwsException or IOException or UnauthorizedAccessException)
        {
            return new ObjectNotChecked(ex, uri, LogIntegrityKind.Log);
        }
        if (stored is null) return new ObjectChecked(Result(LogIntegrityStatus.NotFound, "not found", localPath: store.LocalPathOf(entry.Bucket, entry.Key)));
        using (stored)
        {
            GzipReadResult read;
            try
            {
                read = await GzipMember.ReadAsync(stored.Stream, stored.Length, null, long.MaxValue, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AwsException or IOException or UnauthorizedAccessException)
            {
                return new ObjectNotChecked(ex, uri, LogIntegrityKind.Log);
            }
            if (!read.IsOk) return new ObjectChecked(Result(LogIntegrityStatus.InvalidFormat, "invalid format: " + read.Problem, read.Sha256Hex, stored.LocalPath));
            // Compared as text, exactly, as the CLI compares them (CloudTrail writes lower-case hex).
            return new ObjectChecked(read.Sha256Hex == entry.HashValue
                ? Result(LogIntegrityStatus.Valid, "valid", read.Sha256Hex, stored.LocalPath)
                : Result(LogIntegrityStatus.HashMismatch, "hash value doesn't match", read.Sha256Hex, stored.LocalPath));
        }
    }

    private static bool TryTime(string text, out DateTime t)
    {
        var ok = DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out t);
        t = DateTime.SpecifyKind(t, DateTimeKind.Utc);
        return ok;
    }
}

/// <summary>The public keys of a region could not be fetched (ListPublicKeys failed): the chain cannot be checked.</summary>
internal sealed class KeyServiceException(string message, Exception inner) : IOException(message, inner);
