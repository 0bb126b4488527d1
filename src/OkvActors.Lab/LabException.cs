namespace OkvActors.Lab;

/// <summary>The lab could not run a part (a missing program, a peer that would not start): not a missed target.</summary>
public sealed class LabException(string message) : Exception(message);
