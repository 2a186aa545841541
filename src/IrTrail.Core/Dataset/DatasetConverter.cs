using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using IrTrail.Core.Reading;
using IrTrail.Core.Sources;
using System.Runtime.CompilerServices;

namespace IrTrail.Core.Dataset;

/// <summary>
/// CloudTrail sources → the partitioned Parquet dataset. Sources are read and mapped in parallel
/// (<see cref="ConversionOptions.ThrottleLimit"/> workers), but consumed strictly in input order, so deduplication keeps
/// the first copy in input order and the same inputs always give the same rows; each partition keeps its own eventIDs
/// (<see cref="EventIdSet"/>). Rows are buffered per partition in compact UTF-8 form (spilled to temporary files when
/// over the memory budget); a large partition is streamed to its writer chunk by chunk, and any other is written once
/// the input has moved past it, beside the reading (see DatasetConverter.Writing.cs), as eventTime-sorted zstd row groups in a
/// temporary file, which the commit at the end renames (see <see cref="DatasetManifest"/>): an interrupted run leaves
/// nothing visible and the next run starts clean.
/// </summary>
public sealed partial class DatasetConverter
{
    private const int BatchRows = 4096;
    private const long BatchBytes = 8L * 1024 * 1024;

    public ConversionProgress Progress { get; } = new();

    /// <summary>Problems found while reading, for the caller to report (drained from any thread).</summary>
    public ConcurrentQueue<ReadIssue> Issues { get; } = new();

    private sealed class Batch(RowBuffer rows, bool last)
    {
        public RowBuffer Rows { get; } = rows;
        public bool Last { get; } = last;
    }

    private sealed class Slot(ILogSource source, int index, UInt128 key)
    {
        public ILogSource Source { get; } = source;
        /// <summary>Position in input order (among distinct sources).</summary>
        public int Index { get; } = index;
        /// <summary>The source's <see cref="DatasetManifest.UriKey"/>.</summary>
        public UInt128 Key { get; } = key;
        public SourceOutcome Outcome { get; } = new() { Uri = source.Uri, Size = source.Length };
        private Channel<Batch>? _channel;
        private object? _lock;

