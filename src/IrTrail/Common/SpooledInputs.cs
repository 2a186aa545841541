namespace IrTrail.Common;

/// <summary>Local inputs (files, and folders walked when the run reads them) piped in one by one:
/// <c>Get-ChildItem -Recurse | Convert-IrTrailToParquet</c> may be millions of paths.</summary>
internal sealed class SpooledInputs : Spool<(string Path, bool IsFolder)>
{
    public void Add(string path, bool isFolder) => Add((path, isFolder));

    protected override void Write(BinaryWriter writer, (string Path, bool IsFolder) item)
    {
        writer.Write(item.IsFolder);
        WriteString(writer, item.Path);
    }

    protected override (string Path, bool IsFolder) Read(BinaryReader reader)
    {
        var isFolder = reader.ReadBoolean();
        return (ReadString(reader)!, isFolder);
    }
}
