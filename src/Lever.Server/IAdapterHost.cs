namespace Lever.Server;

/// <summary>
/// Loads LoRA adapters onto a served base at runtime, so one base in memory serves many adapters chosen per request
/// by <c>model</c>. The server calls it for <c>POST /v1/load_lora_adapter</c> and <c>/v1/unload_lora_adapter</c> and
/// for <see cref="OpenAiServer.LoadAdapter"/> (the hook for adapters made while the server runs, e.g. by fine-tuning).
/// </summary>
public interface IAdapterHost
{
    /// <summary>The id of the served base model the adapters run on.</summary>
    string BaseModel { get; }

    /// <summary>
    /// Loads the adapter at <paramref name="path"/> (a folder, or whatever the host resolves, such as a registry
    /// reference) as model id <paramref name="name"/>. Throws <see cref="Core.LeverUserException"/> with a one-line reason
    /// when it is not a valid adapter for the base (the endpoint answers 400 with it).
    /// </summary>
    ServedModel Load(string name, string path);

    /// <summary>Frees an adapter the server no longer serves (requests already running on it finish first).</summary>
    void Unload(ServedModel model);
}
