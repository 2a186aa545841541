namespace IrTrail.Tests.Engine;

/// <summary>Where the shared real CloudTrail data is (../shared/data/cloudtrail-real), or null when absent.</summary>
internal static class SharedData
{
    public static string? Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("IRTRAIL_SHARED_DATA");
            if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            for (; dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "cloudtrail-real");
                if (Directory.Exists(candidate)) return candidate;
            }
            return Directory.Exists("/work/shared/data/cloudtrail-real") ? "/work/shared/data/cloudtrail-real" : null;
        }
    }
}
