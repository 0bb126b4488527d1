namespace OkvActors.Chaos;

/// <summary>The run could not be carried out (not: a check failed).</summary>
public sealed class ChaosException(string message) : Exception(message);
