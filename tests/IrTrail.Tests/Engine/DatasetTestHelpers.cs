using System.Text.Json;
using IrTrail.Core.Dataset;
using IrTrail.Core.Query;
using IrTrail.Core.Sources;

namespace IrTrail.Tests.Engine;

internal static class DatasetTestHelpers
{
    private static readonly System.Collections.Concurrent.ConcurrentBag<string> Made = MakeBag();

    private static System.Collections.Concurrent.ConcurrentBag<string> MakeBag()
    {
        var bag = new System.Collections.Concurrent.ConcurrentBag<string>();
        // Folders a test did not delete itself (shared fixtures, failures) go when the test process ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var d in bag) try { if (Directory.Exists(d)) Directory.Delete(d, true); } catch { /* best effort */ }
        };
        return bag;
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "irtrail-test-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        Made.Add(d);
        return d;
    }

    public static Task<ConversionResult> ConvertAsync(string input, string destination, bool keepDuplicates = false, int throttle = 2) =>
        new DatasetConverter().RunAsync(Sources(input), new ConversionOptions { Destination = destination, KeepDuplicates = keepDuplicates, ThrottleLimit = throttle }, CancellationToken.None);

    public static List<ILogSource> Sources(string input) =>
        (Directory.Exists(input) ? LogFileNames.Enumerate(input) : [input]).Select(f => (ILogSource)new LocalFileSource(f)).ToList();

    public static string Glob(string root) => Path.Combine(root, "**", "*.parquet").Replace("'", "''");

    public static List<Dictionary<string, object?>> Rows(string root, string select = "*", string where = "true")
    {
        using var engine = new LocalQueryEngine();
        IReadOnlyList<QueryColumn> cols = [];
        var rows = new List<Dictionary<string, object?>>();
        foreach (var r in engine.Query($"SELECT {select} FROM read_parquet('{Glob(root)}', hive_partitioning = true, hive_types_autocast = false) WHERE {where}", c => cols = c, CancellationToken.None))
        {
            var d = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < cols.Count; i++) d[cols[i].Name] = r[i];
            rows.Add(d);
        }
        return rows;
    }

    public static object? Scalar(string root, string sql)
    {
        using var engine = new LocalQueryEngine();
        engine.Execute($"CREATE VIEW cloudtrail AS SELECT * FROM read_parquet('{Glob(root)}', hive_partitioning = true, hive_types_autocast = false)");
        return engine.Query(sql, _ => { }, CancellationToken.None).First()[0];
    }

    /// <summary>JSON equality with object key order aside (numbers compared by their text: 1 and 1.0 differ).</summary>
    public static bool JsonEqual(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind) return false;
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var pa = a.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
                var pb = b.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
                if (pa.Count != pb.Count) return false;
                for (var i = 0; i < pa.Count; i++)
                    if (pa[i].Name != pb[i].Name || !JsonEqual(pa[i].Value, pb[i].Value)) return false;
                return true;
            case JsonValueKind.Array:
                var ea = a.EnumerateArray().ToList();
                var eb = b.EnumerateArray().ToList();
                return ea.Count == eb.Count && ea.Zip(eb).All(x => JsonEqual(x.First, x.Second));
            case JsonValueKind.String: return a.GetString() == b.GetString();
            case JsonValueKind.Number: return a.GetRawText() == b.GetRawText();
            default: return true;
        }
    }
}
