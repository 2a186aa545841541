using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using IrTrail.Core.Aws;
using IrTrail.Core.Integrity;
using IrTrail.Core.Sample;
using IrTrail.Tests.Engine;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Cmdlets;

/// <summary>Save-IrTrailLog against S3 (moto, and a loopback stub that never finishes a download): digests keep their
/// signature metadata in the manifest, so the case folder validates offline; a stop ends a download mid-way cleanly.</summary>
[Collection(MotoCollection.Name)]
[Trait("Tier", "Full")]
public sealed class SaveIrTrailLogS3Tests(MotoServerFixture moto, IntegritySampleFixture sample) : IClassFixture<IntegritySampleFixture>, IDisposable
{
    private readonly string _case = Path.Combine(Path.GetTempPath(), "irtrail-save-s3-" + Guid.NewGuid().ToString("N"));
    private readonly TestRunspace _ps = new();

    private TestRunspace.Result Run(string script) => _ps.Run(
        "$cred = [pscredential]::new('testing', (ConvertTo-SecureString 'testing' -AsPlainText -Force)); $aws = @{ EndpointUrl = $endpoint; Credential = $cred }; " + script,
        new Dictionary<string, object?> { ["endpoint"] = moto.EndpointUrl, ["case"] = _case });

    private static AcquisitionManifest Manifest(string path) => JsonSerializer.Deserialize<AcquisitionManifest>(File.ReadAllText(path), LogAcquirer.JsonOptions)!;

    [MotoFact]
    public async Task A_case_folder_keeps_each_digests_signature_and_validates_offline()
    {
        await MotoSamples.UploadAsync(moto, sample.Pristine);
        var r = Run("Get-IrTrailLogFile -S3Uri s3://irtrail-sample-cloudtrail/ -Kind Log, Digest @aws | Save-IrTrailLog -Destination $case -Force @aws");
        Assert.Empty(r.Errors);
        var result = Assert.IsType<LogAcquisitionResult>(Assert.Single(r.Output).BaseObject);
        var manifest = Manifest(result.ManifestPath!);
        var digests = manifest.Objects.Where(o => o.SourceUri.Contains("/CloudTrail-Digest/")).ToList();
        Assert.Equal(SampleTamper.Digests(sample.Pristine).Count, digests.Count);
        foreach (var d in digests)
        {
            var originalFile = Path.Combine(sample.Pristine, d.SourceUri["s3://irtrail-sample-cloudtrail/".Length..]);
            Assert.Equal(SampleTamper.Signature(originalFile), d.Metadata!["signature"]);
            Assert.Equal("SHA256withRSA", d.Metadata["signature-algorithm"]);
        }
        Assert.All(manifest.Objects.Except(digests), o => Assert.Null(o.Metadata));

        // Offline: the case folder (bucket folder below it, signatures from the manifest) gives what the sample gives.
        var offline = await IntegrityRun.FolderAsync(_case, keyPath: sample.Result.PublicKeyPath);
        var original = await IntegrityRun.FolderAsync(sample.Pristine);
        Assert.Equal(original.Results.Select(x => (x.Uri, x.Status)), offline.Results.Select(x => (x.Uri, x.Status)));
        Assert.True(offline.Summary.IsValid);
        Assert.All(offline.Results, x => Assert.StartsWith(Path.Combine(_case, "irtrail-sample-cloudtrail"), x.LocalPath));

        // A resumed run records the signatures of digests already present: from the earlier manifest, or read again
        // from S3 when that manifest has none (here it is removed from it).
        var node = JsonNode.Parse(File.ReadAllText(result.ManifestPath!))!;
        foreach (var o in node["Objects"]!.AsArray()) o!.AsObject().Remove("Metadata");
        File.WriteAllText(result.ManifestPath!, node.ToJsonString());
        r = Run("Get-IrTrailLogFile -S3Uri s3://irtrail-sample-cloudtrail/ -Kind Log, Digest @aws | Save-IrTrailLog -Destination $case -Force @aws");
        Assert.Empty(r.Errors);
        var again = (LogAcquisitionResult)Assert.Single(r.Output).BaseObject;
        Assert.Equal(manifest.Objects.Count, again.AlreadyPresent);
        var second = Manifest(again.ManifestPath!);
        Assert.All(second.Objects.Where(o => o.SourceUri.Contains("/CloudTrail-Digest/")), o =>
            Assert.Equal(SampleTamper.Signature(Path.Combine(sample.Pristine, o.SourceUri["s3://irtrail-sample-cloudtrail/".Length..])), o.Metadata!["signature"]));
        var resumed = await IntegrityRun.FolderAsync(_case, keyPath: sample.Result.PublicKeyPath);
        Assert.True(resumed.Summary.IsValid);
    }

