// The official OpenAI npm client (`openai`, installed by build/setup.sh --tests) against `lever serve --fine-tuning`:
// node fine-tuning-client.cjs BASE_URL WORKDIR (the key in $LEVER_TEST_KEY). Prints one JSON object with what it saw.
const fs = require('fs');
const path = require('path');
const OpenAI = require('openai');

const [baseURL, dir] = process.argv.slice(2);
const client = new OpenAI({ apiKey: process.env.LEVER_TEST_KEY, baseURL, maxRetries: 0, timeout: 120000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(id, wanted, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const job = await client.fineTuning.jobs.retrieve(id);
    if (wanted.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${seconds} s`);
    await sleep(200);
  }
}

(async () => {
  const out = {};
  out.models_before = (await client.models.list()).data.map((m) => m.id);

  // A malformed training file: refused with the line named.
  try {
    await client.files.create({ file: fs.createReadStream(path.join(dir, 'broken.jsonl')), purpose: 'fine-tune' });
    out.malformed = { status: 200 };
  } catch (e) {
    out.malformed = { status: e.status, message: e.error?.message ?? e.message, code: e.code };
  }

  const file = await client.files.create({ file: fs.createReadStream(path.join(dir, 'train.jsonl')), purpose: 'fine-tune' });
  out.file = file;
  out.files_listed = [];
  for await (const f of client.files.list()) out.files_listed.push(f.id);

  const started = Date.now();
  let job = await client.fineTuning.jobs.create({
    model: 'tiny', training_file: file.id, suffix: 'npm', seed: 11, metadata: { origin: 'openai-node' },
    method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 1, batch_size: 'auto', learning_rate_multiplier: 'auto' } } },
  });
  out.created_status = job.status;
  job = await until(job.id, ['succeeded', 'failed', 'cancelled'], 60);
  out.job_seconds = (Date.now() - started) / 1000;
  out.job = job;

  const chat = await client.chat.completions.create({
    model: job.fine_tuned_model, messages: [{ role: 'user', content: 'Q3: what is 3 plus 1?' }], max_tokens: 4, temperature: 0,
  });
  out.chat = { model: chat.model, content: chat.choices[0].message.content, finish_reason: chat.choices[0].finish_reason };
  const extracted = await client.chat.completions.create({
    model: 'tiny', messages: [{ role: 'user', content: 'Q3 as JSON' }], max_tokens: 48,
    response_format: { type: 'json_schema', json_schema: { name: 'sum', strict: true, schema: {
      type: 'object', properties: { answer: { type: 'integer' }, sure: { type: 'boolean' } }, required: ['answer', 'sure'], additionalProperties: false } } },
  });
  out.json_chat = { content: extracted.choices[0].message.content, finish_reason: extracted.choices[0].finish_reason };

  out.events = [];
  for await (const e of client.fineTuning.jobs.listEvents(job.id, { limit: 5 })) out.events.push({ message: e.message, type: e.type, step: e.data?.step ?? null });
  out.checkpoints = [];
  for await (const c of client.fineTuning.jobs.checkpoints.list(job.id)) out.checkpoints.push({ step: c.step_number, train_loss: c.metrics.train_loss, job: c.fine_tuning_job_id });
  out.jobs_listed = [];
  for await (const j of client.fineTuning.jobs.list({ limit: 1 })) out.jobs_listed.push(j.id);

  // A second, longer job: cancelled while it runs.
  let second = await client.fineTuning.jobs.create({ model: 'tiny', training_file: file.id, method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 50 } } } });
  await until(second.id, ['running'], 30);
  second = await client.fineTuning.jobs.cancel(second.id);
  out.cancelled = { id: second.id, status: second.status };
  await sleep(500);
  out.cancelled_later = (await client.fineTuning.jobs.retrieve(second.id)).status;

  out.models_after = (await client.models.list()).data.map((m) => m.id);
  console.log(JSON.stringify(out));
})().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
