// Independent oracle for Lever's engine: llama.cpp (through node-llama-cpp's prebuilt CPU binaries) loads a GGUF that
// Lever exported and reports, for each prompt given as token ids, the next-token logits after the prompt and the greedy
// continuation. It also tokenizes the given texts with the GGUF's own vocabulary.
// Usage: node llama_oracle.mjs <model.gguf> <request.json>; request: {"vocabSize": V, "prompts": [[ids]], "steps": 32, "texts": ["..."]}
// Prints one JSON object: {"logits": [[...vocab floats]], "greedy": [[ids]], "tokens": [[ids]]}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [modelPath, requestPath] = process.argv.slice(2);
const request = JSON.parse(readFileSync(requestPath, "utf8"));
// node-llama-cpp lives in an ignored folder (artifacts/node), named by LEVER_NODE_MODULES.
const modules = process.env.LEVER_NODE_MODULES;
const require = createRequire(pathToFileURL(modules + "/").href);
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(require.resolve("node-llama-cpp")).href);

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, skipDownload: true });
const model = await llama.loadModel({ modelPath });
const vocabSize = request.vocabSize;

function dense(map) {
    const row = new Array(Number(vocabSize)).fill(null);
    for (const [token, logit] of map) row[token] = logit;
    return row;
}

const output = { logits: [], greedy: [], tokens: [] };
for (const prompt of request.prompts) {
    // F32 KV cache and no flash attention: llama.cpp defaults to an F16 cache, which alone moves logits by ~1e-3.
    const context = await model.createContext({ contextSize: 512, threads: 1, batchSize: 512, flashAttention: false,
        experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" });
    const sequence = context.getSequence();
    // 1) logits after the whole prompt.
    const items = prompt.map((t, i) => i === prompt.length - 1 ? [t, { generateNext: { logits: true, token: true, options: { temperature: 0 } } }] : t);
    let result = await sequence.controlledEvaluate(items);
    let next = result[prompt.length - 1].next;
    output.logits.push(dense(next.logits));
    // 2) greedy continuation, one token at a time (no end-of-generation handling: exactly `steps` tokens).
    const greedy = [next.token];
    while (greedy.length < request.steps) {
        result = await sequence.controlledEvaluate([[greedy[greedy.length - 1], { generateNext: { token: true, options: { temperature: 0 } } }]]);
        greedy.push(result[0].next.token);
    }
    output.greedy.push(greedy);
    await context.dispose();
}
for (const text of request.texts ?? []) output.tokens.push(Array.from(model.tokenize(text, true)));
await model.dispose();
await llama.dispose();
process.stdout.write(JSON.stringify(output));
