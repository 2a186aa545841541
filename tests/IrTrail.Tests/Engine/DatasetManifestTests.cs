using System.Text.Json;
using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

/// <summary>A commit interrupted between writing its journal and deleting it is finished by the next open, exactly once,
/// wherever it stopped.</summary>
public sealed class DatasetManifestTests
{
    private static ManifestEntry Entry(string uri, string run) => new()
    {
        Uri = uri, Size = 10, Sha256 = new string('a', 64), Status = "converted", Events = 1, Written = 1, RunId = run, IrTrailVersion = "0.1.0",
    };

    private static (string Root, string Temp, string Final) NewDataset()
    {
        var root = Path.Combine(DatasetTestHelpers.TempDir(), "ds");
        var m = new DatasetManifest(root);
        m.Open();
        m.Commit(new CommitJournal { RunId = "run1", Entries = [Entry("/in/a.json", "run1")] });
        m.Close();
        var folder = Path.Combine(root, "account_id=1", "region=r", "date=2024-01-01");
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, ".part-run2-00001.parquet.tmp");
        File.WriteAllText(temp, "rows");
        return (root, temp, Path.Combine(folder, "part-run2-00001.parquet"));
    }

    private static void LeaveJournal(string root, string temp, string final) =>
        File.WriteAllBytes(Path.Combine(root, DatasetManifest.FolderName, "commit-run2.json"), JsonSerializer.SerializeToUtf8Bytes(new CommitJournal
        {
            RunId = "run2", Renames = [[temp, final]], Entries = [Entry("/in/b.json", "run2"), Entry("/in/c.json", "run2")],
        }));

    private static List<string> ManifestUris(string root) =>
        File.ReadAllLines(Path.Combine(root, DatasetManifest.FolderName, "manifest.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("uri").GetString()!).ToList();

    [Fact]
    public void AJournalLeftBeforeItWasAppliedIsRolledForward()
    {
        var (root, temp, final) = NewDataset();
        LeaveJournal(root, temp, final);

        var m = new DatasetManifest(root);
        m.Open();
        m.Close();

        Assert.True(File.Exists(final));
        Assert.False(File.Exists(temp));
        Assert.Equal(["/in/a.json", "/in/b.json", "/in/c.json"], ManifestUris(root));
        Assert.Equal(3, m.Count);
        Assert.True(m.TryGetSource("/in/c.json", out var size, out var sha));
        Assert.Equal((10L, new string('a', 64)), (size, sha));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, DatasetManifest.FolderName), "commit-*"));
    }

    [Fact]
    public void AJournalLeftAfterTheManifestWasWrittenAddsNothingTwice()
    {
        var (root, temp, final) = NewDataset();
        // The crash came after the renames and the manifest, before the journal was deleted.
        File.Move(temp, final);
        File.AppendAllText(Path.Combine(root, DatasetManifest.FolderName, "manifest.jsonl"),
            JsonSerializer.Serialize(Entry("/in/b.json", "run2")) + "\n" + JsonSerializer.Serialize(Entry("/in/c.json", "run2")) + "\n");
        LeaveJournal(root, temp, final);

        var m = new DatasetManifest(root);
        m.Open();
        m.Close();

        Assert.True(File.Exists(final));
        Assert.Equal(["/in/a.json", "/in/b.json", "/in/c.json"], ManifestUris(root));
        Assert.Equal(3, m.Count);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, DatasetManifest.FolderName), "commit-*"));
    }
}
