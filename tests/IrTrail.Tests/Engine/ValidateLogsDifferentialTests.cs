using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IrTrail.Core.Integrity;
using IrTrail.Core.Sample;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// The real `aws cloudtrail validate-logs` (awscli 1.x, on the machine image) and IrTrail over the same objects in
/// moto's S3 must report the same thing for every digest and log file, for valid data and for each kind of tampering;
/// where IrTrail is stricter on purpose, the test pins the exact difference. moto has no ListPublicKeys: the CLI gets
/// it from a canned JSON 1.1 responder on loopback (AWS_ENDPOINT_URL_CLOUDTRAIL), S3 from moto (AWS_ENDPOINT_URL_S3),
/// and IrTrail the same keys through its ListPublicKeys interface.
/// </summary>
[Collection(MotoCollection.Name)]
[Trait("Tier", "Full")]
public sealed partial class ValidateLogsDifferentialTests(MotoServerFixture moto, IntegritySampleFixture sample) : IClassFixture<IntegritySampleFixture>
{
    private const string Trail = "arn:aws:cloudtrail:us-east-1:" + IntegritySampleFixture.Account + ":trail/" + SampleDataOptions.TrailName;
    private static readonly DateTime Start = IntegritySampleFixture.Start;

    /// <summary>One line of a report: a digest or log file with its status, or a gap.</summary>
    private sealed record Line(string What, string Status)
    {
        public override string ToString() => $"{Status} {What}";
    }

    public static TheoryData<string> Agreeing => new()
    {
        "pristine", "log-edited", "log-corrupt", "log-deleted", "digest-edited", "digest-deleted", "digest-unsigned", "digest-moved", "wrong-key",
        "gap", "time-range", "backfill",
    };

    [AwsCliTheory]
    [MemberData(nameof(Agreeing))]
    public async Task The_CLI_and_IrTrail_agree_file_for_file(string tampering)
    {
        var (cli, irtrail) = await BothAsync(tampering);
        Assert.NotEmpty(cli);
        // Each case must show what it is about on the CLI's side too (not an accidental all-valid run).
        var expected = tampering switch
        {
            "pristine" or "time-range" => "valid",
            "log-edited" => "hash value doesn't match",
            "log-corrupt" => "invalid format",
            "log-deleted" or "digest-deleted" => "not found",
            "digest-edited" or "digest-unsigned" => "signature verification failed",
            "digest-moved" => "has been moved from its original location",
            "wrong-key" => "public key not found",
            "gap" => "gap",
            _ => null,
        };
        if (expected is not null) Assert.Contains(cli, l => l.Status == expected);
        if (tampering is "pristine" or "time-range") Assert.All(cli, l => Assert.Equal("valid", l.Status));
        if (tampering == "backfill")
        {
            Assert.Equal(2, cli.Count(l => l.What.StartsWith("(backfill) Digest file", StringComparison.Ordinal) && l.Status == "valid"));
            Assert.Contains(cli, l => l.Status == "hash value doesn't match");
        }
        Assert.Equal(cli.Select(l => l.ToString()).Order(StringComparer.Ordinal), irtrail.Select(l => l.ToString()).Order(StringComparer.Ordinal));
    }

    /// <summary>Where IrTrail is stricter than CLI 1.x, the difference is exactly this and nothing else.</summary>
    [AwsCliFact]
    public async Task Data_after_a_logs_gzip_stream_is_InvalidFormat_where_CLI_1_x_says_valid()
    {
        var (cli, irtrail) = await BothAsync("log-trailing-data");
        var victim = Assert.Single(cli.Except(irtrail));
        Assert.Equal("valid", victim.Status);
        Assert.Equal([victim with { Status = "invalid format" }], irtrail.Except(cli));
    }

    [AwsCliFact]
    public async Task A_validly_re_signed_digest_that_breaks_the_chain_is_HashMismatch_where_the_CLI_says_valid()
    {
        var (cli, irtrail) = await BothAsync("digest-resigned");
        var onlyCli = cli.Except(irtrail).ToList();
        var onlyIrTrail = Assert.Single(irtrail.Except(cli));
        Assert.Equal("hash mismatch (chain)", onlyIrTrail.Status);
        // The CLI calls the replaced digest valid and checks the log files it (now) lists; IrTrail checks none of them.
        Assert.Equal(onlyIrTrail with { Status = "valid" }, onlyCli[0]);
        Assert.True(onlyCli.Count > 1);
        Assert.All(onlyCli.Skip(1), l => Assert.Contains("/CloudTrail/", l.What));
    }

