namespace IrTrail.Common;

/// <summary>IrTrail.LogFile objects piped in from Get-IrTrailLogFile (an organisation's day can be hundreds of thousands
/// of objects). Only what opening the object needs comes back: its URI, bucket, key, size and bucket region.</summary>
internal sealed class SpooledLogFiles : Spool<LogFile>
{
    protected override void Write(BinaryWriter writer, LogFile item)
    {
        WriteString(writer, item.Uri);
        WriteString(writer, item.BucketName);
        WriteString(writer, item.Key);
        WriteString(writer, item.BucketRegion);
        writer.Write(item.Size);
    }

    protected override LogFile Read(BinaryReader reader) => new()
    {
        Uri = ReadString(reader)!,
        BucketName = ReadString(reader),
        Key = ReadString(reader),
        BucketRegion = ReadString(reader),
        Size = reader.ReadInt64(),
    };
}
