using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace IrTrail.Tests.Support;

/// <summary>
/// A moto_server (moto 5.2.1, on the machine image) on a free loopback port: the emulator for Glue, Athena,
/// CloudTrail, Config, S3 and the readiness services. One per fixture; tests reset it (<see cref="ResetAsync"/>) so
/// they do not see each other's resources. moto keeps state but does not validate requests.
/// </summary>
public sealed class MotoServerFixture : IAsyncLifetime
{
    public const string AccessKey = "testing";
    public const string SecretKey = "testing";
    public const string Region = "us-east-1";

    /// <summary>moto's default account (it answers every request as this account).</summary>
    public const string AccountId = "123456789012";

    private Process? _server;
    private readonly HttpClient _http = new();

    public string EndpointUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (MotoServer.Path is not { } exe)
        {
            // MotoFact skips these tests when moto is absent (unless it is required); reaching here means required.
            throw new InvalidOperationException(MotoServer.Missing);
        }
        var port = FreePort();
        var psi = new ProcessStartInfo(exe)
        {
            ArgumentList = { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // moto's own request log, for debugging a failing test: IRTRAIL_MOTO_LOG=<file>.
        var log = Environment.GetEnvironmentVariable("IRTRAIL_MOTO_LOG");
        _server = Process.Start(psi) ?? throw new InvalidOperationException("moto_server did not start");
        _server.OutputDataReceived += (_, e) => { if (!string.IsNullOrEmpty(log) && e.Data is not null) lock (this) File.AppendAllText(log, e.Data + "\n"); };
        _server.ErrorDataReceived += (_, e) => { if (!string.IsNullOrEmpty(log) && e.Data is not null) lock (this) File.AppendAllText(log, e.Data + "\n"); };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        EndpointUrl = $"http://127.0.0.1:{port}";
        // Ready when its management API answers; moto takes 2-3 s to import its services.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var r = await _http.GetAsync(EndpointUrl + "/moto-api/");
                if (r.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
            }
            if (_server.HasExited) throw new InvalidOperationException($"moto_server exited with code {_server.ExitCode} before it answered.");
            if (DateTime.UtcNow >= deadline) throw new TimeoutException("moto_server did not answer within 60 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>Forgets every resource (moto's /moto-api/reset). State transitions set with
    /// <see cref="SetTransitionAsync"/> survive a reset: unset them with <see cref="UnsetTransitionAsync"/>.</summary>
    public async Task ResetAsync()
    {
        using var r = await _http.PostAsync(EndpointUrl + "/moto-api/reset", null);
        r.EnsureSuccessStatusCode();
    }

    /// <summary>How a moto model's state advances, e.g. ("glue::crawl", {"progression":"immediate"}) or
    /// ("athena::execution", {"progression":"time","seconds":2}).</summary>
    public async Task SetTransitionAsync(string model, JsonObject transition)
    {
        var body = new JsonObject { ["model_name"] = model, ["transition"] = transition };
        using var r = await _http.PostAsJsonAsync(EndpointUrl + "/moto-api/state-manager/set-transition", body);
        r.EnsureSuccessStatusCode();
    }

    public async Task UnsetTransitionAsync(string model)
    {
        using var r = await _http.PostAsJsonAsync(EndpointUrl + "/moto-api/state-manager/unset-transition", new JsonObject { ["model_name"] = model });
        r.EnsureSuccessStatusCode();
    }

    /// <summary>POSTs a JSON body to a moto-api path (e.g. /moto-api/static/athena/query-results).</summary>
    public async Task PostAsync(string path, JsonNode body)
    {
        using var r = await _http.PostAsJsonAsync(EndpointUrl + path, body);
        r.EnsureSuccessStatusCode();
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        if (_server is { HasExited: false }) _server.Kill(entireProcessTree: true);
        _server?.WaitForExit(5000);
        _server?.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

/// <summary>Where moto_server is, and whether its absence skips or fails the tests that need it.</summary>
public static class MotoServer
{
    /// <summary>Set by .ci/run: CI fails, never skips, when moto is missing.</summary>
    public const string RequireVariable = "IRTRAIL_REQUIRE_MOTO";

    public static string? Path { get; } = Find();

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    public const string Missing =
        "moto_server (moto 5.2.1) is not on PATH: the AWS emulator tests cannot run. It is on the project's machine image; " +
        "elsewhere install moto[server] 5.2.1.";

    private static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, OperatingSystem.IsWindows() ? "moto_server.exe" : "moto_server");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}

/// <summary>A fact that needs moto_server: skipped with the reason when it is absent, unless IRTRAIL_REQUIRE_MOTO=1
/// (CI), where the fixture then fails the test.</summary>
public sealed class MotoFactAttribute : FactAttribute
{
    public MotoFactAttribute()
    {
        if (MotoServer.Path is null && !MotoServer.Required) Skip = MotoServer.Missing;
    }
}

/// <summary>A theory that needs moto_server (see <see cref="MotoFactAttribute"/>).</summary>
public sealed class MotoTheoryAttribute : TheoryAttribute
{
    public MotoTheoryAttribute()
    {
        if (MotoServer.Path is null && !MotoServer.Required) Skip = MotoServer.Missing;
    }
}

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoServerFixture>
{
    public const string Name = "moto";
}
