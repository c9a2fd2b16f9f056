// LookupDecode's chat page: streams replies through the server's own OpenAI-compatible API and marks how each token
// came (the "lookupdecode" extension field on streamed chunks). No framework, no build step.
"use strict";

const keyStorage = "lookupdecode.apiKey";
const $ = (id) => document.getElementById(id);
const turns = [];
let controller = null;

function apiKey() { return sessionStorage.getItem(keyStorage); }

function askKey(reason) {
  return new Promise((resolve) => {
    const dialog = $("key-dialog");
    $("key-reason").textContent = reason;
    $("api-key").value = "";
    const done = (value) => { dialog.removeEventListener("close", onClose); resolve(value); };
    const onClose = () => {
      if (dialog.returnValue === "ok" && $("api-key").value) {
        sessionStorage.setItem(keyStorage, $("api-key").value);
        done(true);
      } else {
        done(false);
      }
    };
    dialog.addEventListener("close", onClose);
    $("key-cancel").onclick = () => dialog.close("cancel");
    dialog.returnValue = "";
    dialog.showModal();
  });
}

function showError(text) {
  const box = $("error");
  box.textContent = text;
  box.hidden = false;
}

function clearError() { $("error").hidden = true; $("error").textContent = ""; }

function settings(modeOverride) {
  const lookupdecode = {};
  const mode = modeOverride ?? $("mode").value;
  if (mode) lookupdecode.mode = mode;
  if ($("cache-key").value.trim()) lookupdecode.cache_key = $("cache-key").value.trim();
  const body = { model: document.body.dataset.model || undefined, stream: true, max_tokens: Number($("max-tokens").value) || undefined, lookupdecode };
  const temperature = Number($("temperature").value);
  if (temperature > 0) body.temperature = temperature;
  if ($("seed").value !== "") body.seed = Number($("seed").value);
  return body;
}

function addMessage(role, label) {
  const element = document.createElement("div");
  element.className = `message ${role}`;
  const heading = document.createElement("span");
  heading.className = "role";
  heading.textContent = label ?? role;
  const text = document.createElement("span");
  text.className = "text";
  element.append(heading, text);
  $("conversation").append(element);
  return text;
}

function tokenSpan(text, origin) {
  const span = document.createElement("span");
  span.textContent = text;
  span.className = "tok";
  if (origin && origin.drafted) {
    const drafter = origin.drafter || "unknown";
    span.classList.add("drafted", `drafter-${drafter}`);
    span.title = `accepted from a ${drafter} draft`;
    span.dataset.origin = drafter;
  } else if (origin) {
    span.title = "decoded one at a time";
    span.dataset.origin = "decoded";
  }
  return span;
}

/** Streams one reply into `target`; returns { text, tokens, drafted, seconds, timings } or throws an Error whose message is shown. */
async function streamReply(messages, target, modeOverride, onProgress) {
  const body = { ...settings(modeOverride), messages };
  for (;;) {
    const headers = { "Content-Type": "application/json" };
    const key = apiKey();
    if (key) headers.Authorization = `Bearer ${key}`;
    let response;
    try {
      response = await fetch("/v1/chat/completions", { method: "POST", headers, body: JSON.stringify(body), signal: controller.signal });
    } catch (error) {
      if (error.name === "AbortError") throw new Error("stopped");
      throw new Error(`The server could not be reached: ${error.message}`);
    }
    if (response.status === 401) {
      const message = await errorMessage(response);
      sessionStorage.removeItem(keyStorage);
      if (await askKey(key ? `The key was refused: ${message}` : message)) continue;
      throw new Error(`401 Unauthorized: ${message}`);
    }
    if (!response.ok) {
      const message = await errorMessage(response);
      const retry = response.headers.get("Retry-After");
      throw new Error(`${response.status} ${response.statusText}: ${message}${retry ? ` (retry after ${retry} s)` : ""}`);
    }
    return await readStream(response, target, onProgress);
  }
}

async function errorMessage(response) {
  try {
    const json = await response.json();
    const error = json.error || {};
    return [error.message, error.code ? `(${error.code})` : ""].join(" ").trim() || response.statusText;
  } catch {
    return response.statusText;
  }
}

