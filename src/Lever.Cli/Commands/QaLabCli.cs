using Lever.Core;
using Lever.Core.Config;
using Lever.Core.Levers;
using Lever.Lab;
using Lever.Lab.Qa;
using Lever.Lab.Reporting;
using Lever.Providers;
using Spectre.Console;

namespace Lever.Cli.Commands;

/// <summary>
/// <c>lever lab</c> on a question-answering workspace (<c>lab.task: qa</c>): resolves the providers from lever.yaml
/// (the composition root's job), runs <see cref="QaLabRunner"/> with progress, and prints the results.
/// </summary>
internal static class QaLabCli
{
    public static async Task<int> RunAsync(Workspace ws, LabConfiguration config, CancellationToken ct)
    {
        var settings = QaLabSettings.Load(ws, config);
        var providers = Providers(ws, settings);
        var (recipes, _) = QaLabRunner.Plan(providers, config.Options.Recipes, settings.Options.TrainModel);
        AnsiConsole.MarkupLineInterpolated($"[bold]lever lab[/] {ws.Root}: question answering, {recipes.Count} recipe(s), priced at {LabFormat.Volume(config.RequestsPerMonth)} answers/month");

        var report = await LabProgressObserver.RunAsync(observer => new QaLabRunner(ws, settings, providers, observer, Lever.Reports.LabPages.Instance).RunAsync(ct)).ConfigureAwait(false);

        var table = new Table().Border(TableBorder.None).Title("[bold]lab results on the question set[/] (acc: answer has the expected text; +cite: and cites the gold page; R@1, MRR: gold page rank; more in report.html)")
            .AddColumns("recipe", "acc", "+cite", "R@1", "MRR", "p50", "p95", "$/1k", "$/mo");
        foreach (var c in table.Columns) c.PadLeft(0).PadRight(2);
        table.Columns[0].NoWrap();
        foreach (var c in table.Columns.Skip(1)) c.RightAligned();
        foreach (var r in report.Results.OrderByDescending(r => r.Accuracy))
        {
            var name = (r.Recipe.Name == report.RecommendedRecipe ? $"[green]{Markup.Escape(r.Recipe.Name)} *[/]" : Markup.Escape(r.Recipe.Name)) + $"\n[grey]{Markup.Escape(LeverKinds.Name(r.Recipe.Lever))}[/]";
            var s = r.Retrieval;
            table.AddRow(name, Pct(r.Accuracy), P(r.GroundedAccuracy), P(s?.RecallAt1), s is null ? "-" : F(s.Mrr, "0.000"),
                Ms(r.LatencyMsP50), Ms(r.LatencyMsP95), Usd(r.Cost.Per1kUsd), Usd(r.Cost.MonthlyUsd));
        }
        AnsiConsole.Write(table);
        foreach (var (recipe, reason) in report.Skipped) AnsiConsole.MarkupLineInterpolated($"[grey]not run: {recipe} — {reason}[/]");
        if (report.DocsModel is { } lm)
            AnsiConsole.MarkupLineInterpolated($"[bold]trained on the documents[/]: held-out loss {lm.BaseLoss:0.000} → {lm.Loss:0.000} nats/token in {lm.Steps} steps; closed-book accuracy {P(report.Results.FirstOrDefault(r => r.Recipe.DocsModel)?.Accuracy)}");
        if (report.Freshness.Count > 0)
        {
            AnsiConsole.MarkupLine("[bold]freshness[/] (edits to a copy of the documents; the answer before, after the edit unsynced, after index sync):");
            foreach (var f in report.Freshness)
                AnsiConsole.MarkupLine($"  {Markup.Escape(f.Question)} {Markup.Escape(f.ExpectedBefore)} → {Markup.Escape(f.ExpectedAfter)} ({Markup.Escape(f.Recipe)}): before {Mark(f.BeforeOk)}, unsynced still old {Mark(f.UnsyncedOld)}, after sync {Mark(f.AfterOk)}");
        }
        var recommendation = report.Recommendation;
        AnsiConsole.MarkupLineInterpolated($"[bold]recommendation:[/] {(recommendation.Primary is { } primary ? LeverKinds.Name(primary) : "none")} ({report.RecommendedRecipe ?? "-"})");
        if (recommendation.Summary is { } summary) AnsiConsole.MarkupLineInterpolated($"  {summary}");
        foreach (var line in recommendation.Warnings) AnsiConsole.MarkupLineInterpolated($"  [yellow]warning:[/] {line}");
        AnsiConsole.MarkupLineInterpolated($"stages: {report.Ran.Count} ran, {report.Reused.Count} reused");
        AnsiConsole.MarkupLineInterpolated($"report: {report.ReportPath}");
        AnsiConsole.MarkupLineInterpolated($"summary: {report.SummaryPath}");
        return 0;
    }

