using IrTrail.Common;
using IrTrail.Core.Dataset;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Cmdlets;

/// <summary>Piped input is spooled to disk past <see cref="Spool.InMemory"/>; these tests lower that bound, so
/// they share one collection and never run beside each other.</summary>
[Collection(nameof(ConvertIrTrailToParquetCommandTests))]
public class ConvertIrTrailToParquetCommandTests : IDisposable
{
    private readonly TestRunspace _ps = new();
    private readonly string _root = Directory.CreateTempSubdirectory("irtrail-convert-cmdlet-").FullName;
    private readonly int _inMemory = Spool.InMemory;

    public void Dispose()
    {
        Spool.InMemory = _inMemory;
        _ps.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Spooled_inputs_come_back_in_order_however_named_and_the_spool_is_deleted()
    {
        Spool.InMemory = 3;
        var items = Enumerable.Range(0, 10).Select(i => ($"/logs/{i:D2}/a.json.gz", i % 4 == 0)).ToList();
        items.Add(("/logs/line\nbreak/é ü/x.json.gz", false)); // a Unix name may hold a newline
        items.Add(("C:\\logs\\lone\uD800surrogate.json.gz", false)); // and a Windows name a lone surrogate
        var spool = new SpooledInputs();
        foreach (var (path, isFolder) in items) spool.Add(path, isFolder);
        var file = spool.SpoolPath;
        Assert.NotNull(file);
        Assert.True(File.Exists(file));
        Assert.Equal(items, spool.Items().ToList());
        Assert.Equal(items, spool.Items().ToList()); // read again: a count, then the run
        Assert.Equal(items.Count, spool.Count);
        spool.Dispose();
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void Without_a_writable_temp_folder_the_inputs_stay_in_memory()
    {
        var folder = Spool.Folder;
        Spool.InMemory = 2;
        Spool.Folder = Path.Combine(_root, "missing", "folder");
        try
        {
            var items = Enumerable.Range(0, 5).Select(i => ($"/logs/{i}.json.gz", false)).ToList();
            using var spool = new SpooledInputs();
            foreach (var (path, isFolder) in items) spool.Add(path, isFolder);
            Assert.Null(spool.SpoolPath);
            Assert.Equal(items, spool.Items().ToList());
        }
        finally
        {
            Spool.Folder = folder;
        }
    }

    [Fact]
    public void Spooled_log_files_come_back_with_what_opening_them_needs()
    {
        Spool.InMemory = 1;
        var files = new List<LogFile>
        {
            new() { Uri = "/logs/a.json.gz", Size = 10, Key = "a.json.gz", Account = "111111111111" },
            new() { Uri = "s3://bucket/AWSLogs/1/CloudTrail/eu-west-1/2024/01/01/b.json.gz", BucketName = "bucket",
                Key = "AWSLogs/1/CloudTrail/eu-west-1/2024/01/01/b.json.gz", BucketRegion = "eu-west-1", Size = 1L << 40 },
            new() { Uri = "s3://other/c\nd\uD800.json.gz", BucketName = "other", Key = "c\nd\uD800.json.gz", Size = 0 },
        };
        using var spool = new SpooledLogFiles();
        foreach (var f in files) spool.Add(f);
        Assert.NotNull(spool.SpoolPath);
        static object Opening(LogFile f) => (f.Uri, f.BucketName, f.Key, f.BucketRegion, f.Size, f.IsS3);
        Assert.Equal(files.Select(Opening), spool.Items().Select(Opening));
        Assert.Equal(files.Select(Opening), spool.Items().Select(Opening));
    }

    [Fact]
    public void Log_files_piped_past_the_in_memory_bound_convert_as_the_folder_does()
    {
        Spool.InMemory = 2;
        // LogFile objects for local files, as Get-IrTrailLogFile gives for a local copy of the layout; one given twice.
        var files = Directory.GetFiles(TestPaths.FixtureLogs).Order(StringComparer.Ordinal)
            .Select(f => new LogFile { Uri = f, Size = new FileInfo(f).Length }).ToList();
        files.Add(files[0]);
        var vars = new Dictionary<string, object?>
        {
            ["files"] = files, ["logs"] = TestPaths.FixtureLogs, ["piped"] = Path.Combine(_root, "piped"), ["walked"] = Path.Combine(_root, "walked"),
        };
        var piped = _ps.Run("$files | Convert-IrTrailToParquet -Destination $piped", vars);
        var walked = _ps.Run("Convert-IrTrailToParquet -Path $logs -Destination $walked", vars);
        var a = Assert.IsType<ConversionResult>(Assert.Single(piped.Output).BaseObject);
        var b = Assert.IsType<ConversionResult>(Assert.Single(walked.Output).BaseObject);
        Assert.True(files.Count > Spool.InMemory + 1);
        Assert.Equal((b.FilesRead, b.FilesSkipped, b.FilesFailed), (a.FilesRead, a.FilesSkipped, a.FilesFailed));
        Assert.Equal(b.EventsWritten, a.EventsWritten);
        Assert.True(a.EventsWritten > 0);
        Assert.Equal(b.Sources.Select(s => s.Uri).Order(StringComparer.Ordinal), a.Sources.Select(s => s.Uri).Order(StringComparer.Ordinal));
        Assert.Equal(piped.Errors.Count, walked.Errors.Count);
    }

    [Fact]
    public void Files_piped_past_the_in_memory_bound_convert_as_the_folder_does()
    {
        Spool.InMemory = 2;
        var vars = new Dictionary<string, object?>
        {
            ["logs"] = TestPaths.FixtureLogs, ["piped"] = Path.Combine(_root, "piped"), ["walked"] = Path.Combine(_root, "walked"),
        };
        var piped = _ps.Run("Get-ChildItem $logs -File | Sort-Object FullName | Convert-IrTrailToParquet -Destination $piped", vars);
        var walked = _ps.Run("Convert-IrTrailToParquet -Path $logs -Destination $walked", vars);
        var a = Assert.IsType<ConversionResult>(Assert.Single(piped.Output).BaseObject);
        var b = Assert.IsType<ConversionResult>(Assert.Single(walked.Output).BaseObject);
        Assert.True(Directory.GetFiles(TestPaths.FixtureLogs).Length > Spool.InMemory);
        Assert.Equal(b.Inputs, a.Inputs);
        Assert.Equal((b.FilesRead, b.FilesSkipped, b.FilesFailed), (a.FilesRead, a.FilesSkipped, a.FilesFailed));
        Assert.Equal(b.EventsWritten, a.EventsWritten);
        Assert.True(a.EventsWritten > 0);
        Assert.Equal(b.Sources.Select(s => s.Uri).Order(StringComparer.Ordinal), a.Sources.Select(s => s.Uri).Order(StringComparer.Ordinal));
        Assert.Equal(piped.Errors.Count, walked.Errors.Count);
    }
}
