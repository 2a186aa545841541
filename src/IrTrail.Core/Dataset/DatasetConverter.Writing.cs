using System.Threading.Channels;
using Apache.Arrow;

namespace IrTrail.Core.Dataset;

/// <summary>
/// The writing half of the converter: partitions go to the Parquet writer (<see cref="ParquetFileWriter"/>) on writer
/// tasks running beside the readers. Delivery files are laid out by account, region and day, so in path order a
/// partition's rows arrive together. A partition that fills a chunk is streamed: its writer starts its file right away
/// and takes each chunk as the consumer fills it, so a large partition never waits in memory or in the spill file. Any
/// other partition is written once the input has moved past it. A partition that gets more rows after it was written
/// (late events) gets another file. Each file is written under a temporary name and only renamed by the commit at the
/// end.
/// </summary>
public sealed partial class DatasetConverter
{
    /// <summary>A partition untouched for this many consecutive sources is written out.</summary>
    private const int CloseAfterSources = 16;

    /// <summary>A streamed partition untouched for this many sources gives its stream up to a partition that wants one.
    /// Dense partitions follow one another in delivery order: without this the next one waited (and spilled) for the
    /// previous one's full <see cref="CloseAfterSources"/>.</summary>
    private const int StreamIdleSources = 2;

    /// <summary>Rows per Arrow batch handed to the writer (about 4-5 MB: what is in flight stays small). Each batch is
    /// a parallel dispatch of its columns to Arrow's pool: 4,096 took 0.2-0.5 CPU s less than 2,048 for a million
    /// events at the same or a lower peak; 8,192 peaked higher on the resampled corpus for no further speed.</summary>
    private const int ArrowBatchRows = 4096;

    /// <summary>Full chunks queued for a streamed partition's writer. More than one lets the consumer go on while the
    /// writer sorts a chunk and builds its batches (26.3-27.7 s against 28.3-30.6 s for 5M events with 1, with
    /// DOTNET_TieredPGO=0 to steady the comparison; a peak about 5-10 MB higher).</summary>
    private const int StreamChunksQueued = 3;

    /// <summary>A background collection every this many bytes of rows written: rows pass through several large
    /// buffers on their way (batches, partition buffers, chunks), and without it the heap grows by 150+ MB of garbage
    /// before the GC decides to collect.</summary>
    private const long CollectEveryBytes = 64L * 1024 * 1024;
    private long _sinceCollect;

    /// <summary>Rows are sorted by eventTime and handed to the writers in chunks of up to this many bytes (or
    /// RowGroupRows rows); a row group may span several chunks.</summary>
    private long ChunkBytes => Math.Min(_options.RowGroupBytes, 4L * 1024 * 1024);

    private bool IsFullChunk(RowBuffer rows) => rows.Count >= _options.RowGroupRows || rows.FillBytes >= ChunkBytes;

    /// <summary>The Arrow batches' text, in native blocks reused as the writer releases them.</summary>
    private NativeBufferPool? _arrowMemory;

    /// <summary>Partitions being streamed (at most writers - 1, so one writer always drains the queue: a streaming writer
    /// waits on the consumer, and the consumer may wait on the queue).</summary>
    private readonly List<Partition> _streaming = [];

    /// <summary>Partitions written (or being written) during this run, by key: their files, and how many writes are
    /// still going on, for reading their eventIDs back if the partition gets rows again.</summary>
    private readonly Dictionary<string, Retired> _retired = new(StringComparer.Ordinal);

    private sealed class Retired
    {
        public int InFlight;
        public List<string> Files { get; } = [];
    }

    private Channel<Partition>? _writeQueue;
    private Task[] _writers = [];
    private Exception? _writerFailure;
    private CancellationTokenSource? _writeCancel;

