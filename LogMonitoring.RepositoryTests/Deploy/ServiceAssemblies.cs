using System.Reflection;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// Service assemblies the test project does not reference, loaded from their build output (the
/// solution build puts them next to their projects), to read their option types.
/// </summary>
internal static class ServiceAssemblies
{
    /// <summary>Debug or Release: the configuration these tests were built with.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static Type Type(string project, string typeName)
    {
        var path = RepositoryRoot.PathOf(project, "bin", Configuration, "net10.0", project + ".dll");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: build the solution (dotnet build) before these tests.");
        }

        return Assembly.LoadFrom(path).GetType(typeName, throwOnError: true)!;
    }
}
