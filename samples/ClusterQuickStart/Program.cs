using ClusterQuickStart;

// Three replicas in this process on loopback ports: write through the leader, stop it, write through the next one.
await ClusterDemo.RunAsync(Console.Out);
