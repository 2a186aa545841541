namespace IrTrail.Core.Query;

/// <summary>A result column: its name and DuckDB type name.</summary>
public sealed record QueryColumn(string Name, string TypeName);
