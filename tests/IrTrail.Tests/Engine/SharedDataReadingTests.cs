using IrTrail.Core.Reading;
using IrTrail.Core.Sources;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// Every file of every source in ../shared/data/cloudtrail-real reads with the event count its MANIFEST.tsv gives
/// (digests skipped, the one malformed file failing alone). Skipped when ../shared is absent.
/// </summary>
public class SharedDataReadingTests
{
    public static TheoryData<string> Sources() =>
        TestPaths.SharedData is null ? new TheoryData<string> { "(absent)" }
            : new TheoryData<string>(Directory.GetDirectories(TestPaths.SharedData).Select(Path.GetFileName).OfType<string>().Order());

    [SharedDataTheory]
    [MemberData(nameof(Sources))]
    public void Each_file_reads_with_its_manifest_count(string source)
    {
        var folder = Path.Combine(TestPaths.SharedData!, source);
        var manifest = File.ReadLines(Path.Combine(folder, "MANIFEST.tsv")).Skip(1)
            .Select(l => l.Split('\t')).ToDictionary(c => c[0], c => c[3]);
        var files = LogFileNames.Enumerate(folder).ToList();
        var relative = files.Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).ToHashSet();
        // Folder search takes exactly the files the manifest calls logs (events, digests, the malformed one).
        var expectedFiles = manifest.Where(kv => kv.Value != "invalid-json" || !kv.Key.EndsWith(".tsv")).Select(kv => kv.Key).ToHashSet();
        Assert.Equal(expectedFiles.Order(), relative.Order());

        foreach (var file in files)
        {
            var rel = Path.GetRelativePath(folder, file).Replace('\\', '/');
            var o = Reading.ReadFile(file);
            switch (manifest[rel])
            {
                case "digest":
                    Assert.Equal(FileShape.Digest, o.Result.Shape);
                    Assert.Empty(o.Events);
                    Assert.Empty(o.Issues);
                    break;
                case "invalid-json":
                    Assert.Equal(ReadFaultKind.MalformedJson, Assert.Single(o.Issues).Kind);
                    break;
                default:
                    Assert.True(o.Issues.Count == 0, $"{rel}: {string.Join("; ", o.Issues.Select(i => i.Message))}");
                    Assert.Equal(int.Parse(manifest[rel]), o.Events.Count);
                    break;
            }
        }
    }

    [SharedDataFact]
    public void Sans_lab_has_30477_events_and_every_time_parses()
    {
        var files = LogFileNames.Enumerate(Path.Combine(TestPaths.SharedData!, "sans504-s3-ransomware-lab"));
        long events = 0, untimed = 0;
        foreach (var f in files)
        {
            var o = Reading.ReadFile(f);
            Assert.Empty(o.Issues);
            events += o.Events.Count;
            untimed += o.Events.Count(e => e.EventTime is null);
        }
        Assert.Equal(30_477, events);
        Assert.Equal(0, untimed);
    }
}
