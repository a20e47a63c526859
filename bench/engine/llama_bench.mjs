// llama.cpp side of bench/engine: prefill and decode throughput on a GGUF, with a fixed thread count.
// Usage: LEVER_NODE_MODULES=... node llama_bench.mjs <model.gguf> <threads> <promptTokens> <decodeTokens> <batch> <repeats> [warmup]
// Prints JSON {prefill: [tok/s...], decode: [tok/s...]}: one value per measured run; the warm-up runs (default 1, as
// on Lever's side) are run and discarded, so both sides compute min/median/max over the same number of runs.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [modelPath, threadsArg, promptArg, decodeArg, batchArg, repeatsArg, warmupArg] = process.argv.slice(2);
const [threads, promptTokens, decodeTokens, batch, repeats, warmup] = [threadsArg, promptArg, decodeArg, batchArg, repeatsArg, warmupArg ?? "1"].map(Number);
const require = createRequire(pathToFileURL(process.env.LEVER_NODE_MODULES + "/").href);
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(require.resolve("node-llama-cpp")).href);

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, skipDownload: true });
const model = await llama.loadModel({ modelPath });
const prefill = [], decode = [];
for (let r = 0; r < warmup + repeats; r++) {
    // Same settings as the parity test: F32 KV cache, no flash attention, so both engines do the same arithmetic.
    const context = await model.createContext({ contextSize: promptTokens + decodeTokens + 16, sequences: batch, threads,
        batchSize: Math.max(512, promptTokens * batch), flashAttention: false,
        experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" });
    const sequences = Array.from({ length: batch }, () => context.getSequence());
    const prompt = Array.from({ length: promptTokens }, (_, i) => 3 + ((i * 7919) % 250));
    const context0 = prompt.slice(0, -1);
    let t0 = performance.now();
    await Promise.all(sequences.map(s => s.evaluateWithoutGeneratingNewTokens(context0)));
    // promptTokens - 1 here and on Lever's side: the last prompt token is the first decode step's input on both.
    const p = (promptTokens - 1) * batch / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    // Greedy decoding through the ordinary generation path (the iterator feeds each token back itself).
    await Promise.all(sequences.map(async s => {
        let n = 0;
        for await (const _ of s.evaluate([prompt[prompt.length - 1]], { temperature: 0 })) {
            if (++n >= decodeTokens) break;
        }
    }));
    const d = decodeTokens * batch / ((performance.now() - t0) / 1000);
    if (r >= warmup) { prefill.push(p); decode.push(d); }
    await context.dispose();
}
process.stdout.write(JSON.stringify({ prefill, decode }));
await model.dispose();
await llama.dispose();
