using System.Globalization;
using Lever.Core;
using Lever.Core.Config;
using Lever.Core.Prices;
using Lever.Providers;
using Lever.Server;
using Lever.Server.Requests;

namespace Lever.Cli.Commands;

/// <summary>
/// The usage ledger and request log of <c>lever serve</c> in <c>.lever/server/</c>, priced as the lab prices: a hosted
/// provider's answers by the tokens it reported at its prices (lever.yaml or the price book), everything this machine
/// answers (a local model, a recipe) by wall time × one core × <c>lab.compute.cpu_hour_usd</c>.
/// </summary>
internal static class UsageLedger
{
    /// <summary>The per-core hourly price when lever.yaml gives none (the lab's default, docs/LAB.md).</summary>
    public const double DefaultCpuHourUsd = 0.04;

    /// <summary><c>.lever/server</c> of <paramref name="ws"/>.</summary>
    public static string Folder(Workspace ws) => Path.Combine(ws.StateDir, "server");

    /// <summary>The recorder for one <c>lever serve</c>: the ledger always, the texts with <paramref name="content"/>.</summary>
    public static RequestLog For(Workspace ws, LeverConfig config, ProviderRegistry registry, string? providerName, string? providerModelId, ServerSettings settings, bool content)
    {
        var cpuHour = CpuHourUsd(config);
        var hosted = providerName is not null && !registry.IsLocal(providerName);
        var prices = hosted ? registry.Prices(providerName!) : TokenPrices.Free;
        double? Cost(RequestRecord r) => hosted && r.Model == providerModelId
            ? (r.PromptTokens * prices.InputPerMillion + r.CompletionTokens * prices.OutputPerMillion) / 1e6
            : r.Milliseconds / 3_600_000.0 * cpuHour;
        return new RequestLog(Folder(ws), content ? new Redactor(settings.RequestLog.Redact) : null, Cost, Console.Error.WriteLine);
    }

    /// <summary><c>lab.compute.cpu_hour_usd</c> when lever.yaml sets it, else <see cref="DefaultCpuHourUsd"/>.</summary>
    public static double CpuHourUsd(LeverConfig config)
    {
        var node = config.SectionNode("lab")?.Field("compute")?.Field("cpu_hour_usd");
        if (node?.Value is null) return DefaultCpuHourUsd;
        return double.TryParse(node.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v
            : throw config.ErrorAt("lab.compute.cpu_hour_usd", $"'{node.Value}' is not a price", "give the per-core hourly price in USD, e.g. 0.04");
    }
}
