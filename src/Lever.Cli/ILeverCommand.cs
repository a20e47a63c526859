using System.CommandLine;

namespace Lever.Cli;

/// <summary>
/// A top-level <c>lever</c> command. Implementations are found by reflection, so adding a command is
/// adding one file under Commands/ — no central list to edit.
/// </summary>
internal interface ILeverCommand
{
    /// <summary>Builds the command with its options and action.</summary>
    Command Create();
}
