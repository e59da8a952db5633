namespace LedgerCore.Backup;

/// <summary>One file of a backup as its manifest lists it: name, length and XxHash3-64 of its bytes.</summary>
internal readonly record struct BackupFile(string Name, long Length, ulong Hash);