    private void StartWriters(string root, CancellationToken ct)
    {
        var count = Math.Max(1, _options.ThrottleLimit);
        _writeQueue = Channel.CreateBounded<Partition>(new BoundedChannelOptions(count * 2) { SingleWriter = true });
        _writeCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _arrowMemory = new NativeBufferPool();
        var token = _writeCancel.Token;
        _writers = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            try
            {
                await foreach (var p in _writeQueue.Reader.ReadAllAsync(token).ConfigureAwait(false))
                    WritePartitionFiles(root, p, token);
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
            await CloseAsync(p, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A partition leaves memory: its rows go to a writer, its eventIDs are dropped (they are read back from
    /// its files if it gets rows again).</summary>
    private async Task CloseAsync(Partition p, CancellationToken ct)
    {
        if (p.Stream is null)
        {
            Writing(p.Folder); // a streamed partition was counted when its stream opened
            await EnqueueAsync(p, ct).ConfigureAwait(false);
            return;
        }
        if (p.Buffer.Count > 0) await SendAsync(p.Stream.Writer.WriteAsync(p.Buffer, _writeCancel!.Token), ct).ConfigureAwait(false);
        p.Stream.Writer.TryComplete();
        _streaming.Remove(p);
    }

    private bool CanStream(Partition p) => p.Spill is null && (_streaming.Count < _writers.Length - 1 || IdleStream() is not null);

    /// <summary>A streamed partition the input has moved past (see <see cref="StreamIdleSources"/>), if any.</summary>
    private Partition? IdleStream()
    {
        foreach (var s in _streaming)
            if (s.LastSource <= _source - StreamIdleSources) return s;
        return null;
    }

    /// <summary>A streamable partition's buffer is a full chunk: it goes to the writer of the partition's file (opened
    /// now if need be) instead of waiting in memory or in the spill file for the partition to close.</summary>
    private async Task HandOffAsync(Partition p, CancellationToken ct)
    {
        if (p.Stream is null)
        {
            if (_streaming.Count >= _writers.Length - 1 && IdleStream() is { } idle)
            {
                // Late rows for it reopen it (reading its eventIDs back): rare once the input has moved on.
                _partitions.Remove(idle.Folder);
                if (ReferenceEquals(_lastPartition, idle)) _lastPartition = null;
                await CloseAsync(idle, ct).ConfigureAwait(false);
            }
            p.Stream = Channel.CreateBounded<RowBuffer>(new BoundedChannelOptions(StreamChunksQueued) { SingleReader = true, SingleWriter = true });
            _streaming.Add(p);
            Writing(p.Folder);
            await EnqueueAsync(p, ct).ConfigureAwait(false);
        }
        var chunk = p.Buffer;
        p.Buffer = Rent();
        await SendAsync(p.Stream.Writer.WriteAsync(chunk, _writeCancel!.Token), ct).ConfigureAwait(false);
    }

    /// <summary>The eventIDs a partition already has when it is (re)opened: those in its files, from earlier runs and
    /// from this one. When this run is still writing one of them (events arriving just after their partition was
    /// closed), that write is waited for first.</summary>
    private EventIdSet SeenSoFar(string key)
    {
        List<string>? written = null;
        lock (_retired)
        {
            if (_retired.TryGetValue(key, out var r))
            {
                // The writers finish on their own (only a streamed partition's writer waits on this thread, and this
                // one is closed); a failed writer stops the wait too.
                while (r.InFlight > 0 && _writerFailure is null && !_writeCancel!.IsCancellationRequested)
                    Monitor.Wait(_retired, 100);
                if (r.InFlight > 0) throw new OperationCanceledException();
                written = [.. r.Files];
            }
        }
        var seen = new EventIdSet();
        var folder = Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
        var files = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.parquet").ToList() : [];
        if (written is not null) files.AddRange(written);
        // Rare (an existing dataset, or late events) and on the consumer, which waits for it either way.
        foreach (var f in files) seen.AddFileAsync(f, _writeCancel!.Token).GetAwaiter().GetResult();
        return seen;
    }

    /// <summary>A job for the partition <paramref name="key"/> is about to be queued.</summary>
    private void Writing(string key)
    {
        lock (_retired)
        {
            if (!_retired.TryGetValue(key, out var r)) _retired[key] = r = new Retired();
            r.InFlight++;
        }
    }

    /// <summary>A writer finished a job for the partition <paramref name="key"/>.</summary>
    private void Written(string key, List<string> files)
    {
        lock (_retired)
        {
            var r = _retired[key];
            r.Files.AddRange(files);
            if (--r.InFlight == 0) Monitor.PulseAll(_retired);
        }
    }

    private async Task EnqueueAsync(Partition p, CancellationToken ct)
    {
        // A partition partly spilled is read back from its file alone (in input order): spill the rest too, here on the
        // consumer (the spill scratch buffer is the consumer's).
        if (p.Spill is not null && p.Buffer.Count > 0) SpillRows(_root, p);
        await SendAsync(_writeQueue!.Writer.WriteAsync(p, _writeCancel!.Token), ct).ConfigureAwait(false);
    }

    /// <summary>Waits for a hand-off to a writer; when the writers stopped on a failure, that failure is the one thrown.</summary>
    private async Task SendAsync(ValueTask write, CancellationToken ct)
    {
        try
        {
            await write.ConfigureAwait(false);
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
            await CloseAsync(p, ct).ConfigureAwait(false);
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
            ReleaseArrowMemory();
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
        ReleaseArrowMemory();
        if (_writerFailure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_writerFailure);
    }

    /// <summary>Once the writers have stopped: nothing refers to the batches' blocks any more.</summary>
    private void ReleaseArrowMemory()
    {
        _arrowMemory?.Dispose();
        _arrowMemory = null;
    }

    /// <summary>A partition's rows as one file (or several, past FileRows), each chunk sorted by eventTime.</summary>
    private void WritePartitionFiles(string root, Partition p, CancellationToken ct)
    {
        var written = new List<string>();
        try
        {
            var avgRowBytes = Math.Max(1, p.Bytes / Math.Max(1, p.Rows));
            // A streamed partition's row count is not known yet (it is still being read).
            var rowGroupRows = (int)Math.Max(1, Math.Min(Math.Min(_options.RowGroupRows, p.Stream is null ? p.Rows : long.MaxValue), _options.RowGroupBytes / avgRowBytes));
            using var chunks = Chunks(p, ct).GetEnumerator();
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
                            yield return ArrowRows.Build(chunk, order, s, Math.Min(ArrowBatchRows, order.Length - s), _arrowMemory!);
                        }
                        fileRows += chunk.Count;
                        if (Interlocked.Add(ref _sinceCollect, chunk.FillBytes) > CollectEveryBytes)
                        {
                            Interlocked.Exchange(ref _sinceCollect, 0);
                            GC.Collect(2, GCCollectionMode.Forced, blocking: false, compacting: false);
                        }
                        more = chunks.MoveNext();
                        if (fileRows >= _options.FileRows) yield break;
                    }
                }
                ParquetFileWriter.Write(temp, FileBatches(), rowGroupRows, parallel: _options.ThrottleLimit > 1, ct);
                written.Add(temp);
            }
            Written(p.Folder, written);
        }
        finally
        {
            if (p.Spill is not null) { p.Spill.Dispose(); p.Spill = null; }
        }
    }

    /// <summary>A partition's rows in input order, in chunks (each is
    /// sorted by eventTime on its own): as the consumer streams them, or from memory, or from its spill file. A yielded
    /// buffer is reused after the next MoveNext.</summary>
    private IEnumerable<RowBuffer> Chunks(Partition p, CancellationToken ct)
    {
        if (p.Stream is not null) return Streamed(p.Stream, ct);
        if (p.Spill is null && !IsFullChunk(p.Buffer))
            return Whole(p.Buffer);
        return Split(p);
    }

    private IEnumerable<RowBuffer> Streamed(Channel<RowBuffer> stream, CancellationToken ct)
    {
        // Chunks arrive as the consumer fills them; this runs on the writer's thread, so it waits synchronously.
        while (true)
        {
            RowBuffer? chunk;
            while (!stream.Reader.TryRead(out chunk))
                if (!stream.Reader.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult()) yield break;
            yield return chunk;
            chunk.Clear();
            if (chunk.Reusable) _pool.Add(chunk);
        }
    }

    private static IEnumerable<RowBuffer> Whole(RowBuffer rows)
    {
        if (rows.Count > 0) yield return rows;
        rows.Clear();
    }

    private IEnumerable<RowBuffer> Split(Partition p)
    {
        var part = Rent();
        try
        {
            foreach (var full in p.Spill is null ? CopyRows(p.Buffer, part) : ReadSpill(p.Spill, part))
            {
                yield return full;
                part.Clear();
            }
            if (part.Count > 0) yield return part;
        }
        finally
        {
            p.Buffer.Clear();
            part.Clear();
            _pool.Add(part);
        }
    }

    /// <summary>Fills <paramref name="part"/> from <paramref name="rows"/>, yielding it whenever it is a full chunk.</summary>
    private IEnumerable<RowBuffer> CopyRows(RowBuffer rows, RowBuffer part)
    {
        for (var r = 0; r < rows.Count; r++)
        {
            part.CopyRow(rows, r);
            if (IsFullChunk(part)) yield return part;
        }
    }

    /// <summary>Fills <paramref name="part"/> from a spill file, yielding it whenever it is a full chunk. The consumer
    /// spilled the rest of a spilled partition before queueing it: all its rows are in the file.</summary>
    private IEnumerable<RowBuffer> ReadSpill(FileStream spill, RowBuffer part)
    {
        spill.Position = 0;
        using var input = new BufferedStream(spill, 1 << 20);
        var record = new byte[64 * 1024];
        var header = new byte[4];
        while (input.Read(header, 0, 4) == 4)
        {
            var size = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(header);
            if (record.Length < size) record = new byte[Math.Max(size, record.Length * 2)];
            input.ReadExactly(record, 0, size);
            part.AppendSerialized(record.AsSpan(0, size));
            if (IsFullChunk(part)) yield return part;
        }
    }
}
