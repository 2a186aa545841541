using AwsModelGen;

// dotnet run --project tools/AwsModelGen [-- generate] [--models DIR] [--out DIR]
// dotnet run --project tools/AwsModelGen -- trim --source DIR [--source DIR...] [--models DIR]
var root = Paths.RepoRoot(AppContext.BaseDirectory) ?? Paths.RepoRoot(Environment.CurrentDirectory)
    ?? throw new InvalidOperationException("Run from inside the IrTrail repository (IrTrail.sln not found above here).");
var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "generate";
string Option(string name, string fallback) => Options(name).LastOrDefault() ?? fallback;
IEnumerable<string> Options(string name)
{
    for (var i = 0; i < args.Length - 1; i++)
        if (args[i] == name) yield return args[i + 1];
}
var models = Path.GetFullPath(Option("--models", Path.Combine(root, Paths.Models)));

switch (command)
{
    case "generate":
    {
        var outDir = Path.GetFullPath(Option("--out", Path.Combine(root, Paths.Generated)));
        var files = Generator.Generate(models);
        Directory.CreateDirectory(outDir);
        foreach (var stale in Directory.GetFiles(outDir, "*.g.cs").Where(f => !files.ContainsKey(Path.GetFileName(f)))) File.Delete(stale);
        foreach (var (name, text) in files) File.WriteAllText(Path.Combine(outDir, name), text);
        Console.WriteLine($"{files.Count} files written to {outDir}");
        return 0;
    }
    case "trim":
    {
        var sources = Options("--source").Select(Path.GetFullPath).ToList();
        if (sources.Count == 0)
        {
            Console.Error.WriteLine("trim needs --source DIR: a folder of botocore models (<service>/service-2.json or botocore/data).");
            return 2;
        }
        var files = Trimmer.Trim(models, sources);
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(models, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        Console.WriteLine($"{files.Count} model files written under {models}");
        return 0;
    }
    default:
        Console.Error.WriteLine($"Unknown command '{command}': use generate or trim.");
        return 2;
}