    /// <summary>
    /// The chat model: <c>lab.qa.provider</c>, else the only provider with a model, else OPENAI_API_KEY with the default
    /// model (the registry's rule); the embedding model: <c>lab.qa.embedding</c>, else the index's <c>embedding:</c>,
    /// else the built-in all-MiniLM-L6-v2 (so the hybrid rows run with no provider; <c>lab.qa.embedding: none</c> skips
    /// them). Prices from the provider entry or the price book.
    /// </summary>
    private static QaProviders Providers(Workspace ws, QaLabSettings settings)
    {
        var registry = Composition.Providers(ws);
        var none = QaProviders.None;
        string? chatId = null;
        Microsoft.Extensions.AI.IChatClient? chat = null;
        double input = 0, output = 0;
        if (registry.ChooseChat(settings.Options.Provider, "lab.qa.provider") is { } chatName)
        {
            var p = registry.Get(chatName);
            if (p.Model is null) throw new LeverUserException($"{ws.ConfigPath}: providers.{chatName}.model: missing", "give the chat model the lab's hosted recipes use");
            chat = registry.Chat(chatName);
            var prices = registry.Prices(chatName);
            (input, output) = (prices.InputPerMillion, prices.OutputPerMillion);
            chatId = $"{chatName}/{p.Model}";
        }
        string? embeddingId = null;
        Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? embedder = null;
        var missing = none.EmbeddingMissing;
        if (string.Equals(settings.EmbeddingProvider, "none", StringComparison.OrdinalIgnoreCase))
            missing = "lab.qa.embedding: none";
        else if (settings.EmbeddingProvider is null)
        {
            // No provider named: the local model Lever ships, as `lever index add` embeds with it.
            embedder = registry.LocalEmbeddings();
            if (embedder is not null) embeddingId = $"local/{ProviderRegistry.DefaultLocalEmbeddingModel}";
        }
        else if (settings.EmbeddingProvider is { } e)
        {
            embedder = registry.Embeddings(e) ?? throw new LeverUserException($"{ws.ConfigPath}: providers.{e}.embedding_model: missing",
                "set the provider's embedding_model, or remove lab.qa.embedding / the index's embedding: to skip the hybrid recipes");
            embeddingId = $"{e}/{registry.Get(e).EmbeddingModel}";
        }
        return new QaProviders(chatId, chat, input, output, embeddingId, embedder, none.ChatMissing, missing);
    }

    private static string P(double? v) => v is { } x ? Pct(x) : "-";

    private static string Pct(double v) => F(v * 100, "0.0") + "%";

    private static string F(double v, string format) => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);

    private static string Ms(double ms) => ms < 10 ? F(ms, "0.00") + "ms" : F(ms, "#,0") + "ms";

    private static string Usd(double usd) => usd is > 0 and < 0.01 ? F(usd, "0.0e+0") : usd < 1000 ? F(usd, "0.00") : F(usd, "#,0");

    private static string Mark(bool ok) => ok ? "[green]yes[/]" : "[red]no[/]";
}
