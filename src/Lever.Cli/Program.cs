using System.CommandLine;
using System.Reflection;
using Lever.Cli;
using Lever.Core;
using Spectre.Console;

var root = new RootCommand("Lever: decide between prompting, retrieval and fine-tuning with evidence, then do it.");
foreach (var command in typeof(ILeverCommand).Assembly.GetTypes()
             .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(ILeverCommand).IsAssignableFrom(t))
             .Select(t => ((ILeverCommand)Activator.CreateInstance(t)!).Create())
             .OrderBy(c => c.Name, StringComparer.Ordinal))
{
    root.Subcommands.Add(command);
}

// Not a terminal (CI logs, pipes, files): Spectre.Console would lay tables out for 80 columns and wrap cells mid-word.
// A pipe has no width, so use $COLUMNS when it is wider, else 240: rows stay whole and greppable.
if (Console.IsOutputRedirected)
    AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 240 ? columns : 240;

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
{
    // Wrong flags or arguments are the user's to fix: print them and exit 2, as for any user error.
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("hint: run `lever --help` or `lever <command> --help`");
    return LeverUserException.ExitCode;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C: ask the running command to stop at a safe point (it writes what it has). Second: die.
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
    Console.Error.WriteLine("lever: stopping at the next safe point (Ctrl-C again to abort)...");
};

try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancel.Token);
}
catch (LeverUserException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    if (ex.Hint is not null) Console.Error.WriteLine($"hint: {ex.Hint}");
    return LeverUserException.ExitCode;
}
catch (Lever.Providers.ProviderCallException ex)
{
    // A model provider still failing after its retries (unreachable, 5xx): not a bug, not the user's input either.
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine("hint: check that the provider's base_url is reachable (is the server running?), or choose another provider in lever.yaml");
    return 3;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("lever: cancelled");
    return 130;
}
catch (Exception ex) when (ex is not OutOfMemoryException)
{
    AnsiConsole.MarkupLineInterpolated($"[red]lever: internal error:[/] {ex.GetType().Name}: {ex.Message}");
    Console.Error.WriteLine(ex.StackTrace);
    Console.Error.WriteLine("This is a bug in Lever, not in your input. Please report it with the command you ran.");
    return 1;
}

namespace Lever.Cli
{
    /// <summary>Entry point type, named for tests.</summary>
    internal static partial class Program;
}
