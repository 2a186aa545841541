using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace IrTrail.Core.Sample;

/// <summary>
/// Generates CloudTrail delivery files as AWS writes them to S3, window by window (5 minutes), so memory stays bounded by
/// one window whatever the event count. Every random choice is drawn on the calling thread in a fixed order; only the
/// serialising and compressing of the window's files runs in parallel, so the bytes do not depend on thread timing.
/// </summary>
public sealed class SampleDataGenerator(SampleDataOptions options)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    public const string GroundTruthFileName = "ground-truth.json";
    public const string PublicKeyFileName = "digest-public-key.pem";

    private readonly ConcurrentBag<ArrayBufferWriter<byte>> _buffers = [];

    public SampleDataResult Generate(Action<SampleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var root = Path.GetFullPath(options.OutputPath);
        Directory.CreateDirectory(root);
        var start = new DateTime(options.StartTime.ToUniversalTime().Ticks / Window.Ticks * Window.Ticks, DateTimeKind.Utc);
        var windows = (int)Math.Ceiling(options.Duration.Ticks / (double)Window.Ticks);
        var end = start + Window * windows;

        var rng = new SampleRandom(options.Seed);
        var accounts = options.Accounts.Select(a => SampleAccount.Create(a, rng)).ToList();
        var factory = new SampleEventFactory(rng, accounts, start);
        var selected = new HashSet<string>(options.Scenarios, StringComparer.Ordinal);
        var (scenarioEvents, truth) = SampleScenarios.Build(selected, factory, rng, start, end, options.Regions, options.MaliciousIp);
        var background = Math.Max(0, options.EventCount - scenarioEvents.Count);
        var hasUsEast1 = options.Regions.Contains("us-east-1");
        var regionWeights = SampleRandom.Cumulative(options.Regions.Select((_, i) => i == 0 ? 3.0 : 1.0)); // a home region carries most traffic

        using var digests = options.IncludeDigest
            ? new DigestWriter(root, SampleDataOptions.BucketName, SampleDataOptions.TrailName, options.Regions[0], options.Organization, SeededRsaKey.Create(options.Seed ^ 0x5A17))
            : null;
        string? keyPath = null;
        if (digests is not null)
        {
            keyPath = Path.Combine(root, PublicKeyFileName);
            File.WriteAllText(keyPath, digests.PublicKeyPem() + "\n");
        }

        var result = new SampleDataResult
        {
            Root = root, GroundTruthPath = Path.Combine(root, GroundTruthFileName), PublicKeyPath = keyPath, Seed = options.Seed,
            StartTime = start, EndTime = end, Accounts = options.Accounts, Regions = options.Regions, Scenarios = truth.Select(t => t.Name).ToList(),
            ScenarioEvents = scenarioEvents.Count,
        };
        var deferred = new Dictionary<int, List<SampleEvent>>(); // late and duplicate deliveries, by window
        var scenarioIndex = 0;
        var window = new List<SampleEvent>();
        var hourStart = start;
        for (var w = 0; w < windows; w++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var windowStart = start + Window * w;
            window.Clear();
            if (deferred.Remove(w, out var carried)) window.AddRange(carried);
            var count = background * (w + 1) / windows - background * w / windows;
            for (long i = 0; i < count; i++)
            {
                var account = accounts[rng.Next(accounts.Count)];
                var region = options.Regions[rng.Weighted(regionWeights)];
                var time = windowStart.AddSeconds(rng.Next(300));
                var e = factory.Background(time, account, region, hasUsEast1);
                Deliver(e, w);
            }
            while (scenarioIndex < scenarioEvents.Count && scenarioEvents[scenarioIndex].Time < windowStart + Window)
                Deliver(scenarioEvents[scenarioIndex++], w);

            var files = window.GroupBy(e => (e.Account, e.Region))
                .OrderBy(g => g.Key.Account, StringComparer.Ordinal).ThenBy(g => g.Key.Region, StringComparer.Ordinal)
                .Select(g => new FileJob(g.Key.Account, g.Key.Region, windowStart, rng.Alphanumeric(16),
                    g.OrderBy(e => e.Time).ThenBy(e => e.EventId, StringComparer.Ordinal).ToList()))
                .ToList();
            Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism), CancellationToken = cancellationToken },
                job => WriteFile(root, job));
            foreach (var job in files)
            {
                result.Files++;
                result.Records += job.Events.Count;
                result.Bytes += job.Bytes;
                digests?.Add(job.Account, job.Region, new LogFileEntry(job.S3Object!, job.Hash!, job.Events[0].Time, job.Events[^1].Time));
            }

            // Hourly digests once the hour's last window is written.
            var next = windowStart + Window;
            if (digests is not null && (next.Minute == 0 || w == windows - 1))
            {
                foreach (var a in options.Accounts)
                    foreach (var r in options.Regions.Order(StringComparer.Ordinal))
                        digests.Write(a, r, hourStart, next);
                hourStart = next;
            }
            progress?.Invoke(new SampleProgress(w + 1, windows, result.Records, result.Files));
        }
        if (digests is not null)
        {
            result.DigestFiles = digests.Files;
            result.Bytes += digests.Bytes;
        }
        result.Events = result.Records - result.Duplicates;
        GroundTruthWriter.Write(result.GroundTruthPath, options, result, truth);
        result.Elapsed = clock.Elapsed;
        return result;

        void Deliver(SampleEvent e, int w)
        {
            // Late delivery: CloudTrail sometimes delivers an event in a later file than its time suggests.
            if (e.Scenario is null && rng.Chance(BackgroundProfile.LateRate) && w + 1 < windows)
            {
                e.DelayWindows = Math.Min(rng.Next(1, 4), windows - 1 - w);
                Defer(w + e.DelayWindows, e);
                result.LateEvents++;
                return;
            }
            window.Add(e);
            // Duplicate delivery: the same record (same eventID) again in the next window's file.
            if (rng.Chance(BackgroundProfile.DuplicateRate) && w + 1 < windows)
            {
                Defer(w + 1, e);
                result.Duplicates++;
            }
        }

        void Defer(int w, SampleEvent e)
        {
            if (!deferred.TryGetValue(w, out var list)) deferred[w] = list = [];
            list.Add(e);
        }
    }

    private sealed class FileJob(string account, string region, DateTime windowStart, string suffix, List<SampleEvent> events)
    {
        public string Account { get; } = account;
        public string Region { get; } = region;
        public DateTime WindowStart { get; } = windowStart;
        public string Suffix { get; } = suffix;
        public List<SampleEvent> Events { get; } = events;
        public string? S3Object { get; set; }
        public string? Hash { get; set; }
        public long Bytes { get; set; }
    }

    private void WriteFile(string root, FileJob job)
    {
        var prefix = options.Organization is null ? $"AWSLogs/{job.Account}" : $"AWSLogs/{options.Organization}/{job.Account}";
        job.S3Object = string.Create(CultureInfo.InvariantCulture,
            $"{prefix}/CloudTrail/{job.Region}/{job.WindowStart:yyyy'/'MM'/'dd}/{job.Account}_CloudTrail_{job.Region}_{job.WindowStart:yyyyMMdd'T'HHmm'Z'}_{job.Suffix}.json.gz");
        if (!_buffers.TryTake(out var buffer)) buffer = new ArrayBufferWriter<byte>(1 << 20);
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("Records"u8);
            foreach (var e in job.Events) SampleRecordWriter.Write(w, e);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        // Digests hash the uncompressed log file content.
        job.Hash = Convert.ToHexString(SHA256.HashData(buffer.WrittenSpan)).ToLowerInvariant();
        var path = Path.Combine(root, job.S3Object.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        job.Bytes = SampleGzip.Write(path, buffer.WrittenSpan);
        _buffers.Add(buffer);
    }
}
