namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>A replica process gave no answer (killed, exited, or too slow): the request's outcome is unknown.</summary>
internal sealed class ReplicaUnavailableException : Exception
{
    public ReplicaUnavailableException()
    {
    }

    public ReplicaUnavailableException(string message)
        : base(message)
    {
    }

    public ReplicaUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
