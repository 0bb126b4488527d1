namespace OkvActors.Cluster.Serialization;

/// <summary>
/// Marker for every type OkvActors sends between nodes or stores: it binds them to
/// <see cref="OkvSerializer"/>, which reads only the types it lists (no type names on the wire).
/// </summary>
public interface IOkvMessage;
