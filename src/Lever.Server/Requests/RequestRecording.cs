using Lever.Server.Internal;

namespace Lever.Server.Requests;

/// <summary>Puts a recorder between a served model and its callers, without touching the server: the composition root wraps the models it serves.</summary>
public static class RequestRecording
{
    /// <summary><paramref name="model"/> with every answered request (streamed or not) passed to <paramref name="recorder"/> with the caller's identity.</summary>
    public static ServedModel Wrap(ServedModel model, IRequestRecorder recorder, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(recorder);
        var clock = time ?? TimeProvider.System;
        return new ServedModel
        {
            Id = model.Id,
            Cites = model.Cites,
            Parent = model.Parent,
            Root = model.Root,
            ChatFor = caller => new RecordingChatClient(model.ChatFor(caller), caller.Id, model.Id, recorder, clock),
        };
    }

    /// <summary>The models of <paramref name="source"/> (fine-tuned models joining while the server runs), each recorded as <see cref="Wrap(ServedModel, IRequestRecorder, TimeProvider?)"/> records.</summary>
    public static IServedModelSource Wrap(IServedModelSource source, IRequestRecorder recorder, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(recorder);
        return new RecordedSource(source, recorder, time);
    }

    private sealed class RecordedSource(IServedModelSource inner, IRequestRecorder recorder, TimeProvider? time) : IServedModelSource
    {
        public IReadOnlyList<string> Ids => inner.Ids;

        public ServedModel? Find(string id) => inner.Find(id) is { } model ? Wrap(model, recorder, time) : null;
    }
}
