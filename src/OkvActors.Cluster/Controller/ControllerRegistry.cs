using Akka.DistributedData;
using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Controller;

/// <summary>
/// The replicated, durable copy of the controller's state that every node holds. The singleton is the
/// only writer, so the merge keeps the higher version (ties broken by writer name so that replicas
/// agree even after a split brain). Written with WriteMajority to a durable key: a change the controller
/// acknowledges is on disk on a majority of nodes and survives the controller's node.
/// </summary>
public sealed class ControllerRegistry(ControllerState state) : IReplicatedData<ControllerRegistry>, IOkvMessage
{
    public static readonly ControllerRegistryKey Key = new("okv-controller");

    public ControllerState State { get; } = state;

    public ControllerRegistry Merge(ControllerRegistry other)
    {
        if (other.State.Version != State.Version)
        {
            return other.State.Version > State.Version ? other : this;
        }

        return string.CompareOrdinal(other.State.Writer, State.Writer) > 0 ? other : this;
    }

    public IReplicatedData Merge(IReplicatedData other) => Merge((ControllerRegistry)other);

    public override string ToString() => $"ControllerRegistry(v{State.Version} by {State.Writer})";
}

public sealed class ControllerRegistryKey(string id) : Key<ControllerRegistry>(id);
