using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Runtime.CompilerServices;

namespace IrTrail.Core.Reading;

/// <summary>
/// Splits a CloudTrail source into the raw bytes of its records, streaming with memory bounded by the largest single
/// record. Understands every shape real data comes in: <c>{"Records":[...]}</c>, bare arrays, single objects and
/// one object per line; recognises digest files. Decompresses gzip when the stream starts with its magic bytes.
/// This is the one tokenising reader every consumer (events, converter, sample self-check, integrity) shares.
/// </summary>
public sealed class JsonRecordScanner : IDisposable
{
    private const int InitialBuffer = 256 * 1024;
    /// <summary>No CloudTrail record comes near this; a larger one is a fault, not a reason to exhaust memory.</summary>
    public const int MaxRecordBytes = 256 * 1024 * 1024;

    private enum Mode { Start, Probe, InArray, EnvelopeRest, Sequence, Done }

    private readonly Stream _raw;
    private Stream _stream;
    private byte[] _buf = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    private int _pos, _end;
    private long _bufferOffset; // absolute decompressed offset of _buf[0]
    private bool _eof;
    private Mode _mode = Mode.Start;
    private bool _arrayIsEnvelope;
    private JsonReaderState _state;
    private Queue<byte[]>? _pending; // records of a small envelope whose "Records" was not the first key
    private byte[]? _pendingCurrent;

    private readonly bool _validateRecords;
    private JsonReaderState? _afterElement; // the reader's state after an array element: the same for every element

    /// <param name="validateRecords">False for a caller that validates every record fully itself (the converter's
    /// mapper, with <see cref="JsonWalker"/>): records of an array are then delimited by a structural scan
    /// (<see cref="StructuralJson"/>) instead of a validating one, so each is validated once; the JSON around them is
    /// still validated here, and a record's own fault comes from the caller (see <see cref="RecordFaultAsync"/>).</param>
    public JsonRecordScanner(Stream stream, bool validateRecords = true)
    {
        _raw = stream;
        _stream = stream;
        _validateRecords = validateRecords;
    }

    /// <summary>For a caller that does not let the scanner validate records: the fault for the last record returned,
    /// which its own validation found malformed, diagnosed as the scanner would have (garbage JSON in a gzip file is
    /// usually damaged gzip).</summary>
    public async ValueTask<CloudTrailFormatException> RecordFaultAsync(JsonException ex, CancellationToken cancellationToken = default)
    {
        var fault = Malformed(ex, RecordCount - 1, LastRecordOffset);
        return Compressed ? await DiagnoseCompressionAsync(fault, cancellationToken).ConfigureAwait(false) : fault;
    }

    /// <summary>The shape found so far (known after the first record, or at the end).</summary>
    public FileShape Shape { get; private set; } = FileShape.Unknown;

    /// <summary>True when the source was gzip-compressed.</summary>
    public bool Compressed { get; private set; }

    /// <summary>Records returned so far.</summary>
    public long RecordCount { get; private set; }

    /// <summary>Decompressed bytes consumed so far.</summary>
    public long BytesConsumed => _bufferOffset + _pos;

    /// <summary>The largest buffer the scanner needed: the proof that memory follows the largest record, not the file.</summary>
    public int PeakBufferBytes { get; private set; } = InitialBuffer;

    /// <summary>Absolute decompressed offset at which the last returned record started.</summary>
    public long LastRecordOffset { get; private set; }

    /// <summary>
    /// The next record's raw UTF-8 bytes, or null at the end. The memory is valid until the next call.
    /// Throws <see cref="CloudTrailFormatException"/> on a fault; records returned before it stay valid.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // every record
    public ValueTask<ReadOnlyMemory<byte>?> NextAsync(CancellationToken cancellationToken = default)
    {
        // A record already in the buffer comes back without an async state machine: one per record made a million of
        // them per million events, in framework code (builders for this type) that runs unoptimised until the runtime
        // gets to it. Anything else (reading, the end, queued records, faults to diagnose) takes the async way.
        if ((_pending is null || _pending.Count == 0) && _deferred is null && !cancellationToken.IsCancellationRequested &&
            TryBufferedRecord(out var record, out var end))
            return new ValueTask<ReadOnlyMemory<byte>?>(end ? (ReadOnlyMemory<byte>?)null : record);
        return NextCoreAsync(cancellationToken);
    }