    [MotoFact]
    public async Task A_missing_object_is_S3ObjectNotFound_naming_it()
    {
        await MotoSamples.UploadAsync(moto, sample.Pristine);
        var r = Run("$f = Get-IrTrailLogFile -S3Uri s3://irtrail-sample-cloudtrail/ @aws | Select-Object -First 2; " +
                    "$ghost = [IrTrail.LogFile]@{ Uri = 's3://irtrail-sample-cloudtrail/AWSLogs/ghost.json.gz'; BucketName = 'irtrail-sample-cloudtrail'; Key = 'AWSLogs/ghost.json.gz'; Size = 10 }; " +
                    "@($f) + $ghost | Save-IrTrailLog -Destination $case -Force @aws");
        var error = Assert.Single(r.Errors);
        Assert.Equal("S3ObjectNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("s3://irtrail-sample-cloudtrail/AWSLogs/ghost.json.gz", error.TargetObject);
        Assert.Equal(2, ((LogAcquisitionResult)Assert.Single(r.Output).BaseObject).Downloaded);
    }

    public void Dispose()
    {
        _ps.Dispose();
        try { if (Directory.Exists(_case)) Directory.Delete(_case, true); } catch (IOException) { }
    }
}

/// <summary>Ctrl+C during Save-IrTrailLog: a download under way stops within a deadline, cleanly.</summary>
[Trait("Tier", "Full")]
public sealed class SaveIrTrailLogStopTests : IDisposable
{
    private readonly string _case = Path.Combine(Path.GetTempPath(), "irtrail-save-stop-" + Guid.NewGuid().ToString("N"));

    private static AcquisitionManifest Manifest(string path) => JsonSerializer.Deserialize<AcquisitionManifest>(File.ReadAllText(path), LogAcquirer.JsonOptions)!;

    [Fact]
    public async Task A_stop_ends_a_download_under_way_leaves_no_partial_file_and_records_what_was_saved()
    {
        var files = new[]
        {
            new LogFile { Uri = "s3://stub/AWSLogs/fast.json.gz", BucketName = "stub", Key = "AWSLogs/fast.json.gz", Size = TrickleS3.FastBytes.Length },
            new LogFile { Uri = "s3://stub/AWSLogs/slow.json.gz", BucketName = "stub", Key = "AWSLogs/slow.json.gz", Size = TrickleS3.SlowLength },
        };
        using var ps = PowerShell.Create(System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
        using var stub = new TrickleS3(); // disposed first: a pipeline that did not stop is then unblocked, not left hanging
        ps.AddCommand(new CmdletInfo("Save-IrTrailLog", typeof(IrTrail.Commands.SaveIrTrailLogCommand)))
            .AddParameter("InputObject", files).AddParameter("Destination", _case).AddParameter("Force").AddParameter("EndpointUrl", stub.EndpointUrl)
            .AddParameter("Credential", new PSCredential("a", new System.Net.NetworkCredential("", "b").SecurePassword)).AddParameter("Region", "us-east-1")
            .AddParameter("ThrottleLimit", 2);
        var handle = ps.BeginInvoke();

        // Proof that work is under way: the fast object is saved and the slow one is partly on disk.
        var partial = Path.Combine(_case, "stub", "AWSLogs", "slow.json.gz.partial");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(File.Exists(Path.Combine(_case, "stub", "AWSLogs", "fast.json.gz")) && File.Exists(partial) && new FileInfo(partial).Length > 0))
        {
            Assert.True(DateTime.UtcNow < deadline, "the downloads did not start within 60 s");
            // (Counted, not listed: enumerating a running pipeline's error collection waits for the pipeline to end.)
            Assert.False(handle.IsCompleted, $"the command ended before it was stopped, with {ps.Streams.Error.Count} errors");
            await Task.Delay(50);
        }
        Assert.True(stub.SlowStarted.IsSet);

        var stopping = ps.BeginStop(null, null); // what Ctrl+C does
        Assert.True(stopping.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)) && handle.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)),
            "the download was not interrupted within 30 s");
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.False(File.Exists(partial), "the partial download was left behind");
        var manifest = Manifest(Assert.Single(Directory.GetFiles(_case, LogAcquirer.ManifestPrefix + "*.json")));
        Assert.True(manifest.Interrupted);
        var saved = Assert.Single(manifest.Objects);
        Assert.Equal("s3://stub/AWSLogs/fast.json.gz", saved.SourceUri);
        Assert.Equal(AcquisitionStatus.Downloaded, saved.Status);
    }

    public void Dispose()
    {
        try { if (Directory.Exists(_case)) Directory.Delete(_case, true); } catch (IOException) { }
    }
}

