using System.Security.Cryptography;
using System.Text;

namespace Lever.Lab.Internal;

/// <summary>SHA-256 helpers for stage inputs and outputs.</summary>
internal static class Hashing
{
    /// <summary>Hex SHA-256 of the parts joined with a separator no part contains.</summary>
    public static string Of(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))));

    /// <summary>Hex SHA-256 of a file's content.</summary>
    public static string File(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
