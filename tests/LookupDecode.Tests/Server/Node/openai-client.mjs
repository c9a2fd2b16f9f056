// Drives LookupDecode.Server with the official `openai` npm package, exactly as a Node user would, and prints one JSON
// object with what came back. Settings come from the environment: BASE_URL (…/v1), API_KEY, MODEL, PROMPT, MAX_TOKENS.
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: process.env.API_KEY, maxRetries: 0 });
const model = process.env.MODEL;
const prompt = process.env.PROMPT;
const maxTokens = Number(process.env.MAX_TOKENS);
const result = {};

const completion = await client.completions.create({ model, prompt, max_tokens: maxTokens, temperature: 0 });
result.completion = completion.choices[0].text;
result.completionFinish = completion.choices[0].finish_reason;
result.completionUsage = completion.usage;

let streamedCompletion = "";
for await (const chunk of await client.completions.create({ model, prompt, max_tokens: maxTokens, temperature: 0, stream: true })) {
  streamedCompletion += chunk.choices[0]?.text ?? "";
}
result.completionStream = streamedCompletion;

const chat = await client.chat.completions.create({ model, messages: [{ role: "user", content: prompt }], max_tokens: maxTokens, temperature: 0 });
result.chat = chat.choices[0].message.content;
result.chatTimings = chat.timings ?? null;

let streamedChat = "";
let usage = null;
for await (const chunk of await client.chat.completions.create({
  model, messages: [{ role: "user", content: prompt }], max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true },
})) {
  streamedChat += chunk.choices[0]?.delta?.content ?? "";
  if (chunk.usage) usage = chunk.usage;
}
result.chatStream = streamedChat;
result.chatStreamUsage = usage;

// Extension fields pass straight through the Node client.
const suffix = await client.chat.completions.create({ model, messages: [{ role: "user", content: prompt }], max_tokens: maxTokens, lookupdecode: { mode: "suffix" } });
result.suffixMode = suffix.timings?.mode ?? null;
result.suffixText = suffix.choices[0].message.content;

async function status(call) {
  try { await call(); return 200; } catch (error) { return error.status ?? -1; }
}
result.unknownModel = await status(() => client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }));
result.twoChoices = await status(() => client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], n: 2 }));
result.wrongKey = await status(() => new OpenAI({ baseURL: process.env.BASE_URL, apiKey: "wrong", maxRetries: 0 }).models.list());
result.models = (await client.models.list()).data.map((entry) => entry.id);

console.log(JSON.stringify(result));
