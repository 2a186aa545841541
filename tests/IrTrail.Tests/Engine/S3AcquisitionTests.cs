using System.Security.Cryptography;
using System.Text.Json;
using IrTrail.Core.Aws;
using IrTrail.Core.Reading;
using IrTrail.Core.Sources;
using Xunit;

namespace IrTrail.Tests.Engine;

/// <summary>Listing, reading and acquiring against s3rver on loopback.</summary>
[Collection(S3ServerCollection.Name)]
public sealed class S3AcquisitionTests(S3ServerFixture s3)
{
    private static readonly DateTime Day = new(2021, 7, 30, 0, 0, 0, DateTimeKind.Utc);

    private async Task<string> BucketWithAsync(IEnumerable<(string Key, byte[] Bytes)> objects)
    {
        var bucket = "t" + Guid.NewGuid().ToString("N")[..20];
        await s3.CreateBucketAsync(bucket);
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (o, _) => await s3.PutAsync(bucket, o.Key, o.Bytes));
        return bucket;
    }

    private static IEnumerable<(string, byte[])> SmallLayout()
    {
        foreach (var acct in new[] { "111111111111", "222222222222" })
        foreach (var region in new[] { "us-east-1", "us-west-1" })
        for (var d = -1; d <= 1; d++)
        {
            yield return (CloudTrailFixtures.Key(acct, region, Day.AddDays(d)), CloudTrailFixtures.GzipLog(acct, region, Day.AddDays(d), 3, $"{acct}{region}{d}"));
            yield return (CloudTrailFixtures.Key(acct, region, Day.AddDays(d), "CloudTrail-Digest"), "{}"u8.ToArray());
        }
    }

    [Fact]
    public async Task ListsOnlyTheNeededPrefixesForOneDay()
    {
        var bucket = await BucketWithAsync(SmallLayout());
        using var store = new S3LogStore(s3.Session(), bucket);
        var requests = new List<(string Prefix, string? Delimiter)>();
        store.ListRequested += (p, d) => requests.Add((p, d));
        var files = await LogFileFinder.FindAsync(store, new LogFileQuery { Regions = ["us-west-1"], StartTime = Day, EndTime = Day.AddSeconds(86399) }, bucket, null, default).ToListAsync();

        Assert.Equal(2, files.Count);
        Assert.All(files, f =>
        {
            Assert.Equal("us-west-1", f.Region);
            Assert.Equal(Day, f.Date);
            Assert.Equal(LogFileKind.Log, f.Kind);
            Assert.StartsWith($"s3://{bucket}/AWSLogs/", f.Uri);
            Assert.True(f.Size > 0);
            Assert.NotNull(f.ETag);
            Assert.NotNull(f.LastModified);
        });
        // Objects were listed under exactly the two day prefixes; folders only at AWSLogs/ (accounts). s3rver needs
        // the skip-scan folder fallback, real S3 answers the delimiter listing directly.
        Assert.Equal(["AWSLogs/111111111111/CloudTrail/us-west-1/2021/07/30/", "AWSLogs/222222222222/CloudTrail/us-west-1/2021/07/30/"],
            requests.Where(r => r.Delimiter is null).Select(r => r.Prefix));
        Assert.All(requests.Where(r => r.Delimiter is not null), r => Assert.Equal("AWSLogs/", r.Prefix));
    }

    [Fact]
    public async Task PaginatesBeyondOneThousandObjectsAndStopsEarly()
    {
        var one = CloudTrailFixtures.GzipLog("111111111111", "eu-west-1", Day, 1);
        var bucket = await BucketWithAsync(Enumerable.Range(0, 1203).Select(i => (CloudTrailFixtures.Key("111111111111", "eu-west-1", Day, n: i), one)));
        using var store = new S3LogStore(s3.Session(), bucket);
        var pages = 0;
        store.ListRequested += (_, d) => { if (d is null) pages++; };
        var all = await LogFileFinder.FindAsync(store, new LogFileQuery { Prefix = "AWSLogs/111111111111/CloudTrail/eu-west-1/2021/07/30/" }, bucket, null, default).ToListAsync();
        Assert.Equal(1203, all.Count);
        Assert.Equal(1203, all.Select(f => f.Key).Distinct().Count());
        Assert.Equal(2, pages);

        pages = 0;
        var first = await LogFileFinder.FindAsync(store, new LogFileQuery { Prefix = "AWSLogs/" }, bucket, null, default).Take(5).ToListAsync();
        Assert.Equal(5, first.Count);
        Assert.Equal(1, pages); // the second page was never requested
    }

    [Fact]
    public async Task OrganizationTrailLayoutUnderATrailPrefix()
    {
        var objects = new[] { "111111111111", "222222222222" }.Select(a =>
            (CloudTrailFixtures.Key(a, "eu-west-1", Day, org: "o-a1b2c3d4e5", prefix: "ct/"), CloudTrailFixtures.GzipLog(a, "eu-west-1", Day, 2, a)));
        var bucket = await BucketWithAsync(objects);
        using var store = new S3LogStore(s3.Session(), bucket);
        var files = await LogFileFinder.FindAsync(store, new LogFileQuery { Accounts = ["222222222222"], StartTime = Day }, bucket, null, default).ToListAsync();
        var f = Assert.Single(files);
        Assert.Equal(("o-a1b2c3d4e5", "222222222222", "eu-west-1"), (f.OrganizationId, f.Account, f.Region));
    }

    [Fact]
    public async Task EventsReadFromS3EqualTheSameFilesReadFromDisk()
    {
        var sans = CloudTrailFixtures.SharedData() is { } shared ? Path.Combine(shared, "sans504-s3-ransomware-lab") : null;
        var local = sans is not null && Directory.Exists(Path.Combine(sans, "us-west-1", "2021", "07", "30"))
            ? Directory.GetFiles(Path.Combine(sans, "us-west-1", "2021", "07", "30")).Order(StringComparer.Ordinal).ToList()
            : null;
        var tmp = Directory.CreateTempSubdirectory("irtrail-s3-").FullName;
        try
        {
            if (local is null)
            {
                // ../shared is absent: the same comparison over self-made files.
                local = [];
                for (var i = 0; i < 3; i++)
                {
                    var p = Path.Combine(tmp, $"342082656213_CloudTrail_us-west-1_20210730T000{i}Z_x.json.gz");
                    await File.WriteAllBytesAsync(p, CloudTrailFixtures.GzipLog("342082656213", "us-west-1", Day.AddMinutes(i * 5), 40, "f" + i));
                    local.Add(p);
                }
            }
            var bucket = await BucketWithAsync(local.Select(p => ($"AWSLogs/342082656213/CloudTrail/us-west-1/2021/07/30/{Path.GetFileName(p)}", File.ReadAllBytes(p))));
            using var store = new S3LogStore(s3.Session(), bucket);
            var files = await LogFileFinder.FindAsync(store, new LogFileQuery { Regions = ["us-west-1"], StartTime = Day, EndTime = Day }, bucket, null, default).ToListAsync();
            Assert.Equal(local.Count, files.Count);
            using var reader = new S3Reader(s3.Session());
            for (var i = 0; i < files.Count; i++)
            {
                var fromS3 = await ReadAll(reader.Open(files[i].BucketName!, files[i].Key!, files[i].Size));
                var fromDisk = await ReadAll(new LocalFileSource(local[i]));
                Assert.NotEmpty(fromDisk);
                Assert.Equal(fromDisk.Select(e => e.Json), fromS3.Select(e => e.Json));
                Assert.All(fromS3, e => Assert.Equal(files[i].Uri, e.Source));
            }
        }
        finally
        {
            Directory.Delete(tmp, true);
        }
    }

    private static async Task<List<(string Json, string Source)>> ReadAll(ILogSource source)
    {
        var result = new SourceReadResult { Source = source.Uri };
        var list = new List<(string, string)>();
        await foreach (var item in CloudTrailEventReader.ReadAsync(source, result))
        {
            Assert.Null(item.Issue);
            var e = item.Event!;
            list.Add(($"{e.EventID}|{e.EventTimeText}|{e.EventName}|{e.SourceIPAddress}|{e.UserIdentity?.Arn}|{e.RequestParameters}|{e.RecordIndex}", e.SourceFile ?? ""));
        }
        return list;
    }

    [Fact]
    public async Task MissingObjectIsNotFoundAndNamesIt()
    {
        var bucket = await BucketWithAsync([]);
        using var reader = new S3Reader(s3.Session());
        var ex = await Assert.ThrowsAsync<AwsException>(async () => await reader.Open(bucket, "AWSLogs/nope.json.gz").OpenAsync(default));
        Assert.Equal(AwsErrorKind.NotFound, ex.Kind);
        Assert.Equal($"s3://{bucket}/AWSLogs/nope.json.gz", ex.Target);
        using var store = new S3LogStore(s3.Session(), "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);
        var nb = await Assert.ThrowsAsync<AwsException>(async () => await store.ListFoldersAsync("AWSLogs/", default));
        Assert.Equal(AwsErrorKind.NotFound, nb.Kind);
    }

    [Fact]
    public async Task UnknownAccessKeyIsPermissionDenied()
    {
        var bucket = await BucketWithAsync([]);
        var bad = AwsSessionResolver.Resolve(new AwsConnectionOptions { AccessKeyId = "AKIAUNKNOWN", SecretAccessKey = "wrong", EndpointUrl = s3.EndpointUrl }, _ => null);
        using var store = new S3LogStore(bad, bucket);
        var ex = await Assert.ThrowsAsync<AwsException>(async () => await store.ListFoldersAsync("AWSLogs/", default));
        Assert.Equal(AwsErrorKind.AccessDenied, ex.Kind);
        Assert.Contains(bucket, ex.Message);
    }

    [Fact]
    public async Task SaveWritesVerifiedFilesAndManifestAndResumes()
    {
        var bucket = await BucketWithAsync(SmallLayout());
        using var store = new S3LogStore(s3.Session(), bucket);
        var files = await LogFileFinder.FindAsync(store, new LogFileQuery { StartTime = Day, EndTime = Day }, bucket, null, default).ToListAsync();
        Assert.Equal(4, files.Count);
        var caseDir = Directory.CreateTempSubdirectory("irtrail-case-").FullName;
        try
        {
            using var reader = new S3Reader(s3.Session());
            var acquirer = new LogAcquirer(reader, caseDir);
            // First run is "interrupted": only two objects are taken.
            var first = await acquirer.AcquireAsync(files.Take(2).ToList(), 2, default).ToListAsync();
            Assert.All(first, o => Assert.Equal(AcquisitionStatus.Downloaded, o.Status));
            acquirer.WriteManifest(new AcquisitionManifest { StartedUtc = DateTime.UtcNow.AddSeconds(-1), Objects = first });

            var second = await acquirer.AcquireAsync(files, 3, default).ToListAsync();
            Assert.Equal(2, second.Count(o => o.Status == AcquisitionStatus.AlreadyPresent));
            Assert.Equal(2, second.Count(o => o.Status == AcquisitionStatus.Downloaded));
            var manifestPath = acquirer.WriteManifest(new AcquisitionManifest { StartedUtc = DateTime.UtcNow, Objects = second });

            var manifest = JsonSerializer.Deserialize<AcquisitionManifest>(File.ReadAllText(manifestPath), LogAcquirer.JsonOptions)!;
            Assert.Equal(4, manifest.Objects.Count);
            foreach (var o in manifest.Objects)
            {
                var path = Path.Combine(caseDir, o.LocalPath);
                var bytes = File.ReadAllBytes(path);
                Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), o.Sha256);
                Assert.Equal(bytes.Length, o.Size);
                Assert.Equal($"s3://{bucket}/{o.LocalPath[(bucket.Length + 1)..]}", o.SourceUri);
                Assert.NotNull(o.AcquiredUtc);
            }
            Assert.Empty(Directory.GetFiles(caseDir, "*.partial", SearchOption.AllDirectories));

            // A tampered copy is not "already present": it is downloaded again.
            var victim = Path.Combine(caseDir, manifest.Objects[0].LocalPath);
            var b = File.ReadAllBytes(victim);
            b[^1] ^= 0xFF;
            File.WriteAllBytes(victim, b);
            var third = await acquirer.AcquireAsync(files, 2, default).ToListAsync();
            Assert.Equal(1, third.Count(o => o.Status == AcquisitionStatus.Downloaded));
            Assert.Equal(manifest.Objects[0].Sha256, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(victim))).ToLowerInvariant());

            // The case folder reads back through the same planner.
            var back = await LogFileFinder.FindAsync(new LocalLogStore(Path.Combine(caseDir, bucket)), new LogFileQuery(), null, null, default).ToListAsync();
            Assert.Equal(4, back.Count);
        }
        finally
        {
            Directory.Delete(caseDir, true);
        }
    }
}