/// <summary>An S3 stand-in on loopback: GetObject of ".../fast.json.gz" answers at once; any other key sends its
/// headers and a first MiB, then nothing more until the client goes away.</summary>
internal sealed class TrickleS3 : IDisposable
{
    public static readonly byte[] FastBytes = CloudTrailFixtures.GzipLog("111122223333", "us-east-1", new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), 20);
    public const long SlowLength = 50L << 20;

    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ManualResetEventSlim SlowStarted { get; } = new();
    public string EndpointUrl { get; }

    public TrickleS3()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        EndpointUrl = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(EndpointUrl + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => AnswerAsync(ctx));
        }
    }

    private async Task AnswerAsync(HttpListenerContext ctx)
    {
        try
        {
            ctx.Response.ContentType = "application/octet-stream";
            if (ctx.Request.Url!.AbsolutePath.EndsWith("/fast.json.gz", StringComparison.Ordinal))
            {
                ctx.Response.ContentLength64 = FastBytes.Length;
                await ctx.Response.OutputStream.WriteAsync(FastBytes);
                ctx.Response.Close();
                return;
            }
            ctx.Response.ContentLength64 = SlowLength;
            await ctx.Response.OutputStream.WriteAsync(new byte[1 << 20]); // more than the writer buffers: some reaches the disk
            await ctx.Response.OutputStream.FlushAsync();
            SlowStarted.Set();
            await Task.Delay(Timeout.Infinite, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            try { ctx.Response.Abort(); } catch (ObjectDisposedException) { }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        SlowStarted.Dispose();
    }
}

/// <summary>Save-IrTrailLog against s3rver, which refuses keys it does not know: S3AccessDenied per object.</summary>
[Collection(S3ServerCollection.Name)]
[Trait("Tier", "Full")]
public sealed class SaveIrTrailLogAccessTests(S3ServerFixture s3) : IDisposable
{
    private readonly string _case = Path.Combine(Path.GetTempPath(), "irtrail-save-denied-" + Guid.NewGuid().ToString("N"));
    private readonly TestRunspace _ps = new();

    [Fact]
    public async Task Credentials_the_server_refuses_are_S3AccessDenied_per_object()
    {
        var bucket = "denied" + Guid.NewGuid().ToString("N")[..12];
        await s3.CreateBucketAsync(bucket);
        await s3.PutAsync(bucket, "AWSLogs/a.json.gz", TrickleS3.FastBytes);
        var r = _ps.Run("$f = [IrTrail.LogFile]@{ Uri = \"s3://$bucket/AWSLogs/a.json.gz\"; BucketName = $bucket; Key = 'AWSLogs/a.json.gz'; Size = 10 }; " +
                        "$f | Save-IrTrailLog -Destination $case -Force -EndpointUrl $endpoint -Region us-east-1 " +
                        "-Credential ([pscredential]::new('AKIAUNKNOWN', (ConvertTo-SecureString 'wrong' -AsPlainText -Force)))",
            new Dictionary<string, object?> { ["case"] = _case, ["bucket"] = bucket, ["endpoint"] = s3.EndpointUrl });
        var error = Assert.Single(r.Errors);
        Assert.Equal("S3AccessDenied", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Equal($"s3://{bucket}/AWSLogs/a.json.gz", error.TargetObject);
        Assert.Equal(1, ((LogAcquisitionResult)Assert.Single(r.Output).BaseObject).Failed);
    }

    public void Dispose()
    {
        _ps.Dispose();
        try { if (Directory.Exists(_case)) Directory.Delete(_case, true); } catch (IOException) { }
    }
}
