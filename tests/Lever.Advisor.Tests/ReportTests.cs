using Lever.Reports;
using Lever.Core.Prices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lever.Advisor;
using Lever.Advisor.Internal;
using Lever.Core.Levers;

namespace Lever.Advisor.Tests;

public sealed class ReportTests
{
    private static Advice Sample() => DecisionTableTests.Advise("""
        task: {kind: classification, classes: 6, symptoms: [too_expensive]}
        workload: {requests_per_month: 1000000, input_tokens: 500, output_tokens: 10}
        """);

    [Fact]
    public void Json_has_the_issue_fields_and_every_lever_priced()
    {
        var a = Sample();
        using var doc = JsonDocument.Parse(AdviceJson.Write(a));
        var root = doc.RootElement;
        Assert.Equal("distill", root.GetProperty("primary").GetString());
        foreach (var field in new[] { "plan", "rationale", "warnings", "data_sufficiency", "options" })
            Assert.True(root.TryGetProperty(field, out _), field);
        var options = root.GetProperty("options").EnumerateArray().ToList();
        // Every lever of the vocabulary is priced, in its order; the baseline is reported, never an option.
        Assert.Equal(LeverKinds.Names.Where(n => n != "baseline"), options.Select(o => o.GetProperty("lever").GetString()!).ToArray());
        foreach (var o in options)
        {
            foreach (var f in new[] { "one_time_usd", "cost_per_1k_answers_usd", "monthly_usd", "tco_12_months_usd" })
                Assert.Equal(JsonValueKind.Number, o.GetProperty(f).ValueKind);
            Assert.True(o.TryGetProperty("break_even_requests_per_month", out _));
            // Traceability: every money figure has a basis.
            foreach (var item in o.GetProperty("one_time").EnumerateArray().Concat(o.GetProperty("usage").EnumerateArray()))
                Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("basis").GetString()));
        }
        // The inputs, defaults filled in, round-trip through the workload reader: JSON is YAML.
        var echoed = WorkloadReader.Parse("echo.yaml", root.GetProperty("workload").GetRawText());
        Assert.Equal(a.Workload with { Task = a.Workload.Task with { Symptoms = [] }, Evidence = [] }, echoed with { Task = echoed.Task with { Symptoms = [] }, Evidence = [] });
        Assert.Equal(a.Workload.Task.Symptoms, echoed.Task.Symptoms);
        var prompt = options.Single(o => o.GetProperty("lever").GetString() == "prompt");
        Assert.Equal(a.Options.Single(o => o.Lever == LeverKind.Prompt).BreakEvenRequestsPerMonth!.Value, prompt.GetProperty("break_even_requests_per_month").GetDouble(), 0.5);
    }

    [Fact]
    public void Html_report_is_self_contained_with_one_curve_per_lever_and_marked_break_evens()
    {
        var a = Sample();
        var html = AdviceHtml.Write(a);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("(src|href)=\"https?:"), html);
        Assert.Equal(a.Options.Count, Regex.Matches(html, "<polyline ").Count);
        var visible = a.Options.Count(o => o.BreakEvenRequestsPerMonth is { } v && v >= 1e4 && v <= 1e8); // chart spans 10^4..10^8 around 1M
        Assert.True(visible > 0);
        Assert.Equal(visible, Regex.Matches(html, "<title>break-even with ").Count);
        Assert.Contains("declared 1M/month", html, StringComparison.Ordinal);
        Assert.Contains("requests per month (log scale)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_render_for_any_workload()
    {
        var rng = new Random(5);
        for (var c = 0; c < 40; c++)
        {
            var w = PropertyTests.RandomWorkload(rng);
            if (c == 0) w = w with { Traffic = w.Traffic with { RequestsPerMonth = 1e12 } };   // beyond the break-even scan
            var a = Advisor.Advise(w, PriceBook.Default, AdvisorPolicy.Default, []);
            var html = AdviceHtml.Write(a);
            Assert.Equal(a.Options.Count, Regex.Matches(html, "<polyline ").Count);
            Assert.DoesNotContain("NaN", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Infinity", html, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(AdviceJson.Write(a));
            Assert.Equal(Names.Snake(a.Primary), doc.RootElement.GetProperty("primary").GetString());
        }
    }

    [Fact]
    public void Html_recommendation_box_has_no_paragraph_over_400_characters_and_the_reasoning_is_collapsed()
    {
        foreach (var c in DecisionSet.All)
        {
            var a = DecisionSetTests.Advise(c);
            var html = AdviceHtml.Write(a);
            var box = Regex.Match(html, "<div class=\"recommendation\">(.*?)</div>", RegexOptions.Singleline);
            Assert.True(box.Success, c.Name);
            var paragraphs = Regex.Matches(box.Groups[1].Value, "<p[^>]*>(.*?)</p>", RegexOptions.Singleline).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
            Assert.NotEmpty(paragraphs);
            Assert.All(paragraphs, p => Assert.True(p.Length <= 400, $"{c.Name}: {p.Length} characters: {p}"));
            Assert.Equal(a.Recommendation, paragraphs[0]);
            var details = html.IndexOf("<details><summary>Full reasoning</summary>", StringComparison.Ordinal);
            Assert.True(details > box.Index, c.Name);
            Assert.True(html.IndexOf(System.Net.WebUtility.HtmlEncode(a.Summary), StringComparison.Ordinal) > details, $"{c.Name}: the long summary sits in the collapsed reasoning");
            if (a.Measured.Count > 0)
            {
                Assert.Contains("<h2>Measured evidence</h2>", html, StringComparison.Ordinal);
                Assert.Equal(a.Measured.Count, Regex.Matches(html[html.IndexOf("<h2>Measured evidence</h2>", StringComparison.Ordinal)..html.IndexOf("</table>", html.IndexOf("<h2>Measured evidence</h2>", StringComparison.Ordinal), StringComparison.Ordinal)], "<tr(?: class=\"[a-z]+\")?><td>").Count);
            }
        }
    }

    [Fact]
    public void Json_keeps_the_full_reasoning_and_adds_the_sentence_and_the_measured_table()
    {
        var a = DecisionSetTests.Advise(DecisionSet.All.Single(x => x.Name.StartsWith("spam-like", StringComparison.Ordinal)));
        using var doc = JsonDocument.Parse(AdviceJson.Write(a));
        var root = doc.RootElement;
        Assert.Equal(a.Summary, root.GetProperty("summary").GetString());
        Assert.Equal(a.Recommendation, root.GetProperty("recommendation").GetString());
        Assert.True(root.GetProperty("rationale").GetArrayLength() >= 2);
        var full = root.GetProperty("measured").EnumerateArray().Single(m => m.GetProperty("recipe").GetString() == "local-full-fine-tune");
        Assert.Equal("primary", full.GetProperty("status").GetString());
        Assert.Equal("mcnemar", full.GetProperty("gain_vs_simpler").GetProperty("method").GetString());
        Assert.True(full.GetProperty("gain_vs_simpler").GetProperty("demonstrated").GetBoolean());
        Assert.Equal("2026-03-01", root.GetProperty("today").GetString());
    }

    [Fact]
    public void Chart_x_axis_is_logarithmic()
    {
        var html = AdviceHtml.Write(Sample());
        // Decade ticks 10k, 100k, 1M, 10M, 100M are equally spaced in x.
        var xs = Regex.Matches(html, "<text x=\"([0-9.]+)\" y=\"[0-9.]+\" text-anchor=\"middle\" fill=\"#475467\">(10k|100k|1M|10M|100M)</text>")
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(5, xs.Length);
        var gaps = xs.Zip(xs.Skip(1), (l, r) => r - l).ToArray();
        Assert.All(gaps, g => Assert.Equal(gaps[0], g, 0.2));
    }
}
