// llama.cpp side of bench/engine: prefill and decode throughput on a GGUF, with a fixed thread count.
// Usage: LEVER_NODE_MODULES=... node llama_bench.mjs <model.gguf> <threads> <promptTokens> <decodeTokens> <batch> <repeats>
// Prints JSON {prefillTokensPerSecond, decodeTokensPerSecond} (medians over repeats).
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [modelPath, threadsArg, promptArg, decodeArg, batchArg, repeatsArg] = process.argv.slice(2);
const [threads, promptTokens, decodeTokens, batch, repeats] = [threadsArg, promptArg, decodeArg, batchArg, repeatsArg].map(Number);
const require = createRequire(pathToFileURL(process.env.LEVER_NODE_MODULES + "/").href);
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(require.resolve("node-llama-cpp")).href);

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, skipDownload: true });
const model = await llama.loadModel({ modelPath });
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const prefill = [], decode = [];
for (let r = 0; r < repeats; r++) {
    // Same settings as the parity test: F32 KV cache, no flash attention, so both engines do the same arithmetic.
    const context = await model.createContext({ contextSize: promptTokens + decodeTokens + 16, sequences: batch, threads,
        batchSize: Math.max(512, promptTokens * batch), flashAttention: false,
        experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" });
    const sequences = Array.from({ length: batch }, () => context.getSequence());
    const prompt = Array.from({ length: promptTokens }, (_, i) => 3 + ((i * 7919) % 250));
    const context0 = prompt.slice(0, -1);
    let t0 = performance.now();
    await Promise.all(sequences.map(s => s.evaluateWithoutGeneratingNewTokens(context0)));
    prefill.push((promptTokens - 1) * batch / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    // Greedy decoding through the ordinary generation path (the iterator feeds each token back itself).
    await Promise.all(sequences.map(async s => {
        let n = 0;
        for await (const _ of s.evaluate([prompt[prompt.length - 1]], { temperature: 0 })) {
            if (++n >= decodeTokens) break;
        }
    }));
    decode.push(decodeTokens * batch / ((performance.now() - t0) / 1000));
    await context.dispose();
}
process.stdout.write(JSON.stringify({ prefillTokensPerSecond: median(prefill), decodeTokensPerSecond: median(decode) }));
await model.dispose();
await llama.dispose();
