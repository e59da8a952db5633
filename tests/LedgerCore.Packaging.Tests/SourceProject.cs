using System.Xml.Linq;

namespace LedgerCore.Packaging.Tests;

/// <summary>
/// A project under src/ that ships as a package. Found by listing src/*/*.csproj, so a new project there
/// is packed and checked without editing the tests.
/// </summary>
/// <param name="Directory">The project's folder (where its README.md lives).</param>
/// <param name="PackageId">The package's id: the csproj's PackageId, else its AssemblyName, else its file name (as the SDK does).</param>
/// <param name="AssemblyName">The assembly's name: the csproj's AssemblyName, else its file name.</param>
/// <param name="ToolCommand">A .NET tool's command (PackAsTool true in the csproj), else null: a library.</param>
public sealed record SourceProject(string Directory, string PackageId, string AssemblyName, string? ToolCommand)
{
    /// <summary>Where the package holds the assembly: a tool's folder, or a library's.</summary>
    public string AssemblyFolder => ToolCommand is null ? "lib/net10.0" : "tools/net10.0/any";

    /// <summary>The repository root: the folder above the tests that holds LedgerCore.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>
    /// Every src/*/*.csproj except those that opt out with IsPackable false in the csproj itself.
    /// src/Directory.Build.props makes everything there packable; opting out must be visible in the project.
    /// </summary>
    public static IReadOnlyList<SourceProject> Packable()
    {
        var projects = new List<SourceProject>();
        foreach (string directory in System.IO.Directory.EnumerateDirectories(Path.Combine(RepositoryRoot, "src")).Order(StringComparer.Ordinal))
        {
            foreach (string csproj in System.IO.Directory.EnumerateFiles(directory, "*.csproj").Order(StringComparer.Ordinal))
            {
                XElement root = XDocument.Load(csproj).Root!;
                string? Property(string name) => root.Elements("PropertyGroup").Elements(name).LastOrDefault()?.Value.Trim();
                if (string.Equals(Property("IsPackable"), "false", StringComparison.OrdinalIgnoreCase)) continue;

                string assembly = Property("AssemblyName") ?? Path.GetFileNameWithoutExtension(csproj);
                bool tool = string.Equals(Property("PackAsTool"), "true", StringComparison.OrdinalIgnoreCase);
                string? command = tool ? Property("ToolCommandName") ?? assembly : null;
                projects.Add(new SourceProject(directory, Property("PackageId") ?? assembly, assembly, command));
            }
        }

        return projects;
    }

    /// <summary>The package id, so a test case reads as <c>Test("LedgerCore.Tcp")</c>.</summary>
    public override string ToString() => PackageId;

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "LedgerCore.sln")) && System.IO.Directory.Exists(Path.Combine(d.FullName, "src"))) return d.FullName;
        }

        throw new InvalidOperationException($"No LedgerCore.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
