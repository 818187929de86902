using System.Buffers;

namespace LogMonitoring.Contracts;

/// <summary>
/// The one rule for service names, for every entry point and every reader: letters, digits and
/// <c>. _ - / :</c> (so a name can never read as a query operator), at most <see cref="LogLimits.MaxServiceLength"/>
/// characters where the limits are known and <see cref="MaxLength"/> where they are not.
/// </summary>
public static class ServiceName
{
    /// <summary>The longest name any configuration accepts (the ceiling of <see cref="LogLimits.MaxServiceLength"/>).</summary>
    public const int MaxLength = 1024;

    /// <summary>The allowed characters, as error messages name them.</summary>
    public const string AllowedCharacters = "letters, digits and . _ - / :";

    /// <summary>Every character a service name may hold.</summary>
    public static SearchValues<char> Characters { get; } =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:");

    /// <summary>True when <paramref name="name"/> is 1 to <paramref name="maxLength"/> allowed characters.</summary>
    public static bool IsValid(ReadOnlySpan<char> name, int maxLength = MaxLength) =>
        name.Length > 0 && name.Length <= maxLength && HasOnlyAllowedCharacters(name);

    /// <summary>True when every character is allowed (the length is not checked).</summary>
    public static bool HasOnlyAllowedCharacters(ReadOnlySpan<char> name) => !name.ContainsAnyExcept(Characters);
}
