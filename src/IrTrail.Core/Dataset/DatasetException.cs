namespace IrTrail.Core.Dataset;

/// <summary>The destination cannot be used as a dataset (not an IrTrail dataset, not writable, ...).</summary>
public sealed class DatasetException(string message, Exception? inner = null) : Exception(message, inner);