    /// <summary>A malformed-JSON fault met on the synchronous way, for the async way to diagnose (is it the gzip?).</summary>
    private CloudTrailFormatException? _deferred;

    /// <summary>Steps while the buffer allows: true with a record, or with <paramref name="end"/> at the end; false when
    /// it needs more input, has queued records or met a fault to diagnose (<see cref="_deferred"/>); stepping again
    /// after more input gives the same answer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // every record
    private bool TryBufferedRecord(out ReadOnlyMemory<byte> record, out bool end)
    {
        record = default;
        end = false;
        while (true)
        {
            StepResult step;
            int start, length;
            try
            {
                step = Step(out start, out length);
            }
            catch (CloudTrailFormatException ex) when (ex.Kind == ReadFaultKind.MalformedJson && Compressed)
            {
                _deferred = ex;
                return false;
            }
            switch (step)
            {
                case StepResult.Record:
                    RecordCount++;
                    LastRecordOffset = _bufferOffset + start;
                    record = new ReadOnlyMemory<byte>(_buf, start, length);
                    return true;
                case StepResult.End:
                    end = true;
                    return true;
                case StepResult.Again:
                    continue;
                default:
                    return false;
            }
        }
    }

    /// <summary>The way that may wait: diagnoses a deferred fault, hands out queued records, and reads more input when
    /// <see cref="TryBufferedRecord"/> runs out of it.</summary>
    private async ValueTask<ReadOnlyMemory<byte>?> NextCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_deferred is { } deferred)
            {
                _deferred = null;
                throw await DiagnoseCompressionAsync(deferred, cancellationToken).ConfigureAwait(false);
            }
            if (_pending is not null && _pending.Count > 0)
            {
                _pendingCurrent = _pending.Dequeue();
                RecordCount++;
                return _pendingCurrent;
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (TryBufferedRecord(out var record, out var end)) return end ? (ReadOnlyMemory<byte>?)null : record;
            if (_deferred is not null || (_pending is not null && _pending.Count > 0)) continue;
            // The buffer holds no whole record: read more, unless there is no more.
            if (_eof)
                // GZipStream reports a gzip stream cut short as a plain end of data; a delivery whose decompressed JSON
                // stops mid-record is a truncated download, so say so.
                throw Compressed
                    ? new CloudTrailFormatException(ReadFaultKind.CorruptCompression,
                        $"The gzip data ends early (truncated file?) after {BytesConsumed + (_end - _pos):N0} decompressed bytes, inside record {RecordCount}.",
                        BytesConsumed, RecordCount)
                    : new CloudTrailFormatException(ReadFaultKind.MalformedJson,
                        $"The JSON ends unexpectedly (truncated) after {BytesConsumed + (_end - _pos):N0} bytes, inside record {RecordCount}.",
                        BytesConsumed, RecordCount);
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Record: one is ready. NeedMore: read more input. End: no more records. Pending: queued records are
    /// ready. Again: the state moved on without a record; step again before reading.</summary>
    private enum StepResult { Record, NeedMore, End, Pending, Again }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private StepResult Step(out int recordStart, out int recordLength)
    {
        recordStart = recordLength = 0;
        try
        {
            switch (_mode)
            {
                case Mode.Start:
                    // Three bytes decide between a byte order mark and content.
                    if (_bufferOffset == 0 && _end < 3 && !_eof) return StepResult.NeedMore;
                    SkipBomAndWhiteSpace();
                    if (_pos == _end)
                    {
                        if (!_eof) return StepResult.NeedMore;
                        Shape = FileShape.Empty;
                        _mode = Mode.Done;
                        return StepResult.End;
                    }
                    switch (_buf[_pos])
                    {
                        case (byte)'[':
                            Shape = FileShape.Array;
                            _state = new JsonReaderState();
                            _mode = Mode.InArray;
                            _arrayIsEnvelope = false;
                            return OpenArray();
                        case (byte)'{':
                            _mode = Mode.Probe;
                            return ProbeObject(out recordStart, out recordLength);
                        default:
                            throw NotCloudTrail($"The content does not start with a JSON object or array (first character '{(char)_buf[_pos]}').");
                    }
                case Mode.Probe:
                    return ProbeObject(out recordStart, out recordLength);
                case Mode.InArray:
                    return ArrayElement(out recordStart, out recordLength);
                case Mode.EnvelopeRest:
                    return EnvelopeRest();
                case Mode.Sequence:
                    return SequenceElement(out recordStart, out recordLength);
                default:
                    return StepResult.End;
            }
        }
        catch (JsonException ex)
        {
            throw Malformed(ex, RecordCount, BytesConsumed);
        }
    }

    private static CloudTrailFormatException Malformed(JsonException ex, long record, long offset)
    {
        // The reader's line/position are relative to where it started (mid-file or mid-record): report the record and
        // its offset instead.
        var reason = ex.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0) reason = reason[..cut];
        return new CloudTrailFormatException(ReadFaultKind.MalformedJson,
            $"Malformed JSON in record {record} (which starts at byte {offset:N0}): {reason}", offset, record, ex);
    }

    private StepResult OpenArray()
    {
        _afterElement = null;
        var reader = new Utf8JsonReader(_buf.AsSpan(_pos, _end - _pos), _eof, _state);
        if (!reader.Read()) return StepResult.NeedMore;
        Commit(ref reader);
        return StepResult.Again;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private StepResult ArrayElement(out int recordStart, out int recordLength)
    {
        recordStart = recordLength = 0;
        if (_afterElement is { } next)
        {
            // The usual case between two records, ',' then '{' (whitespace around it), found here without a reader: the
            // reader made per record only to step over the comma was 1% of a conversion, mostly in framework code
            // still waiting to be recompiled. Anything else (the array's end, a fault, the buffer's end) is the
            // reader's, as below.
            var span = _buf.AsSpan(_pos, _end - _pos);
            var k = WhiteSpaceEnd(span, 0);
            if (k < span.Length && span[k] == (byte)',')
            {
                k = WhiteSpaceEnd(span, k + 1);
                if (k < span.Length && span[k] == (byte)'{') return Delimited(k, next, out recordStart, out recordLength);
            }
        }
        var reader = new Utf8JsonReader(_buf.AsSpan(_pos, _end - _pos), _eof, _state);
        if (!reader.Read()) return StepResult.NeedMore;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var start = (int)reader.TokenStartIndex;
                if (_afterElement is { } after) return Delimited(start, after, out recordStart, out recordLength);
                if (!reader.TrySkip()) return GrowIfFull(start);
                recordStart = _pos + start;
                recordLength = (int)reader.BytesConsumed - start;
                Commit(ref reader);
                if (!_validateRecords) _afterElement = _state;
                return StepResult.Record;
            case JsonTokenType.EndArray:
                Commit(ref reader);
                _mode = _arrayIsEnvelope ? Mode.EnvelopeRest : Mode.Sequence;
                if (_mode == Mode.Sequence) _state = new JsonReaderState();
                return StepResult.Again;
            default:
                throw NotCloudTrail($"Element {RecordCount} of the {(_arrayIsEnvelope ? "Records" : "top-level")} array is a {reader.TokenType}, not an event object.");
        }
    }

    /// <summary>The object at <see cref="_pos"/> + <paramref name="start"/>, delimited structurally (the converter's mapper
    /// validates it); the reader's state after it is <paramref name="after"/>, the state after the array's first element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private StepResult Delimited(int start, JsonReaderState after, out int recordStart, out int recordLength)
    {
        recordStart = recordLength = 0;
        var length = StructuralJson.ObjectLength(_buf.AsSpan(_pos + start, _end - _pos - start));
        if (length < 0) return GrowIfFull(start);
        recordStart = _pos + start;
        recordLength = length;
        _pos += start + length;
        _state = after;
        return StepResult.Record;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per file: optimised at once, not after tiering
    private StepResult EnvelopeRest()
    {
        var reader = new Utf8JsonReader(_buf.AsSpan(_pos, _end - _pos), _eof, _state);
        if (!reader.Read()) return StepResult.NeedMore;
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            Commit(ref reader);
            _mode = Mode.Sequence;
            _state = new JsonReaderState();
            return StepResult.Again;
        }
        // Another property of the envelope: skip its value.
        if (!reader.Read() || !reader.TrySkip()) return GrowIfFull(0);
        Commit(ref reader);
        return StepResult.Again;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per file: optimised at once, not after tiering
    private StepResult SequenceElement(out int recordStart, out int recordLength)
    {
        recordStart = recordLength = 0;
        SkipWhiteSpace();
        if (_pos == _end)
        {
            if (!_eof) return StepResult.NeedMore;
            _mode = Mode.Done;
            return StepResult.End;
        }
        if (_buf[_pos] == (byte)'[')
        {
            _state = new JsonReaderState();
            _mode = Mode.InArray;
            _arrayIsEnvelope = false;
            return OpenArray();
        }
        if (_buf[_pos] != (byte)'{')
            throw NotCloudTrail($"Unexpected character '{(char)_buf[_pos]}' between top-level JSON values.");
        var reader = new Utf8JsonReader(_buf.AsSpan(_pos, _end - _pos), _eof, new JsonReaderState());
        reader.Read();
        if (!reader.TrySkip()) return GrowIfFull(0);
        recordStart = _pos;
        recordLength = (int)reader.BytesConsumed;
        _pos += recordLength;
        if (Shape == FileShape.Unknown) Shape = FileShape.Objects;
        return StepResult.Record;
    }

    /// <summary>
    /// A top-level object: an envelope when its first key is "Records" (streamed element by element), otherwise a
    /// whole object that is a digest, an event (the first of a sequence), or a small envelope with other keys first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per file: optimised at once, not after tiering
    private StepResult ProbeObject(out int recordStart, out int recordLength)
    {
        recordStart = recordLength = 0;
        var reader = new Utf8JsonReader(_buf.AsSpan(_pos, _end - _pos), _eof, new JsonReaderState());
        if (!reader.Read()) return StepResult.NeedMore;
        if (!reader.Read()) return GrowIfFull(0);
        if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("Records"u8))
        {
            if (!reader.Read()) return GrowIfFull(0);
            if (reader.TokenType != JsonTokenType.StartArray)
                throw NotCloudTrail($"\"Records\" holds a {reader.TokenType}, not an array of events.");
            Commit(ref reader);
            Shape = FileShape.Records;
            _mode = Mode.InArray;
            _afterElement = null;
            _arrayIsEnvelope = true;
            return StepResult.Again;
        }

        // Not an envelope by its first key: take the whole object.
        var whole = new Utf8JsonReader(_buf.AsSpan(_pos, _end - _pos), _eof, new JsonReaderState());
        whole.Read();
        if (!whole.TrySkip()) return GrowIfFull(0);
        var length = (int)whole.BytesConsumed;
        var span = new ReadOnlyMemory<byte>(_buf, _pos, length);
        var kind = Classify(span.Span);
        switch (kind)
        {
            case ObjectKind.Digest:
                Shape = FileShape.Digest;
                _mode = Mode.Done;
                return StepResult.End;
            case ObjectKind.Envelope:
                Shape = FileShape.Records;
                using (var doc = JsonDocument.Parse(span))
                {
                    _pending = new Queue<byte[]>();
                    foreach (var item in doc.RootElement.GetProperty("Records").EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.Object)
                            throw NotCloudTrail($"Element {_pending.Count} of the Records array is a {item.ValueKind}, not an event object.");
                        _pending.Enqueue(Encoding.UTF8.GetBytes(item.GetRawText()));
                    }
                }
                _pos += length;
                _mode = Mode.Sequence;
                return StepResult.Pending;
            default:
                Shape = FileShape.Objects;
                recordStart = _pos;
                recordLength = length;
                _pos += length;
                _mode = Mode.Sequence;
                return StepResult.Record;
        }
    }

    private enum ObjectKind { Event, Digest, Envelope }

    private static ObjectKind Classify(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var digestKeys = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Records"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray) return ObjectKind.Envelope;
                reader.Skip();
                continue;
            }
            if (reader.ValueTextEquals("digestStartTime"u8) || reader.ValueTextEquals("digestEndTime"u8) ||
                reader.ValueTextEquals("digestS3Bucket"u8) || reader.ValueTextEquals("digestS3Object"u8) ||
                reader.ValueTextEquals("previousDigestSignature"u8))
                digestKeys++;
            reader.Read();
            reader.Skip();
        }
        return digestKeys >= 2 ? ObjectKind.Digest : ObjectKind.Event;
    }

    private StepResult GrowIfFull(int relativeStart)
    {
        // The record does not fit in what is buffered: ask for more. FillAsync compacts and grows as needed;
        // refuse absurd sizes rather than exhausting memory.
        if (_end - _pos >= MaxRecordBytes)
            throw new CloudTrailFormatException(ReadFaultKind.RecordTooLarge,
                $"A single JSON value is larger than {MaxRecordBytes / (1024 * 1024)} MB at byte {_bufferOffset + _pos + relativeStart:N0}; this is not a CloudTrail record.",
                _bufferOffset + _pos, RecordCount);
        return StepResult.NeedMore;
    }

    private void Commit(ref Utf8JsonReader reader)
    {
        _pos += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    private void SkipBomAndWhiteSpace()
    {
        if (_bufferOffset == 0 && _pos == 0 && _end >= 3 && _buf[0] == 0xEF && _buf[1] == 0xBB && _buf[2] == 0xBF) _pos = 3;
        SkipWhiteSpace();
    }

    private void SkipWhiteSpace() => _pos += WhiteSpaceEnd(_buf.AsSpan(_pos, _end - _pos), 0);

    /// <summary>The first index from <paramref name="from"/> on that is not JSON whitespace (or the span's length).</summary>
    private static int WhiteSpaceEnd(ReadOnlySpan<byte> span, int from)
    {
        while (from < span.Length && span[from] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') from++;
        return from;
    }

    private CloudTrailFormatException NotCloudTrail(string message) =>
        new(ReadFaultKind.NotCloudTrail, message, BytesConsumed, RecordCount);

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_bufferOffset == 0 && _end == 0 && _pos == 0 && !Compressed && _stream == _raw)
        {
            await DetectCompressionAsync(cancellationToken).ConfigureAwait(false);
            if (_end > 0 || _eof) return;
        }
        // Compact: drop what is consumed; grow when a single pending value fills the whole buffer.
        if (_pos > 0)
        {
            Buffer.BlockCopy(_buf, _pos, _buf, 0, _end - _pos);
            _bufferOffset += _pos;
            _end -= _pos;
            _pos = 0;
        }
        if (_end == _buf.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buf.Length * 2, MaxRecordBytes + InitialBuffer));
            Buffer.BlockCopy(_buf, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = bigger;
            PeakBufferBytes = Math.Max(PeakBufferBytes, _buf.Length);
        }
        int read;
        try
        {
            read = await _stream.ReadAsync(_buf.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new CloudTrailFormatException(ReadFaultKind.CorruptCompression,
                $"The gzip data is corrupt after {BytesConsumed + (_end - _pos):N0} decompressed bytes: {ex.Message}",
                _bufferOffset + _end, RecordCount, ex);
        }
        if (read == 0) _eof = true;
        _end += read;
    }

    /// <summary>
    /// Garbage JSON inside a gzip file usually means the gzip itself is damaged: a flipped bit decodes to garbage
    /// before the inflater notices, and a cut-short file just ends. Read on to let the inflater or its checksum speak.
    /// </summary>
    private async ValueTask<CloudTrailFormatException> DiagnoseCompressionAsync(CloudTrailFormatException json, CancellationToken cancellationToken)
    {
        if (_eof)
            return new CloudTrailFormatException(ReadFaultKind.CorruptCompression,
                $"The gzip data ends early (truncated file?) after {_bufferOffset + _end:N0} decompressed bytes, inside record {RecordCount}.",
                json.ByteOffset, json.RecordIndex, json);
        var scratch = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (await _stream.ReadAsync(scratch.AsMemory(), cancellationToken).ConfigureAwait(false) > 0) { }
        }
        catch (InvalidDataException ex)
        {
            return new CloudTrailFormatException(ReadFaultKind.CorruptCompression,
                $"The gzip data is corrupt ({ex.Message}); it decoded to invalid JSON in record {RecordCount}.",
                json.ByteOffset, json.RecordIndex, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
        return json;
    }

    private async ValueTask DetectCompressionAsync(CancellationToken cancellationToken)
    {
        // Sniff the first bytes: gzip is known by its magic number, not by the file name.
        var head = new byte[2];
        var n = 0;
        while (n < 2)
        {
            var r = await _raw.ReadAsync(head.AsMemory(n), cancellationToken).ConfigureAwait(false);
            if (r == 0) break;
            n += r;
        }
        if (n == 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            Compressed = true;
            _stream = new GZipStream(new PrefixedStream(head, _raw), CompressionMode.Decompress, leaveOpen: true);
            return;
        }
        Buffer.BlockCopy(head, 0, _buf, 0, n);
        _end = n;
        if (n < 2) _eof = true;
    }

    public void Dispose()
    {
        if (_stream != _raw) _stream.Dispose();
        var b = _buf;
        _buf = Array.Empty<byte>();
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }
}
