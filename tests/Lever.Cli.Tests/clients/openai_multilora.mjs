// The official OpenAI client (npm package `openai`, written outside Lever) against `lever serve --model BASE --adapter …`:
// lists the models, chats greedily with the base and with each adapter, then hot-loads one more adapter through
// vLLM's endpoint (the SDK has no method for it: its own fetch), chats with it through the client, and unloads it.
// Usage: node openai_multilora.mjs <baseURL> <request.json>; request: {"prompt": "...", "models": ["base", "a", "b"],
// "load": {"lora_name": "...", "lora_path": "..."}}; the key is $OPENAI_API_KEY. Prints one JSON object.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [baseURL, requestPath] = process.argv.slice(2);
const request = JSON.parse(readFileSync(requestPath, "utf8"));
const require = createRequire(pathToFileURL(process.env.LEVER_NODE_MODULES + "/").href);
const { default: OpenAI } = await import(pathToFileURL(require.resolve("openai")).href);
const client = new OpenAI({ baseURL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0, timeout: 60_000 });

const ask = async (model) => {
  const r = await client.chat.completions.create({ model, messages: [{ role: "user", content: request.prompt }], temperature: 0, max_tokens: 8 });
  return { model: r.model, content: r.choices[0].message.content, finish: r.choices[0].finish_reason, completion_tokens: r.usage.completion_tokens };
};

const out = { models: [], answers: {}, errors: {} };
for await (const m of client.models.list()) out.models.push({ id: m.id, parent: m.parent ?? null, root: m.root ?? null });
for (const model of request.models) out.answers[model] = await ask(model);
try {
  await ask("no-such-adapter");
} catch (e) {
  out.errors.unknown = { status: e.status, code: e.code };
}

const post = (path, body) => fetch(`${baseURL}/${path}`, {
  method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${process.env.OPENAI_API_KEY}` }, body: JSON.stringify(body),
}).then(async (r) => ({ status: r.status, text: await r.text() }));
out.load = await post("load_lora_adapter", request.load);
out.answers[request.load.lora_name] = await ask(request.load.lora_name);
out.unload = await post("unload_lora_adapter", { lora_name: request.load.lora_name });
try {
  await ask(request.load.lora_name);
} catch (e) {
  out.errors.unloaded = { status: e.status, code: e.code };
}
console.log(JSON.stringify(out));
