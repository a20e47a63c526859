using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Lever.Server.Requests;
using Microsoft.Extensions.AI;

namespace Lever.Server.Internal;

/// <summary>
/// Records each answered request (<see cref="RequestRecording"/>): the messages, the answer text, the usage the model
/// reported and the wall time; a streamed answer is recorded when its stream ends. Failed or cancelled requests are not
/// recorded (they answered nothing). The inner client belongs to the served model: never disposed here.
/// </summary>
internal sealed class RecordingChatClient(IChatClient inner, string identity, string model, IRequestRecorder recorder, TimeProvider clock) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var watch = Stopwatch.StartNew();
        var response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        Record(list, response.Text, response.Usage, watch.Elapsed.TotalMilliseconds, stream: false);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var watch = Stopwatch.StartNew();
        var text = new StringBuilder();
        UsageDetails? usage = null;
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            text.Append(update.Text);
            foreach (var u in update.Contents.OfType<UsageContent>())
            {
                usage ??= new UsageDetails();
                usage.Add(u.Details);
            }
            yield return update;
        }
        Record(list, text.ToString(), usage, watch.Elapsed.TotalMilliseconds, stream: true);
    }

    // Not disposing: the served model owns the inner client.
    protected override void Dispose(bool disposing)
    {
    }

    private void Record(IReadOnlyList<ChatMessage> messages, string answer, UsageDetails? usage, double ms, bool stream)
    {
        var record = new RequestRecord(clock.GetUtcNow(), identity, model, messages.Select(m => new RecordedMessage(m.Role.Value, m.Text)).ToList(), answer,
            usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0, ms, stream);
        recorder.Record(record);
    }
}
