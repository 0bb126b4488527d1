namespace OkvActors.Pki.Certificates;

/// <summary>A PKI input that cannot be used; the message says what is wrong and what to do.</summary>
public sealed class PkiException(string message, Exception? inner = null) : Exception(message, inner);
