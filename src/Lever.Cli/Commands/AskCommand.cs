using System.CommandLine;
using Lever.Core;
using Lever.Core.Config;
using Lever.Evals.Running;
using Lever.Retrieval;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary><c>lever ask "question"</c>: answer from an index with [n] citations, or show the passages when no generator is configured.</summary>
internal sealed class AskCommand : ILeverCommand
{
    public Command Create()
    {
        var question = new Argument<string>("question") { Description = "the question" };
        var name = new Option<string?>("--name", "-n") { Description = $"index name (default: {RetrievalCli.DefaultIndexName})" };
        var k = new Option<int>("--k") { Description = "passages to retrieve", DefaultValueFactory = _ => 5 };
        var user = new Option<string?>("--user") { Description = "ask as this user (without --user/--groups only public documents are used)" };
        var groups = new Option<string?>("--groups") { Description = "comma-separated groups of the caller" };
        var provider = new Option<string?>("--provider", "-p") { Description = "chat provider from lever.yaml (default: ask.provider, else the only provider with a model)" };
        var mode = RetrievalCli.ModeOption();
        var command = new Command("ask", "Answer a question from an index with inline [n] citations.") { question, name, k, user, groups, provider, mode };
        command.SetAction(async (parse, ct) =>
        {
            int top = parse.GetValue(k);
            if (top < 1) throw new LeverUserException($"--k {top}: must be at least 1", "pass --k 5");
            var (ws, indexOptions) = RetrievalCli.Load(parse.GetValue(name));
            using var index = RetrievalCli.OpenExisting(ws, parse.GetValue(name));
            var providers = RetrievalCli.Providers(ws);
            var chatName = providers.ChooseChat(parse.GetValue(provider) ?? LeverConfig.Load(ws.ConfigPath).Section<AskSettings>("ask")?.Provider, "ask.provider", flag: "--provider");
            using var chat = chatName is null ? null : providers.Chat(chatName);
            var requested = SearchModes.Parse(parse.GetValue(mode), "--mode");
            using var embedder = requested == SearchMode.Lexical ? null : RetrievalCli.Embedder(ws, parse.GetValue(name), indexOptions, index);
            var options = new SearchOptions(top, RetrievalCli.Caller(parse.GetValue(user), parse.GetValue(groups)), index.ModeFor(requested, embedder is not null), MaxChunksPerDocument: 2);
            var answer = await GroundedAnswerer.AskAsync(index, parse.GetValue(question)!, options, chat, embedder, ct).ConfigureAwait(false);
            if (answer.Answer is not null)
            {
                Console.WriteLine(answer.Answer);
                Console.WriteLine();
            }
            else
            {
                Console.WriteLine("No generator is configured, so here are the best passages with their citations.");
                Console.WriteLine("(Configure a chat provider under providers: in lever.yaml to get a written answer.)");
                Console.WriteLine();
            }
            if (answer.Passages.Count == 0) Console.WriteLine("No passage matched the question.");
            for (int i = 0; i < answer.Passages.Count; i++)
            {
                var h = answer.Passages[i];
                AnsiConsole.MarkupLineInterpolated($"[bold][[{i + 1}]][/] {h.Title} — {h.Citation}");
                if (answer.Answer is null) Console.WriteLine("    " + SearchCommand.Snippet(h.Text, 400));
            }
            return 0;
        });
        return command;
    }
}
