namespace IrTrail.Core.Query;

/// <summary>
/// A query the engine rejected, with the engine's own message (and position where it gives one). Engine exception
/// types never cross into the cmdlet assembly: it lives in another load context.
/// </summary>
public sealed class QueryException(string message, string engine, int? position = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string Engine { get; } = engine;
    /// <summary>Character position in the SQL, when the engine reports one.</summary>
    public int? Position { get; } = position;
    /// <summary>Refused before running: library or pack SQL that is not a single read-only query.</summary>
    public bool NotReadOnly { get; init; }
}
