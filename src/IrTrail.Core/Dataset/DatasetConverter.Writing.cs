using System.Threading.Channels;
using Apache.Arrow;

namespace IrTrail.Core.Dataset;

/// <summary>
/// The writing half of the converter: partitions go to DuckDB's Parquet writer as soon as the input has moved past
/// them, on writer tasks running beside the readers. Delivery files are laid out by account, region and day, so in path
/// order a partition's rows arrive together: writing it then, instead of after all input, overlaps reading with writing
/// and keeps it out of the spill file. A partition that gets more rows after it was written (late events) gets another
/// file. Each file is written under a temporary name and only renamed by the commit at the end.
/// </summary>
public sealed partial class DatasetConverter
{
    /// <summary>A partition untouched for this many consecutive sources is written out.</summary>
    private const int CloseAfterSources = 16;

    /// <summary>Rows per Arrow batch handed to DuckDB.</summary>
    private const int ArrowBatchRows = 8192;

    /// <summary>Upper bound on a row group's uncompressed size, which DuckDB holds in memory while writing it.</summary>
    private const long RowGroupMemoryBytes = 16L * 1024 * 1024;

    /// <summary>DuckDB's own limit. Its Parquet writer needs several times a row group's raw size per writer; a lower limit
    /// fails the COPY rather than slowing it, so this is a ceiling, not a target.</summary>
    private const long DuckDbMemoryLimit = 512L * 1024 * 1024;

    /// <summary>Arrow batches are garbage once DuckDB has them (large-object heap): collect every this many bytes built,
    /// or the process grows by hundreds of MB before the GC decides to.</summary>
    private const long CollectEveryBytes = 16L * 1024 * 1024;
    private long _builtSinceCollect;

    private Channel<Partition>? _writeQueue;
    private Task[] _writers = [];
    private DuckDbFileWriter? _database;
    private Exception? _writerFailure;
    private CancellationTokenSource? _writeCancel;

