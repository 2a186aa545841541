namespace AwsModelGen;

/// <summary>Where the generator reads and writes, relative to the repository root.</summary>
public static class Paths
{
    public const string Models = "tools/aws-models";
    public const string Generated = "src/IrTrail.Core/Aws/Generated";

    public static string? RepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IrTrail.sln"))) return dir.FullName;
        return null;
    }
}
