namespace Lever.Server.Requests;

/// <summary>Receives every answered chat request (<see cref="RequestRecording"/>); must be safe to call from many requests at once.</summary>
public interface IRequestRecorder
{
    /// <summary>Records one answered request; a failure here must not fail the request (implementations report and go on).</summary>
    void Record(RequestRecord record);
}