/// <summary>A large object is read from S3 as a stream: managed memory stays flat while tens of MB go through.</summary>
[Collection(S3ServerAloneCollection.Name)]
public sealed class S3LargeObjectTests(S3ServerFixture s3)
{
    [Fact]
    public async Task LargeObjectStreamsWithFlatMemory()
    {
        const int events = 150_000;
        var bytes = CloudTrailFixtures.GzipLog("111111111111", "us-east-1", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), events, "big");
        var bucket = "big" + Guid.NewGuid().ToString("N")[..16];
        await s3.CreateBucketAsync(bucket);
        await s3.PutAsync(bucket, "AWSLogs/111111111111/CloudTrail/us-east-1/2024/01/01/big.json.gz", bytes);
        using var reader = new S3Reader(s3.Session());
        var source = reader.Open(bucket, "AWSLogs/111111111111/CloudTrail/us-east-1/2024/01/01/big.json.gz", bytes.Length);
        var result = new SourceReadResult { Source = source.Uri };
        GC.Collect();
        var baseline = GC.GetTotalMemory(true);
        long peak = 0, count = 0;
        await foreach (var item in CloudTrailEventReader.ReadAsync(source, result))
        {
            Assert.Null(item.Issue);
            // Live memory (after a full collection), not garbage waiting for one: what the reader holds at this point.
            if (++count % 25_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(true) - baseline);
        }
        Assert.Equal(events, count);
        Assert.True(result.BytesRead > 40_000_000, $"only {result.BytesRead:N0} bytes decompressed");
        // Nothing is buffered whole: live managed memory stays far below the decompressed size.
        Assert.True(peak < result.BytesRead / 2, $"peak {peak:N0} bytes for {result.BytesRead:N0} decompressed");
    }
}