    private void StartWriters(string root, CancellationToken ct)
    {
        var count = Math.Max(1, _options.ThrottleLimit);
        _writeQueue = Channel.CreateBounded<Partition>(new BoundedChannelOptions(count * 2) { SingleWriter = true });
        _writeCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // One DuckDB thread per connection: the files are small and many, so partitions in parallel beat threads within
        // one COPY (which cost twice the CPU per row on small files).
        _database = new DuckDbFileWriter(1, DuckDbMemoryLimit, Path.Combine(root, DatasetManifest.FolderName));
        var token = _writeCancel.Token;
        _writers = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            using var writer = i == 0 ? null : _database.Duplicate();
            var w = writer ?? _database;
            try
            {
                await foreach (var p in _writeQueue.Reader.ReadAllAsync(token).ConfigureAwait(false))
                    WritePartitionFiles(root, p, w, token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref _writerFailure, ex, null);
                _writeCancel.Cancel();
                throw;
            }
        }, token)).ToArray();
    }

    /// <summary>Queues for writing every partition the input has moved past (after consuming source <paramref name="index"/>).</summary>
    private async Task WriteClosedPartitionsAsync(int index, CancellationToken ct)
    {
        if (index % 4 != 0 || _partitions.Count == 0) return;
        List<KeyValuePair<string, Partition>>? closed = null;
        foreach (var kv in _partitions)
            if (kv.Value.LastSource <= index - CloseAfterSources) (closed ??= []).Add(kv);
        if (closed is null) return;
        foreach (var (key, p) in closed)
        {
            _partitions.Remove(key);
            if (ReferenceEquals(_lastPartition, p)) _lastPartition = null;
            await EnqueueAsync(p, ct).ConfigureAwait(false);
        }
    }

    private async Task EnqueueAsync(Partition p, CancellationToken ct)
    {
        // A partition partly spilled is read back from its file alone (in input order): spill the rest too, here on the
        // consumer (the spill scratch buffer is the consumer's).
        if (p.Spill is not null && p.Buffer.Count > 0) SpillRows(_root, p);
        try
        {
            await _writeQueue!.Writer.WriteAsync(p, _writeCancel!.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_writerFailure is not null && !ct.IsCancellationRequested)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_writerFailure);
        }
    }

    /// <summary>Writes what is left once all input is read, and waits for the writers.</summary>
    private async Task FinishWritersAsync(CancellationToken ct)
    {
        foreach (var p in _partitions.Values.OrderBy(p => p.Folder, StringComparer.Ordinal).ToList())
            await EnqueueAsync(p, ct).ConfigureAwait(false);
        _partitions.Clear();
        _lastPartition = null;
        _writeQueue!.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_writers).ConfigureAwait(false);
        }
        catch when (_writerFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_writerFailure);
        }
        finally
        {
            _database?.Dispose();
            _database = null;
        }
    }

    /// <summary>After a failure or cancellation: stop the writers (their temporary files are deleted by Abandon).</summary>
    private async Task StopWritersAsync()
    {
        _writeCancel?.Cancel();
        _writeQueue?.Writer.TryComplete();
        try { await Task.WhenAll(_writers).ConfigureAwait(false); } catch { /* the first failure is the one reported */ }
        // Partitions still queued keep their spill files open (deleted on close): close them now, not at process exit.
        while (_writeQueue is not null && _writeQueue.Reader.TryRead(out var queued)) { queued.Spill?.Dispose(); queued.Spill = null; }
        _database?.Dispose();
        _database = null;
        if (_writerFailure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_writerFailure);
    }

    /// <summary>A partition's rows as one file (or several, past FileRows), each chunk sorted by eventTime.</summary>
    private void WritePartitionFiles(string root, Partition p, DuckDbFileWriter writer, CancellationToken ct)
    {
        try
        {
            var avgRowBytes = Math.Max(1, p.Bytes / Math.Max(1, p.Rows));
            var rowGroupRows = (int)Math.Max(1, Math.Min(Math.Min(_options.RowGroupRows, p.Rows), RowGroupMemoryBytes / avgRowBytes));
            using var chunks = Chunks(p).GetEnumerator();
            var more = chunks.MoveNext();
            while (more)
            {
                var folder = Path.Combine(root, p.Folder.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(folder);
                var name = $"part-{_runId}-{Interlocked.Increment(ref _fileSeq):D5}.parquet";
                var temp = Path.Combine(folder, "." + name + DatasetManifest.TempSuffix);
                lock (_renames) _renames.Add([temp, Path.Combine(folder, name)]);
                long fileRows = 0;
                IEnumerable<RecordBatch> FileBatches()
                {
                    while (more)
                    {
                        var chunk = chunks.Current;
                        var order = RowOrder.ByTime(chunk);
                        for (var s = 0; s < order.Length; s += ArrowBatchRows)
                        {
                            var batch = ArrowRows.Build(chunk, order, s, Math.Min(ArrowBatchRows, order.Length - s));
                            var built = Interlocked.Add(ref _builtSinceCollect, ArrowRows.Bytes(batch));
                            yield return batch;
                            if (built > CollectEveryBytes)
                            {
                                Interlocked.Exchange(ref _builtSinceCollect, 0);
                                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
                            }
                        }
                        fileRows += chunk.Count;
                        more = chunks.MoveNext();
                        if (fileRows >= _options.FileRows) yield break;
                    }
                }
                writer.Write(temp, FileBatches(), rowGroupRows, ct);
                // Durable before the commit renames it into the dataset.
                using (var f = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) f.Flush(flushToDisk: true);
            }
        }
        finally
        {
            if (p.Spill is not null) { p.Spill.Dispose(); p.Spill = null; }
        }
    }

    /// <summary>A partition's rows in input order, in buffers of up to RowGroupRows rows / RowGroupBytes bytes (each is
    /// sorted by eventTime on its own), from memory or from its spill file. A yielded buffer is reused after the next
    /// MoveNext.</summary>
    private IEnumerable<RowBuffer> Chunks(Partition p)
    {
        if (p.Spill is null && p.Buffer.Count <= _options.RowGroupRows && p.Buffer.ApproxBytes <= _options.RowGroupBytes)
        {
            if (p.Buffer.Count > 0) yield return p.Buffer;
            p.Buffer.Clear();
            yield break;
        }
        var part = new RowBuffer(bigChunks: true);
        if (p.Spill is null)
        {
            for (var r = 0; r < p.Buffer.Count; r++)
            {
                part.CopyRow(p.Buffer, r);
                if (part.Count >= _options.RowGroupRows || part.ApproxBytes >= _options.RowGroupBytes)
                {
                    yield return part;
                    part.Clear();
                }
            }
            if (part.Count > 0) yield return part;
            part.Clear();
            p.Buffer.Clear();
            yield break;
        }
        // The consumer spilled the rest of a spilled partition before queueing it: all its rows are in the file.
        p.Spill.Position = 0;
        using var input = new BufferedStream(p.Spill, 1 << 20);
        var record = new byte[64 * 1024];
        var header = new byte[4];
        while (true)
        {
            if (input.Read(header, 0, 4) < 4) break;
            var size = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(header);
            if (record.Length < size) record = new byte[Math.Max(size, record.Length * 2)];
            input.ReadExactly(record, 0, size);
            part.AppendSerialized(record.AsSpan(0, size));
            if (part.Count >= _options.RowGroupRows || part.ApproxBytes >= _options.RowGroupBytes)
            {
                yield return part;
                part.Clear();
            }
        }
        if (part.Count > 0) yield return part;
        part.Clear();
    }
}
