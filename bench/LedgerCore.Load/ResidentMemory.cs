using System.Globalization;

namespace LedgerCore.Load;

/// <summary>The process's resident set (what the kernel charges it, native pages and mapped files included), from /proc.</summary>
internal static class ResidentMemory
{
    /// <summary>Resident bytes now, or 0 where /proc/self/statm is not available.</summary>
    public static long Bytes()
    {
        try
        {
            string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
