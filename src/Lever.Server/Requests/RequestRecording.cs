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
}