    private async Task<(List<Line> Cli, List<Line> IrTrail)> BothAsync(string tampering)
    {
        var root = sample.Copy(tampering);
        var (der, fingerprint) = SampleTamper.PublicKey(root);
        var end = Start.AddHours(3);
        DateTime? start = Start;
        Func<string, bool>? unsigned = null;
        switch (tampering)
        {
            case "pristine":
                break;
            case "log-edited":
                SampleTamper.EditContent(SampleTamper.Logs(root, "us-east-1")[4]);
                break;
            case "log-corrupt":
                SampleTamper.FlipCompressedByte(SampleTamper.Logs(root, "eu-west-1")[2]);
                break;
            case "log-trailing-data":
                SampleTamper.AppendBytes(SampleTamper.Logs(root, "us-east-1")[6], "trailing"u8.ToArray());
                break;
            case "log-deleted":
                File.Delete(SampleTamper.Logs(root, "eu-west-1")[10]);
                break;
            case "digest-edited":
                SampleTamper.EditDigest(SampleTamper.Digests(root, "us-east-1")[1]);
                break;
            case "digest-deleted":
                File.Delete(SampleTamper.Digests(root, "eu-west-1")[1]);
                break;
            case "digest-unsigned":
                var victim = SampleTamper.Digests(root, "us-east-1")[2];
                unsigned = f => f == victim;
                break;
            case "digest-moved":
                var newest = SampleTamper.Digests(root, "eu-west-1")[^1];
                File.Copy(newest, newest.Replace("T030000Z", "T040000Z"));
                File.Copy(newest + DigestWriter.SignatureSuffix, newest.Replace("T030000Z", "T040000Z") + DigestWriter.SignatureSuffix);
                break;
            case "digest-resigned":
                var middle = SampleTamper.Digests(root, "us-east-1")[1];
                var d = SampleTamper.ReadDigest(middle);
                d["logFiles"]!.AsArray().RemoveAt(0);
                using (var key = IntegritySampleFixture.SigningKey()) SampleTamper.WriteSigned(middle, d, key);
                break;
            case "wrong-key":
                using (var other = System.Security.Cryptography.RSA.Create(2048))
                    (der, fingerprint) = (other.ExportRSAPublicKey(), "00112233445566778899aabbccddeeff");
                break;
            case "gap":
                IntegritySampleFixture.CopyTree(sample.Later, root);
                end = Start.AddHours(9);
                break;
            case "time-range":
                (start, end) = (Start.AddMinutes(90), Start.AddHours(2));
                break;
            case "backfill":
                var backfill = SampleTamper.AddBackfill(root, "eu-west-1", Start.AddDays(2));
                SampleTamper.EditContent(SampleTamper.Logs(root, "eu-west-1")[2]); // listed by the second backfill digest
                break;
            default:
                throw new ArgumentException(tampering);
        }
        await MotoSamples.UploadAsync(moto, root, withoutMetadata: unsigned);

        var cli = new List<Line>();
        var irtrail = new List<Line>();
        using var responder = new ListPublicKeysResponder(der, fingerprint);
        // The CLI validates one region per run (--region): one run per region, side by side.
        var cliRuns = IntegritySampleFixture.Regions.Select(region => RunCliAsync(region, start!.Value, end, responder.EndpointUrl)).ToList();
        foreach (var run in cliRuns) cli.AddRange(await run);
        foreach (var region in IntegritySampleFixture.Regions)
        {
            var api = new FakePublicKeyApi((der, fingerprint));
            using var keys = new CloudTrailPublicKeySource(api);
            using var store = new S3IntegrityStore(MotoSamples.Session(moto), IntegritySampleFixture.Bucket, null, "");
            var o = await IntegrityRun.RunAsync(store, keys, new IntegrityOptions { StartTime = start, EndTime = end, Regions = [region] });
            Assert.Empty(o.NotChecked);
            irtrail.AddRange(o.Results.Select(ToLine));
        }
        Assert.NotEmpty(responder.Requests);
        Assert.All(responder.Requests, r => Assert.Equal("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys", r));
        return (cli, irtrail);
    }

    private static Line ToLine(LogIntegrityResult r) => r.Kind == LogIntegrityKind.Gap
        ? new Line((r.IsBackfill ? "(backfill) " : "") + r.Message, "gap")
        : new Line($"{(r.Kind == LogIntegrityKind.Digest ? (r.IsBackfill ? "(backfill) Digest file" : "Digest file") : "Log file")} {r.Uri}", r.Status switch
        {
            LogIntegrityStatus.Valid => "valid",
            LogIntegrityStatus.NotFound => "not found",
            LogIntegrityStatus.HashMismatch when r.Kind == LogIntegrityKind.Digest => "hash mismatch (chain)",
            LogIntegrityStatus.HashMismatch => "hash value doesn't match",
            LogIntegrityStatus.SignatureInvalid => "signature verification failed",
            LogIntegrityStatus.Moved => "has been moved from its original location",
            LogIntegrityStatus.KeyNotFound => "public key not found",
            LogIntegrityStatus.InvalidFormat => "invalid format",
            _ => r.Status.ToString(),
        });

