using System.Diagnostics;
using System.Text.Json;

namespace IrTrail.Tests.Support;

/// <summary>
/// A real Trino SQL parser: the npm package dt-sql-parser (its TrinoSQL validator), pinned in tests/trino and installed
/// with <c>npm ci</c> when its node_modules is missing, run once per batch of texts by tests/trino/check.mjs.
/// </summary>
public static class TrinoParser
{
    public sealed record Result(string Id, int Statements, IReadOnlyList<string> Errors);

    private static readonly string Folder = Path.Combine(TestPaths.RepoRoot, "tests", "trino");
    private static readonly Lazy<bool> Installed = new(Install);

    private static bool Install()
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "dt-sql-parser")))
            Run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], out _);
        return true;
    }

    public static IReadOnlyList<Result> Parse(IEnumerable<(string Id, string Sql)> texts)
    {
        _ = Installed.Value;
        var input = Path.Combine(Path.GetTempPath(), $"irtrail-trino-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(input, JsonSerializer.Serialize(texts.Select(t => new { id = t.Id, sql = t.Sql })));
            Run("node", ["check.mjs", input], out var output);
            using var doc = JsonDocument.Parse(output);
            return doc.RootElement.EnumerateArray().Select(r => new Result(
                r.GetProperty("id").GetString()!, r.GetProperty("statements").GetInt32(),
                r.GetProperty("errors").EnumerateArray().Select(e => $"line {e.GetProperty("line")}, column {e.GetProperty("column")}: {e.GetProperty("message").GetString()}").ToList())).ToList();
        }
        finally { File.Delete(input); }
    }

    private static void Run(string file, string[] args, out string output)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        var stderr = p.StandardError.ReadToEndAsync();
        output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 5 minutes."); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' in {Folder} failed with exit code {p.ExitCode}: {stderr.Result}");
    }
}
