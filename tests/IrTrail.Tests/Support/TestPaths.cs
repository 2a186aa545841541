namespace IrTrail.Tests.Support;

/// <summary>Where the project's fixtures and the shared real data are.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Fixtures => Path.Combine(RepoRoot, "tests", "fixtures");
    public static string FixtureLogs => Path.Combine(Fixtures, "logs");
    public static string BadLogs => Path.Combine(Fixtures, "bad");

    /// <summary>../shared/data/cloudtrail-real beside the repository, or null when it is absent (tests then skip).</summary>
    public static string? SharedData
    {
        get
        {
            var p = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", "cloudtrail-real"));
            return Directory.Exists(p) ? p : null;
        }
    }

    public const string SharedAbsent = "../shared/data/cloudtrail-real is absent: real-data tests are skipped.";

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IrTrail.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (IrTrail.sln) above " + AppContext.BaseDirectory);
    }
}