    /// <summary>The CLI's report, one line per file: "&lt;Digest|Log&gt; file\t&lt;uri&gt;\t&lt;valid|INVALID: why&gt;", and gap sentences.</summary>
    private async Task<List<Line>> RunCliAsync(string region, DateTime start, DateTime end, string cloudTrailEndpoint)
    {
        var psi = new ProcessStartInfo(AwsCli.Path!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "cloudtrail", "validate-logs", "--trail-arn", Trail, "--s3-bucket", IntegritySampleFixture.Bucket, "--region", region, "--verbose",
                     "--start-time", start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                     "--end-time", end.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                 })
            psi.ArgumentList.Add(a);
        foreach (var v in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(v);
        psi.Environment["AWS_ENDPOINT_URL_S3"] = MotoEndpoint;
        psi.Environment["AWS_ENDPOINT_URL_CLOUDTRAIL"] = cloudTrailEndpoint;
        psi.Environment["AWS_ACCESS_KEY_ID"] = MotoServerFixture.AccessKey;
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = MotoServerFixture.SecretKey;
        psi.Environment["AWS_CONFIG_FILE"] = "/nonexistent/irtrail-config";
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/irtrail-credentials";
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(deadline.Token);
        var text = await stdout + "\n" + await stderr;
        Assert.True(p.ExitCode is 0 or 1, $"aws exited with {p.ExitCode}:\n{text}");
        var lines = new List<Line>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var parts = line.Split('\t');
            if (parts.Length == 3 && parts[0] is "Digest file" or "(backfill) Digest file" or "Log file")
            {
                var status = parts[2].StartsWith("INVALID: ", StringComparison.Ordinal) ? parts[2]["INVALID: ".Length..] : parts[2];
                if (status.StartsWith("public key not found", StringComparison.Ordinal)) status = "public key not found";
                lines.Add(new Line($"{parts[0]} {parts[1]}", status));
            }
            else if (line.StartsWith("No log files were delivered by CloudTrail between", StringComparison.Ordinal) ||
                     line.StartsWith("(backfill) No log files were delivered by CloudTrail between", StringComparison.Ordinal))
            {
                lines.Add(new Line(line, "gap"));
            }
            else if (line.Contains("INVALID", StringComparison.Ordinal) && !SummaryLine().IsMatch(line) || line.Contains("Traceback", StringComparison.Ordinal))
            {
                Assert.Fail($"an unexpected line from the CLI: {line}\n{text}");
            }
        }
        Assert.Contains("Results requested for", text);
        return lines;
    }

    private string MotoEndpoint => moto.EndpointUrl;

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d+/\d+ [a-z ]+ files valid")]
    private static partial System.Text.RegularExpressions.Regex SummaryLine();
}

/// <summary>
/// CloudTrail's ListPublicKeys as a canned AWS JSON 1.1 responder on loopback (moto has no ListPublicKeys): every POST
/// gets the given key (PKCS#1 DER, base64, as the API returns it) with its fingerprint. Requests are checked against
/// the operation's model: X-Amz-Target and a body with only StartTime/EndTime/NextToken.
/// </summary>
internal sealed class ListPublicKeysResponder : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly byte[] _response;

    public List<string> Requests { get; } = [];
    public string EndpointUrl { get; }

    public ListPublicKeysResponder(byte[] der, string fingerprint)
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        EndpointUrl = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(EndpointUrl + "/");
        _listener.Start();
        _response = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["PublicKeyList"] = new JsonArray(new JsonObject
            {
                ["Value"] = Convert.ToBase64String(der), ["ValidityStartTime"] = 1_700_000_000, ["ValidityEndTime"] = 1_900_000_000, ["Fingerprint"] = fingerprint,
            }),
        }.ToJsonString());
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            var target = ctx.Request.Headers["X-Amz-Target"] ?? "";
            using (var reader = new StreamReader(ctx.Request.InputStream))
            {
                var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
                var valid = ctx.Request.HttpMethod == "POST" && body.All(kv => kv.Key is "StartTime" or "EndTime" or "NextToken")
                            && ctx.Request.ContentType?.StartsWith("application/x-amz-json-1.1", StringComparison.Ordinal) == true;
                lock (Requests) Requests.Add(valid ? target : "invalid request: " + target);
            }
            ctx.Response.ContentType = "application/x-amz-json-1.1";
            ctx.Response.ContentLength64 = _response.Length;
            await ctx.Response.OutputStream.WriteAsync(_response);
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}

/// <summary>Where the `aws` CLI is (the machine image has awscli 1.x).</summary>
internal static class AwsCli
{
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => System.IO.Path.Combine(d, OperatingSystem.IsWindows() ? "aws.cmd" : "aws")).FirstOrDefault(File.Exists);

    public const string Missing = "The aws CLI is not on PATH: the differential test against `aws cloudtrail validate-logs` cannot run (it is on the project's machine image).";

    /// <summary>Missing tools skip, unless CI requires the emulators (IRTRAIL_REQUIRE_MOTO=1): then the test fails.</summary>
    public static string? SkipReason =>
        MotoServer.Required ? null : MotoServer.Path is null ? MotoServer.Missing : Path is null ? Missing : null;
}

public sealed class AwsCliFactAttribute : FactAttribute
{
    public AwsCliFactAttribute() => Skip = AwsCli.SkipReason;
}

public sealed class AwsCliTheoryAttribute : TheoryAttribute
{
    public AwsCliTheoryAttribute() => Skip = AwsCli.SkipReason;
}
