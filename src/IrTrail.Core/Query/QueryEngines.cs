namespace IrTrail.Core.Query;

/// <summary>The engines' names, as -Engine takes them and the library keys its per-engine SQL.</summary>
internal static class QueryEngines
{
    public const string Local = "Local";
    public const string Athena = "Athena";

    /// <summary>The engine cannot run here yet (Athena until its engine is built): a clear, stable message.</summary>
    public static QueryException NotAvailable(string engine) =>
        new($"The {engine} engine is not available in this version of IrTrail yet: use -Engine {Local} (DuckDB over a dataset or raw logs).", engine);
}