async function readStream(response, target, onProgress) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const result = { text: "", tokens: 0, drafted: 0, decoded: 0, started: null, seconds: 0, timings: null };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split("\n")) {
          if (!line.startsWith("data: ")) continue;
          const data = line.slice(6);
          if (data === "[DONE]") return result;
          const chunk = JSON.parse(data);
          if (chunk.error) throw new Error(`${chunk.error.message}${chunk.error.code ? ` (${chunk.error.code})` : ""}`);
          if (chunk.timings) result.timings = chunk.timings;
          const choice = chunk.choices && chunk.choices[0];
          const text = choice && choice.delta && choice.delta.content;
          if (text) {
            result.started ??= performance.now();
            target.append(tokenSpan(text, chunk.lookupdecode));
            result.text += text;
            if (chunk.lookupdecode) {
              result.tokens++;
              if (chunk.lookupdecode.drafted) result.drafted++; else result.decoded++;
            }
            result.seconds = (performance.now() - result.started) / 1000;
            onProgress(result);
          }
        }
      }
    }
  } catch (error) {
    if (error.name === "AbortError") throw new Error("stopped");
    throw error;
  }
  throw new Error("The stream ended before it was complete.");
}

function showStats(result) {
  $("stat-tokens").textContent = String(result.tokens);
  const timings = result.timings;
  const speed = timings ? timings.predicted_per_second : (result.seconds > 0 ? result.tokens / result.seconds : NaN);
  $("stat-speed").textContent = Number.isFinite(speed) ? speed.toFixed(1) : "–";
  $("stat-drafted").textContent = `${result.drafted} (${result.tokens ? Math.round(100 * result.drafted / result.tokens) : 0} %)`;
  const perStep = timings ? timings.mean_accept_length : (result.decoded ? result.drafted / result.decoded : NaN);
  $("stat-per-step").textContent = Number.isFinite(perStep) ? perStep.toFixed(2) : "–";
  $("stat-accept").textContent = timings && timings.draft_n > 0 ? `${timings.accept_percent.toFixed(1)} %` : "–";
  $("stat-mode").textContent = timings ? timings.mode : "–";
}

async function send(event) {
  event.preventDefault();
  const prompt = $("prompt").value;
  if (!prompt.trim() || controller) return;
  clearError();
  $("comparison").hidden = true;
  turns.push({ role: "user", content: prompt });
  addMessage("user").textContent = prompt;
  $("prompt").value = "";
  controller = new AbortController();
  $("send").disabled = true;
  $("stop").disabled = false;
  const messages = turns.slice();
  const target = addMessage("assistant");
  try {
    const main = await streamReply(messages, target, undefined, showStats);
    showStats(main);
    target.parentElement.dataset.complete = "true";
    turns.push({ role: "assistant", content: main.text });
    if ($("compare").checked) {
      const plain = addMessage("assistant", "assistant · greedy, for comparison");
      plain.parentElement.classList.add("comparison");
      const greedy = await streamReply(messages, plain, "greedy", () => {});
      plain.parentElement.dataset.complete = "true";
      const same = greedy.text === main.text;
      const box = $("comparison");
      box.className = same ? "same" : "differ";
      box.hidden = false;
      const mainSpeed = main.timings ? main.timings.predicted_per_second : NaN;
      const greedySpeed = greedy.timings ? greedy.timings.predicted_per_second : NaN;
      box.textContent = `${main.timings ? main.timings.mode : "preset"}: ${mainSpeed.toFixed(1)} tokens/s · greedy: ${greedySpeed.toFixed(1)} tokens/s`
        + ` · ${(mainSpeed / greedySpeed).toFixed(2)}× · texts ${same ? "identical" : "DIFFER"}`;
      box.dataset.same = String(same);
    }
  } catch (error) {
    target.parentElement.dataset.complete = "false";
    showError(error.message === "stopped" ? "Stopped: the generation was cancelled." : error.message);
    turns.pop();
  } finally {
    controller = null;
    $("send").disabled = false;
    $("stop").disabled = true;
  }
}

$("chat-form").addEventListener("submit", send);
$("prompt").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("chat-form").requestSubmit();
  }
});
$("stop").addEventListener("click", () => controller && controller.abort());
$("clear").addEventListener("click", () => {
  if (controller) controller.abort();
  turns.length = 0;
  $("conversation").replaceChildren();
  clearError();
  $("comparison").hidden = true;
});

fetch("/health").then((response) => response.json()).then((health) => {
  if (health.model) {
    document.body.dataset.model = health.model;
    $("model-line").textContent = `Model ${health.model}, ${health.capacity} sequence${health.capacity === 1 ? "" : "s"}. `
      + "Marked tokens came from a verified draft, several per decoding step; every one is the model's own choice.";
  }
}).catch(() => {});
