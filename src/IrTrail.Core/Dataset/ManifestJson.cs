using System.Text.Json.Serialization;

namespace IrTrail.Core.Dataset;

/// <summary>
/// The manifest's JSON, generated at build time: each source's entry is written three times in a run (run log, commit
/// journal, manifest) and read back once, so with reflection the serializer's generic machinery was hot enough for the
/// runtime to recompile it while the conversion ran.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ManifestEntry))]
[JsonSerializable(typeof(CommitJournal))]
internal sealed partial class ManifestJson : JsonSerializerContext;
