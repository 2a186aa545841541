using Apache.Arrow;
using ParquetSharp;
using ParquetSharp.Arrow;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Writes dataset files with Apache Arrow's C++ Parquet writer (through ParquetSharp): zstd, dictionary encoding,
/// min/max statistics per row group and page (not for the JSON blobs). It encodes each batch as it arrives (a
/// "buffered" row group holds compressed pages, not rows), so a writer's memory is a row group's compressed size plus its dictionaries however
/// large the row group, and the columns of a batch are encoded on Arrow's CPU pool in parallel: one dense partition
/// alone keeps both cores busy. Measured against DuckDB's own COPY, which this replaced: 2.7 instead of about 6-7 CPU
/// seconds per million events, and a smaller file (docs/benchmarks.md).
/// </summary>
internal static class ParquetFileWriter
{
    /// <summary>DuckDB's default zstd level: the "same compression" as DuckDB's own import.</summary>
    private const int ZstdLevel = 3;

    /// <summary>A column chunk's dictionary may grow to this before the rest of the chunk falls back to plain encoding.
    /// Arrow's default (1 MB) is outgrown by the JSON blobs of a few thousand events: 4 MB made resampled real events
    /// 7% smaller and 10% quicker to write (less for zstd), and generated ones 0.3% smaller, at the same peak memory;
    /// 16 MB gained nothing more and peaked 50 MB higher.</summary>
    private const long DictionaryBytes = 4L * 1024 * 1024;

    /// <summary>Columns whose values are (almost) all distinct: a dictionary would only be built to be dropped when it
    /// overflows, leaving its page and the switch in the file (eventTime: 1.6 MB instead of 3.0 per million events).</summary>
    private static readonly string[] NoDictionary = ["eventID", "requestID", "eventTime", "sharedEventID"];

    /// <summary>The JSON blobs, written without min/max statistics: no query prunes row groups by the smallest and
    /// largest JSON text, and computing them compared every value (whole blobs, kilobytes each) with the page's current
    /// ones. 0.2-0.4 CPU s less for a million events and 0.2 MB smaller files. Their NULL counts go with them.</summary>
    internal static readonly string[] NoStatistics =
    [
        .. DatasetColumns.TopLevel.Where(c => c.Json).Select(c => c.Name), DatasetColumns.OtherFieldsName,
        .. DatasetColumns.UserIdentity.Where(c => c.Json).Select(c => "userIdentity." + c.Name),
        .. DatasetColumns.SessionContext.Where(c => c.Json).Select(c => "userIdentity.sessionContext." + c.Name),
    ];

    /// <summary>Writes <paramref name="batches"/> (in <see cref="ArrowRows.Schema"/>) to a new file at
    /// <paramref name="path"/>, flushed to disk, in row groups of up to <paramref name="rowGroupRows"/> rows, in the order given. With
    /// <paramref name="parallel"/>, a batch's columns are encoded on Arrow's CPU pool (one thread per core); without it,
    /// on the calling thread alone (-ThrottleLimit 1).</summary>
    public static void Write(string path, IEnumerable<RecordBatch> batches, int rowGroupRows, bool parallel, CancellationToken cancellationToken)
    {
        try
        {
            using var builder = new WriterPropertiesBuilder()
                .Compression(Compression.Zstd)
                .CompressionLevel(ZstdLevel)
                .MaxRowGroupLength(Math.Max(1, rowGroupRows))
                .EnableDictionary()
                .DictionaryPagesizeLimit(DictionaryBytes)
                .EnableStatistics()
                // The C library's allocator, not Arrow's default mimalloc, which kept 80-140 MB more at the peak of a
                // 1M-event conversion (and jemalloc gained nothing over it).
                .MemoryPool(MemoryPool.SystemMemoryPool())
                .CreatedBy("IrTrail " + typeof(ParquetFileWriter).Assembly.GetName().Version?.ToString(3));
            foreach (var column in NoDictionary) builder.DisableDictionary(column);
            foreach (var column in NoStatistics) builder.DisableStatistics(column);
            using var properties = builder.Build();
            using var arrowBuilder = new ArrowWriterPropertiesBuilder().UseThreads(parallel);
            using var arrowProperties = arrowBuilder.Build();
            // A .NET stream rather than a path: .NET, not Arrow, handles Windows' long and non-ASCII paths, and the same
            // handle makes the file durable before the commit renames it into the dataset. Unbuffered, as Arrow's own
            // file is: the writer hands over whole pages, and each row group is on disk as soon as it is complete.
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            using (var writer = new FileWriter(file, ArrowRows.Schema, properties, arrowProperties, leaveOpen: true))
            {
                foreach (var batch in batches)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    writer.WriteBufferedRecordBatch(batch);
                }
                writer.Close();
            }
            file.Flush(flushToDisk: true);
            NativeHeap.FileWritten(file.Length);
        }
        catch (System.Exception ex) when (ex is ParquetException)
        {
            // The writer's own failure (disk full, a path it cannot create): a write failure naming the partition's file.
            throw new IOException($"Writing '{path}' failed: {ex.Message}", ex);
        }
    }
}
