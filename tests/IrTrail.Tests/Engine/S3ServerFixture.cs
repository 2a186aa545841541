using Xunit;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using IrTrail.Core.Aws;

namespace IrTrail.Tests.Engine;

/// <summary>
/// A real S3-compatible server (the pinned npm package s3rver, tests/s3) on a free loopback port for the test run.
/// Installs it with `npm ci` when node_modules is missing; stops it when the tests are done.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private Process? _server;
    private string? _dataDir;

    public string EndpointUrl { get; private set; } = "";
    public AmazonS3Client Client { get; private set; } = null!;

    public AwsSession Session() => AwsSessionResolver.Resolve(
        new AwsConnectionOptions { AccessKeyId = AccessKey, SecretAccessKey = SecretKey, EndpointUrl = EndpointUrl, Region = "us-east-1" },
        _ => null);

    public async Task InitializeAsync()
    {
        var dir = Path.Combine(RepoRoot(), "tests", "s3");
        var bin = Path.Combine(dir, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(bin)) Run("npm", "ci --no-audit --no-fund", dir);
        _dataDir = Directory.CreateTempSubdirectory("irtrail-s3rver-").FullName;
        var port = FreePort();
        var psi = new ProcessStartInfo("node")
        {
            ArgumentList = { bin, "-d", _dataDir, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            // s3rver 3.7.1 makes continuation tokens with a cipher OpenSSL 3 keeps in its legacy provider.
            Environment = { ["NODE_OPTIONS"] = "--openssl-legacy-provider" },
        };
        var log0 = Environment.GetEnvironmentVariable("IRTRAIL_S3RVER_LOG");
        if (!string.IsNullOrEmpty(log0)) psi.ArgumentList.Remove("--silent");
        _server = Process.Start(psi) ?? throw new InvalidOperationException("node did not start");
        // IRTRAIL_S3RVER_LOG=<file> keeps s3rver's request log, for debugging a failing test.
        var log = Environment.GetEnvironmentVariable("IRTRAIL_S3RVER_LOG");
        _server.OutputDataReceived += (_, e) => { if (!string.IsNullOrEmpty(log) && e.Data is not null) lock (this) File.AppendAllText(log, e.Data + "\n"); };
        _server.ErrorDataReceived += (_, e) => { if (!string.IsNullOrEmpty(log) && e.Data is not null) lock (this) File.AppendAllText(log, e.Data + "\n"); };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        EndpointUrl = $"http://127.0.0.1:{port}";
        for (var i = 0; ; i++)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (i < 100 && !_server.HasExited)
            {
                await Task.Delay(100);
            }
        }
        Client = new AmazonS3Client(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
        {
            ServiceURL = EndpointUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
    }

    public async Task CreateBucketAsync(string bucket) => await Client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

    public async Task PutAsync(string bucket, string key, byte[] content) =>
        await Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false, // s3rver stores aws-chunked framing otherwise
        });

    public async Task PutFileAsync(string bucket, string key, string path) => await PutAsync(bucket, key, await File.ReadAllBytesAsync(path));

    public Task DisposeAsync()
    {
        Client?.Dispose();
        if (_server is { HasExited: false }) _server.Kill(entireProcessTree: true);
        _server?.WaitForExit(5000);
        _server?.Dispose();
        try { if (_dataDir is not null) Directory.Delete(_dataDir, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "IrTrail.sln"))) return d.FullName;
        throw new InvalidOperationException("IrTrail.sln not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static void Run(string file, string args, string dir)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { WorkingDirectory = dir, UseShellExecute = false }) ?? throw new InvalidOperationException($"{file} did not start");
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"'{file} {args}' in {dir} failed with exit code {p.ExitCode}.");
    }
}

[CollectionDefinition(Name)]
public sealed class S3ServerCollection : ICollectionFixture<S3ServerFixture>
{
    public const string Name = "s3rver";
}

/// <summary>The same loopback S3 for tests that measure the process (memory): run alone, after the parallel tests, so
/// other tests' allocations do not count against them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class S3ServerAloneCollection : ICollectionFixture<S3ServerFixture>
{
    public const string Name = "s3rver-alone";
}
