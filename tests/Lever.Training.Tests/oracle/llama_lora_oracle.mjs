// Independent check of Lever's LoRA maths: llama.cpp (node-llama-cpp's prebuilt CPU build) loads the base model GGUF
// and applies a GGUF LoRA adapter Lever exported; for each prompt (token ids) it reports the next-token logits after
// the prompt, without and with the adapter.
// Usage: node llama_lora_oracle.mjs <base.gguf> <adapter.gguf> <request.json>; request: {"vocabSize": V, "prompts": [[ids]]}
// Prints {"base": [[logits]], "adapted": [[logits]]}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [modelPath, adapterPath, requestPath] = process.argv.slice(2);
const request = JSON.parse(readFileSync(requestPath, "utf8"));
const require = createRequire(pathToFileURL(process.env.LEVER_NODE_MODULES + "/").href);
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(require.resolve("node-llama-cpp")).href);

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, skipDownload: true });
const model = await llama.loadModel({ modelPath });

async function logitsAfter(prompt, lora) {
    // F32 KV cache, no flash attention: the defaults (F16 cache) alone move logits by ~1e-3.
    const context = await model.createContext({ contextSize: 256, threads: 1, batchSize: 256, flashAttention: false,
        experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32", ...(lora ? { lora } : {}) });
    const sequence = context.getSequence();
    const items = prompt.map((t, i) => i === prompt.length - 1 ? [t, { generateNext: { logits: true } }] : t);
    const result = await sequence.controlledEvaluate(items);
    const row = new Array(Number(request.vocabSize)).fill(null);
    for (const [token, logit] of result[prompt.length - 1].next.logits) row[token] = logit;
    await context.dispose();
    return row;
}

const output = { base: [], adapted: [] };
for (const prompt of request.prompts) {
    output.base.push(await logitsAfter(prompt, null));
    output.adapted.push(await logitsAfter(prompt, { adapters: [{ filePath: adapterPath, scale: 1 }] }));
}
await model.dispose();
await llama.dispose();
process.stdout.write(JSON.stringify(output));