        /// <summary>Made by whichever of its reader and the consumer gets to the source first, and dropped once the
        /// source is consumed: memory for the sources in flight only, not for every file of a large input.</summary>
        public Channel<Batch> Channel => LazyInitializer.EnsureInitialized(ref _channel, ref _lock, () =>
            System.Threading.Channels.Channel.CreateBounded<Batch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true }));

        public void Consumed() => _channel = null;
    }

    private sealed class Partition(string folder, EventIdSet? seen)
    {
        public string Folder { get; } = folder;
        public RowBuffer Buffer = new();
        /// <summary>The partition's eventIDs so far (null with -KeepDuplicates).</summary>
        public EventIdSet? Seen { get; } = seen;
        /// <summary>Set once the partition is streamed: full chunks go to a writer already writing its file.</summary>
        public Channel<RowBuffer>? Stream;
        /// <summary>Rows written out of memory while reading (spill format of <see cref="RowBuffer.Serialize"/>).</summary>
        public FileStream? Spill;
        /// <summary>All rows and their bytes (in memory and spilled), for row-group sizing.</summary>
        public long Rows, Bytes;
        /// <summary>Index (in input order) of the last source that added a row.</summary>
        public int LastSource;
    }

    private readonly ConcurrentBag<RowBuffer> _pool = [];
    private readonly Dictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    private readonly List<string[]> _renames = [];
    private ConversionOptions _options = null!;
    private string _runId = "";
    private int _fileSeq;
    private string _root = "";
    private int _spills;
    private byte[] _spillScratch = new byte[1 << 20];

    /// <summary>Empties an existing IrTrail dataset (for -Force). Refuses a folder that is not one.</summary>
    public static void Clear(string root)
    {
        if (!Directory.Exists(root)) return;
        if (!DatasetManifest.IsDataset(root) && Directory.EnumerateFileSystemEntries(root).Any())
            throw new DatasetException($"'{root}' is not an IrTrail dataset (it has no {DatasetManifest.FolderName} folder); it is not emptied.");
        foreach (var d in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(d);
            if (name == DatasetManifest.FolderName || name.StartsWith(DatasetSchema.AccountKey + "=", StringComparison.Ordinal))
                Directory.Delete(d, recursive: true);
        }
    }

    /// <summary>Converts the sources. Per-source problems become <see cref="Issues"/> and outcomes; only an unusable
    /// destination throws (<see cref="DatasetException"/>), or cancellation.</summary>
    public async Task<ConversionResult> RunAsync(IEnumerable<ILogSource> sources, ConversionOptions options, CancellationToken cancellationToken)
    {
        _options = options;
        var clock = Stopwatch.StartNew();
        ConverterWarmup.Start();
        if (options.TuneNativeHeap) NativeHeap.Tune();
        var root = _root = Path.GetFullPath(options.Destination);
        if (Directory.Exists(root) && !DatasetManifest.IsDataset(root) && Directory.EnumerateFileSystemEntries(root).Any())
            throw new DatasetException($"'{root}' exists and is not an IrTrail dataset (no {DatasetManifest.FolderName} folder). Choose an empty or new folder.");
        Directory.CreateDirectory(root);
        var manifest = new DatasetManifest(root);
        Progress.Phase = "Opening dataset";
        manifest.Open();
        _runId = $"{DateTime.UtcNow:yyyyMMddTHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";

        // The same path twice is read once. Sources are taken as the readers get to them, never listed.
        using var feed = new SourceFeed<Slot>(sources, (s, index, key) => new Slot(s, index, key));
        if (options.ExpectedFiles is { } files) (Progress.FilesTotal, Progress.BytesTotal) = (files, options.ExpectedBytes ?? 0);
        else if (sources is IReadOnlyCollection<ILogSource> list) (Progress.FilesTotal, Progress.BytesTotal) = (list.Count, list.Sum(s => s.Length ?? 0));

        Progress.Phase = "Converting";
        var result = new ConversionResult { Path = root, RunId = _runId };
        var committed = false;
        using var entries = new RunEntryLog(root, _runId);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Read-ahead is bounded in sources, not only in batches: a worker that finished a small file would otherwise
        // race through the rest while the consumer is busy writing, holding every file in memory.
        using var ahead = new SemaphoreSlim(Math.Max(1, options.ThrottleLimit) * 2);
        var workers = Enumerable.Range(0, Math.Max(1, options.ThrottleLimit)).Select(_ => Task.Run(async () =>
        {
            var mapper = new CloudTrailColumnMapper();
            while (true)
            {
                await ahead.WaitAsync(linked.Token).ConfigureAwait(false);
                if (feed.Take() is not { } slot) { ahead.Release(); return; }
                await ReadSourceAsync(slot, mapper, manifest, linked.Token).ConfigureAwait(false);
            }
        }, linked.Token)).ToArray();
        try
        {
            StartWriters(root, linked.Token);
            var convertedAt = DateTime.UtcNow;
            await foreach (var slot in feed.Ordered.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                Progress.Current = slot.Source.Uri;
                _source = slot.Index;
                await foreach (var batch in slot.Channel.Reader.ReadAllAsync(linked.Token).ConfigureAwait(false))
                {
                    for (var r = 0; r < batch.Rows.Count;)
                    {
                        r = Consume(batch.Rows, r, slot.Outcome, out var full);
                        if (full is not null) await HandOffAsync(full, linked.Token).ConfigureAwait(false);
                    }
                    batch.Rows.Clear();
                    _pool.Add(batch.Rows);
                    await FlushOverBudgetAsync(root, linked.Token).ConfigureAwait(false);
                }
                slot.Consumed();
                ahead.Release();
                Interlocked.Increment(ref Progress._filesDone);
                Interlocked.Add(ref Progress._bytesIn, slot.Outcome.Size ?? 0);
                // Counted and written out now, then let go: one outcome per source, and sources can be many.
                Tally(result, slot.Outcome);
                if (slot.Outcome.Status != "unchanged") entries.Add(Entry(slot.Outcome, convertedAt));
                await WriteClosedPartitionsAsync(slot.Index, linked.Token).ConfigureAwait(false);
            }
            await Task.WhenAll(workers).ConfigureAwait(false);
            Progress.Phase = "Writing";
            await FinishWritersAsync(linked.Token).ConfigureAwait(false);

            result.BytesOut = _renames.Sum(r => new FileInfo(r[0]).Length);
            Progress.Phase = "Committing";
            if (entries.Count > 0 || _renames.Count > 0)
                manifest.Commit(new CommitJournal { RunId = _runId, Renames = _renames, Entries = entries.Read() });
            committed = true;
        }
        catch
        {
            linked.Cancel();
            try { await Task.WhenAll(workers).ConfigureAwait(false); } catch { /* the first failure is the one reported */ }
            await StopWritersAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (!committed) Abandon();
            manifest.Close();
            NativeHeap.Trim();
        }

        result.Inputs = feed.Inputs;
        var folders = _renames.Select(r => Path.GetDirectoryName(r[1])!).Distinct(StringComparer.Ordinal).OrderBy(f => f, StringComparer.Ordinal).ToList();
        result.PartitionPaths = folders;
        result.Partitions = folders.Count;
        result.FilesWritten = _renames.Count;
        result.Elapsed = clock.Elapsed;
        return result;
    }

    private static void Tally(ConversionResult result, SourceOutcome s)
    {
        switch (s.Status)
        {
            case "converted": result.FilesRead++; break;
            case "skipped":
                result.FilesSkipped++;
                var why = s.Message ?? "skipped";
                result._skipReasons[why] = result._skipReasons.GetValueOrDefault(why) + 1;
                break;
            case "unchanged": result.FilesUnchanged++; break;
            default: result.FilesFailed++; if (s.Events > 0) result.FilesRead++; break;
        }
        result.EventsIn += s.Events;
        result.EventsWritten += s.Written;
        result.Duplicates += s.Duplicates;
        result.RecordErrors += s.Errors;
        result.UnknownTimeEvents += s.UnknownTime;
        result.BytesIn += s.Status == "unchanged" ? 0 : s.Size ?? 0;
        result.BytesInUncompressed += s.UncompressedBytes;
    }

    private ManifestEntry Entry(SourceOutcome o, DateTime convertedAt) => new()
    {
        Uri = o.Uri, Size = o.Size, Sha256 = o.Sha256, Status = o.Status, Events = o.Events, Written = o.Written,
        Duplicates = o.Duplicates, Errors = o.Errors, UnknownTime = o.UnknownTime, UncompressedBytes = o.UncompressedBytes,
        Message = o.Message, ConvertedAt = convertedAt, RunId = _runId, IrTrailVersion = DatasetManifest.Version,
    };

    /// <summary>Reads one source into batches on its channel (always completing it).</summary>
    private async Task ReadSourceAsync(Slot slot, CloudTrailColumnMapper mapper, DatasetManifest manifest, CancellationToken ct)
    {
        var o = slot.Outcome;
        var writer = slot.Channel.Writer;
        try
        {
            if (manifest.TryGetSource(slot.Key, out var knownSize, out var knownSha) && knownSize == o.Size)
            {
                await using var s = new HashingReadStream(await slot.Source.OpenAsync(ct).ConfigureAwait(false));
                if (await s.FinishAsync(ct).ConfigureAwait(false) == knownSha)
                {
                    o.Sha256 = knownSha;
                    o.Status = "unchanged";
                    o.Message = "already in the dataset (same path, size and SHA-256)";
                    return;
                }
            }
            Stream raw;
            try
            {
                raw = await slot.Source.OpenAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Fail(o, new ReadIssue(o.Uri, ReadFaultKind.Unreadable, $"Cannot open '{o.Uri}': {ex.Message}", null, null, true, ex));
                return;
            }
            await using var hashing = new HashingReadStream(raw);
            // The mapper validates every record as it maps it (JsonWalker): the scanner only delimits them.
            using var scanner = new JsonRecordScanner(hashing, validateRecords: false);
            var uri = Encoding.UTF8.GetBytes(o.Uri);
            var rows = Rent();
            while (true)
            {
                ReadOnlyMemory<byte>? record;
                try
                {
                    record = await scanner.NextAsync(ct).ConfigureAwait(false);
                }
                catch (CloudTrailFormatException ex)
                {
                    Fail(o, new ReadIssue(o.Uri, ex.Kind, $"'{o.Uri}': {ex.Message}", ex.ByteOffset, ex.RecordIndex, true, ex));
                    break;
                }
                catch (IOException ex)
                {
                    Fail(o, new ReadIssue(o.Uri, ReadFaultKind.Unreadable, $"'{o.Uri}': read failed after {scanner.BytesConsumed:N0} bytes: {ex.Message}",
                        scanner.BytesConsumed, scanner.RecordCount, true, ex));
                    break;
                }
                if (record is null) break;
                var index = scanner.RecordCount - 1;
                var objects = scanner.Shape == FileShape.Objects;
                CloudTrailColumnMapper.Result mapped;
                try
                {
                    mapped = mapper.Map(record.Value.Span, rows, uri, index, objects);
                }
                catch (JsonException jx)
                {
                    var ex = await scanner.RecordFaultAsync(jx, ct).ConfigureAwait(false);
                    Fail(o, new ReadIssue(o.Uri, ex.Kind, $"'{o.Uri}': {ex.Message}", ex.ByteOffset, ex.RecordIndex, true, ex));
                    break;
                }
                if (mapped == CloudTrailColumnMapper.Result.NotEvent)
                {
                    o.Errors++;
                    if (index == 0)
                    {
                        Fail(o, new ReadIssue(o.Uri, ReadFaultKind.NotCloudTrail,
                            $"'{o.Uri}' is JSON but not CloudTrail: its first object has none of eventVersion, eventTime, eventName, eventSource or eventID.",
                            scanner.LastRecordOffset, index, true));
                        break;
                    }
                    Issues.Enqueue(new ReadIssue(o.Uri, ReadFaultKind.NotCloudTrail,
                        $"'{o.Uri}': record {index} is not a CloudTrail event: it has none of eventVersion, eventTime, eventName, eventSource or eventID.",
                        scanner.LastRecordOffset, index, false));
                    continue;
                }
                o.Events++;
                if (rows.Count >= BatchRows || rows.FillBytes >= BatchBytes)
                {
                    // Progress by batch, not by event: one shared counter bumped from every reader per event cost a
                    // contended cache line a million times over.
                    Interlocked.Add(ref Progress._events, rows.Count);
                    await writer.WriteAsync(new Batch(rows, false), ct).ConfigureAwait(false);
                    rows = Rent();
                }
            }
            o.UncompressedBytes = scanner.BytesConsumed;
            if (o.Status != "failed")
            {
                if (scanner.Shape == FileShape.Digest) { o.Status = "skipped"; o.Message = "a CloudTrail digest file, not events"; }
                else if (scanner.Shape == FileShape.Empty) { o.Status = "skipped"; o.Message = "empty"; }
            }
            try { o.Sha256 = await hashing.FinishAsync(ct).ConfigureAwait(false); }
            catch (IOException) { /* the read fault is already recorded */ }
            o.Size ??= hashing.BytesRead;
            Interlocked.Add(ref Progress._events, rows.Count);
            await writer.WriteAsync(new Batch(rows, true), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Fail(o, new ReadIssue(o.Uri, ReadFaultKind.Unreadable, $"'{o.Uri}': {ex.Message}", null, null, true, ex));
        }
        finally
        {
            writer.TryComplete();
        }
    }

    private void Fail(SourceOutcome o, ReadIssue issue)
    {
        o.Status = "failed";
        o.Message = issue.Message;
        Issues.Enqueue(issue);
    }

    /// <summary>A reusable row buffer: reader batches, streamed chunks and the writers' chunks all come from (and go
    /// back to) this one pool.</summary>
    private RowBuffer Rent() => _pool.TryTake(out var b) ? b : new RowBuffer(bigChunks: true);

    /// <summary>
    /// Partitions, dedupes and buffers a batch's rows from row <paramref name="from"/> on (on the single consumer, in input
    /// order). Stops early when a streamable partition's buffer holds a full chunk (<paramref name="full"/>), for the
    /// caller to hand off; returns the row to go on from.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private int Consume(RowBuffer rows, int from, SourceOutcome outcome, out Partition? full)
    {
        full = null;
        for (var r = from; r < rows.Count; r++)
        {
            var time = rows.Time(r);
            var account = rows.Get(r, DatasetColumns.RecipientAccountId);
            if (account.IsEmpty) account = rows.Get(r, DatasetColumns.UiAccountId);
            var region = rows.Get(r, DatasetColumns.AwsRegion);
            var day = time == RowBuffer.NoTime ? long.MinValue : time / TimeSpan.TicksPerDay;
            // Rows of one delivery file nearly always share account, region and day: reuse the last row's partition
            // instead of building its key string per row.
            var p = _lastPartition;
            if (p is null || day != _lastDay || !ShortEquals.Equal(account, _lastAccount.AsSpan(0, _lastAccountLength)) ||
                !ShortEquals.Equal(region, _lastRegion.AsSpan(0, _lastRegionLength)))
            {
                var key = string.Concat(DatasetSchema.AccountKey, "=", DatasetSchema.PartitionValue(account), "/",
                    DatasetSchema.RegionKey, "=", DatasetSchema.PartitionValue(region), "/",
                    DatasetSchema.DateKey, "=", time == RowBuffer.NoTime ? DatasetSchema.Unknown : new DateTime(time).ToString("yyyy-MM-dd"));
                if (!_partitions.TryGetValue(key, out p)) _partitions[key] = p = new Partition(key, _options.KeepDuplicates ? null : SeenSoFar(key));
                _lastPartition = p;
                _lastDay = day;
                Remember(ref _lastAccount, ref _lastAccountLength, account);
                Remember(ref _lastRegion, ref _lastRegionLength, region);
            }
            // A second copy of an event has the same account, region and time: it is in the same partition as the first.
            if (p.Seen is not null && !rows.IsNull(r, DatasetColumns.EventID) && !p.Seen.Add(rows.Get(r, DatasetColumns.EventID)))
            {
                outcome.Duplicates++;
                continue;
            }
            if (time == RowBuffer.NoTime) outcome.UnknownTime++;
            p.Bytes += p.Buffer.CopyRow(rows, r);
            p.Rows++;
            p.LastSource = _source;
            outcome.Written++;
            if (IsFullChunk(p.Buffer) && (p.Stream is not null || CanStream(p)))
            {
                full = p;
                return r + 1;
            }
        }
        return rows.Count;
    }

    /// <summary>Index of the source being consumed.</summary>
    private int _source;
    private Partition? _lastPartition;
    private long _lastDay;
    private byte[] _lastAccount = new byte[64], _lastRegion = new byte[64];
    private int _lastAccountLength, _lastRegionLength;

    private static void Remember(ref byte[] into, ref int length, ReadOnlySpan<byte> value)
    {
        if (into.Length < value.Length) into = new byte[value.Length];
        value.CopyTo(into);
        length = value.Length;
    }

    private Task FlushOverBudgetAsync(string root, CancellationToken ct)
    {
        var total = _partitions.Values.Sum(p => p.Buffer.ApproxBytes);
        if (total <= _options.MemoryBudgetBytes) return Task.CompletedTask;
        // Over budget: spill the biggest partitions to disk until half the budget is free. Row groups are only written
        // once a partition is complete, so they are as large as the partition (up to RowGroupRows/RowGroupBytes) however
        // many partitions the input spreads over: small row groups compress poorly.
        foreach (var p in _partitions.Values.Where(p => p.Stream is null).OrderByDescending(p => p.Buffer.ApproxBytes).ToList())
        {
            if (total <= _options.MemoryBudgetBytes / 2) break;
            total -= p.Buffer.ApproxBytes;
            SpillRows(root, p);
        }
        // Spilled partition chunks (up to the budget) are now garbage, much of it on the large object heap: a full
        // collection every few spills keeps the process near its live set instead of growing until the GC decides to.
        if (++_spills % 4 == 0) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        return Task.CompletedTask;
    }

    private void SpillRows(string root, Partition p)
    {
        if (p.Buffer.Count == 0) return;
        // Unbuffered (rows are copied into one scratch buffer per write): hundreds of partitions may have a spill open.
        p.Spill ??= new FileStream(Path.Combine(root, DatasetManifest.FolderName, $".spill-{_runId}-{Interlocked.Increment(ref _fileSeq):D5}{DatasetManifest.TempSuffix}"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 0, FileOptions.DeleteOnClose);
        var used = 0;
        for (var r = 0; r < p.Buffer.Count; r++)
        {
            var size = p.Buffer.SerializedSize(r) + 4;
            if (used + size > _spillScratch.Length)
            {
                p.Spill.Write(_spillScratch, 0, used);
                used = 0;
                if (size > _spillScratch.Length) _spillScratch = new byte[size];
            }
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_spillScratch.AsSpan(used), size - 4);
            p.Buffer.Serialize(r, _spillScratch.AsSpan(used + 4, size - 4));
            used += size;
        }
        p.Spill.Write(_spillScratch, 0, used);
        p.Buffer.Clear();
    }

    /// <summary>An unfinished run: close and delete its temporary files (a killed process leaves them to the next run).</summary>
    private void Abandon()
    {
        foreach (var p in _partitions.Values)
        {

            try { p.Spill?.Dispose(); } catch { /* best effort */ }
        }
        foreach (var r in _renames)
            try { File.Delete(r[0]); } catch { /* swept by the next run */ }
    }
}
