using System.Globalization;

namespace LedgerCore.TcpLoad;

/// <summary>Command-line options of the TCP load run.</summary>
internal sealed class TcpLoadOptions
{
    public int Accounts { get; private set; } = 100_000;

    public long Transfers { get; private set; } = 2_000_000;

    public int Batch { get; private set; } = LedgerOptions.BatchEventsMax;

    public int Connections { get; private set; } = 4;

    public int InFlight { get; private set; } = 4;

    public bool InProcess { get; private set; } = true;

    public int Repeat { get; private set; } = 1;

    public string? DataDirectory { get; private set; }

    public bool Help { get; private set; }

    public const string Usage = """
        LedgerCore.TcpLoad: durable transfers through LedgerTcpServer/LedgerTcpClient on loopback.
          --accounts N      accounts created first (default 100000)
          --transfers N     transfers driven (default 2000000)
          --batch N         transfers per request, at most 8190 (default 8190)
          --connections N   client connections (default 4)
          --in-flight N     requests in flight per connection (default 4)
          --no-in-process   skip the in-process comparison run
          --repeat N        alternate the tcp and in-process runs N times and report medians (default 1)
          --data DIR        parent directory for the temporary ledgers (default: system temp)
        """;

    public static TcpLoadOptions Parse(string[] args)
    {
        var options = new TcpLoadOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--accounts": options.Accounts = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--transfers": options.Transfers = long.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--batch": options.Batch = Math.Clamp(int.Parse(Value(), CultureInfo.InvariantCulture), 1, LedgerOptions.BatchEventsMax); break;
                case "--connections": options.Connections = Math.Max(1, int.Parse(Value(), CultureInfo.InvariantCulture)); break;
                case "--in-flight": options.InFlight = Math.Max(1, int.Parse(Value(), CultureInfo.InvariantCulture)); break;
                case "--no-in-process": options.InProcess = false; break;
                case "--repeat": options.Repeat = Math.Max(1, int.Parse(Value(), CultureInfo.InvariantCulture)); break;
                case "--data": options.DataDirectory = Value(); break;
                case "--help" or "-h": options.Help = true; break;
                default: throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}");
            }
        }

        return options;
    }
}
