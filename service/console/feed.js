// Live traffic from WS /v1/events: one lane per channel (or unit), one card per utterance,
// alerts first, capped lists, reconnect with back-off.
import {brief, clear, el, token} from "./dom.js";
import {showDetail} from "./detail.js";

const MAX_LANES = 12;
const MAX_CARDS = 30;       // per lane: older cards are removed, so the DOM stays bounded
const MAX_ALERTS = 12;
const MAX_SESSIONS = 500;   // sessions remembered for confirm/cancel marks

const lanes = new Map();    // lane key -> {node, list, cards: Map}
const cardsByKey = new Map();
const lastResult = new Map(); // session -> card of its latest result
let alerts = [];            // [{alert, msg, card}] newest first, officer safety first
let pending = [];
let scheduled = false;
let muted = localStorage.getItem("patrol.muted") === "1";
let audio = null;

/** Numbers only (no personal data): what the benchmark and tests read. */
export const stats = {received: 0, rendered: 0, latencies: [], connects: 0, state: "idle"};
window.patrolConsole = {stats};

const $ = (id) => document.getElementById(id);

function laneKey(msg) {
  if (msg.channel) return {key: `ch:${msg.channel}`, label: `Channel ${msg.channel}`};
  if (msg.unit) return {key: `unit:${msg.unit}`, label: `Unit ${msg.unit}`};
  return {key: "other", label: "No channel"};
}

function laneFor(msg) {
  const {key, label} = laneKey(msg);
  let lane = lanes.get(key);
  if (lane) return lane;
  const id = `lane-${lanes.size}-${key.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const list = el("ol", {class: "cards", "aria-labelledby": `${id}-h`});
  const node = el("section", {class: "lane", id, dataset: {lane: key}},
                  el("h3", {id: `${id}-h`}, label), list);
  lane = {node, list, cards: new Map(), key};
  lanes.set(key, lane);
  $("lanes").append(node);
  if (msg.channel && ![...$("channels").options].some((o) => o.value === msg.channel)) {
    $("channels").append(el("option", {value: msg.channel}));
  }
  if (lanes.size > MAX_LANES) {
    const [oldKey, old] = lanes.entries().next().value;
    for (const k of old.cards.keys()) cardsByKey.delete(k);
    old.node.remove();
    lanes.delete(oldKey);
  }
  return lane;
}

function time(at) {
  const d = at ? new Date(at) : new Date();
  return d.toLocaleTimeString([], {hour12: false});
}

function cardFor(msg) {
  const key = `${msg.session}:${msg.utterance}`;
  let card = cardsByKey.get(key);
  if (card) return card;
  const lane = laneFor(msg);
  const parts = {
    speech: el("p", {class: "speech", hidden: true}),
    transcript: el("p", {class: "transcript", hidden: true}),
    intent: el("p", {class: "intent", hidden: true}),
    alerts: el("ul", {class: "card-alerts", hidden: true}),
    result: el("div", {class: "result", hidden: true}),
    mark: el("p", {class: "mark", hidden: true}),
    error: el("p", {class: "error", hidden: true}),
  };
  const head = el("p", {class: "card-head"},
                  el("time", {datetime: msg.at || ""}, time(msg.at)), " ",
                  el("span", {class: "who"}, [msg.unit, msg.officer].filter(Boolean).join(" · ")), " ",
                  el("span", {class: "source"}, msg.source || ""));
  const node = el("li", {class: "card", dataset: {channel: msg.channel || "", unit: msg.unit || "",
                                                   status: "", alerts: "", session: msg.session || ""}},
                  head, parts.speech, parts.transcript, parts.intent, parts.alerts, parts.result,
                  parts.mark, parts.error);
  card = {key, node, parts, lane, result: null, msg};
  cardsByKey.set(key, card);
  lane.cards.set(key, card);
  lane.list.prepend(node);
  while (lane.cards.size > MAX_CARDS) {
    const [oldKey, old] = lane.cards.entries().next().value;
    old.node.remove();
    lane.cards.delete(oldKey);
    cardsByKey.delete(oldKey);
  }
  applyFilter(card);
  return card;
}

function show(node, ...content) {
  clear(node);
  node.append(...content);
  node.hidden = false;
}

function alertLabel(a) {
  return `${a.officer_safety ? "OFFICER SAFETY " : ""}${String(a.kind || "alert").toUpperCase().replace("_", " ")}`;
}

function alertItem(a) {
  return el("li", {class: a.officer_safety ? "alert danger" : "alert"},
            el("span", {class: "icon", "aria-hidden": "true"}, "⚠"), " ",
            el("strong", {}, alertLabel(a)), a.details ? ` — ${a.details}` : "");
}

function subjectOf(candidate) {
  if (!candidate) return "";
  if (candidate.kind === "vehicle") return `vehicle ${candidate.plate || ""}`;
  if (candidate.kind === "licence") return `licence ${candidate.number || ""}`;
  if (candidate.kind === "person") return `${candidate.given || ""} ${candidate.family || ""} ${candidate.dob || ""}`;
  if (candidate.skill) return `skill ${candidate.skill}`;
  return "";
}

function renderResult(card, ev, msg) {
  card.result = {event: ev, msg};
  card.node.dataset.status = ev.status;
  card.node.dataset.alerts = (ev.alerts || []).map((a) => a.kind).join(" ");
  card.node.classList.toggle("has-alert", (ev.alerts || []).length > 0);
  card.node.classList.toggle("has-safety", (ev.alerts || []).some((a) => a.officer_safety));
  if ((ev.alerts || []).length) show(card.parts.alerts, ...ev.alerts.map(alertItem));
  else card.parts.alerts.hidden = true;
  const top = (ev.candidates || [])[0];
  const details = el("button", {type: "button", class: "details"}, "Details");
  details.addEventListener("click", () => showDetail(card.result.event, card.result.msg, details));
  show(card.parts.result,
       el("p", {}, el("span", {class: `status s-${ev.status}`}, ev.status), " ",
          top ? el("span", {class: "top-cand"}, `${subjectOf(top)} (score ${brief(top.score)})`) : "",
          " ", (ev.candidates || []).length > 0 ? details : ""),
       ev.readback ? el("p", {class: "readback"}, el("span", {class: "label"}, "Readback: "),
                        el("q", {}, ev.readback)) : "");
  if (msg.session) {
    lastResult.set(msg.session, card);
    if (lastResult.size > MAX_SESSIONS) lastResult.delete(lastResult.keys().next().value);
  }
  for (const a of ev.alerts || []) addAlert(a, msg, card);
  applyFilter(card);
}

function addAlert(alert, msg, card) {
  alerts.unshift({alert, msg, card});
  alerts.sort((x, y) => Number(Boolean(y.alert.officer_safety)) - Number(Boolean(x.alert.officer_safety)));
  alerts = alerts.slice(0, MAX_ALERTS);
  const list = $("alert-list");
  clear(list);
  for (const {alert: a, msg: m, card: c} of alerts) {
    const item = alertItem(a);
    const top = (c.result?.event.candidates || [])[0];
    item.append(` · ${subjectOf(top)} · ${[m.unit, m.channel].filter(Boolean).join(" ")} · ${time(m.at)} `);
    const button = el("button", {type: "button", class: "details"}, "Details");
    button.addEventListener("click", () => showDetail(c.result.event, c.result.msg, button));
    item.append(button);
    list.append(item);
  }
  beep(alert.officer_safety);
}

function handle(msg) {
  const ev = msg.event || {};
  stats.rendered += 1;
  if (ev.type === "ready") return;  // a session opened: nothing for the operator to read yet
  const card = cardFor(msg);
  switch (ev.type) {
    case "speech":
      show(card.parts.speech, ev.state === "start" ? "speaking…" : "speech ended");
      break;
    case "partial":
      show(card.parts.transcript, el("em", {}, ev.text || ""));
      break;
    case "transcript":
      card.parts.speech.hidden = true;
      show(card.parts.transcript, el("span", {class: "label"}, "Heard: "), el("span", {class: "text"}, ev.text || ""),
           el("span", {class: "conf"}, ` (${Math.round((ev.confidence || 0) * 100)} %)`));
      break;
    case "intent": {
      const slots = Object.entries(ev.slots || {}).map(([k, v]) => `${k}=${brief(v)}`).join(" ");
      show(card.parts.intent, el("span", {class: "label"}, "Intent: "), `${ev.name} ${slots}`,
           ` (${Math.round((ev.confidence || 0) * 100)} %)`);
      if ((ev.name === "confirm" || ev.name === "cancel") && lastResult.has(msg.session)) {
        const target = lastResult.get(msg.session);
        if (target !== card) {
          show(target.parts.mark, ev.name === "confirm" ? "✔ Officer confirmed" : "✖ Officer cancelled");
          target.node.dataset.mark = ev.name;
        }
      }
      break;
    }
    case "result":
      renderResult(card, ev, msg);
      break;
    case "error":
      show(card.parts.error, `Error ${ev.code}: ${ev.message || ""}`);
      break;
    default:
      break;
  }
  if (msg.at) {
    stats.latencies.push(Date.now() - Date.parse(msg.at));
    if (stats.latencies.length > 5000) stats.latencies.splice(0, 1000);
  }
}

function flush() {
  scheduled = false;
  const batch = pending;
  pending = [];
  for (const msg of batch) {
    try {
      handle(msg);
    } catch (err) {
      console.error("could not show an event:", err.name);
    }
  }
}

function receive(msg) {
  stats.received += 1;
  pending.push(msg);
  if (pending.length > 2000) pending.splice(0, pending.length - 2000);
  if (!scheduled) {
    scheduled = true;
    // Hidden tabs get no animation frames: fall back to a timer so the queue cannot grow.
    if (document.hidden) setTimeout(flush, 100);
    else requestAnimationFrame(flush);
  }
}

// -- filters -----------------------------------------------------------------------------

function filterValues() {
  return {channel: $("f-channel").value.trim(), unit: $("f-unit").value.trim(),
          status: $("f-status").value, alert: $("f-alert").value};
}

function applyFilter(card) {
  const f = filterValues();
  const d = card.node.dataset;
  card.node.hidden = Boolean((f.channel && d.channel !== f.channel) || (f.unit && d.unit !== f.unit)
    || (f.status && d.status !== f.status) || (f.alert && !d.alerts.split(" ").includes(f.alert)));
}

export function initFilters() {
  for (const id of ["f-channel", "f-unit", "f-status", "f-alert"]) {
    $(id).addEventListener("input", () => { for (const card of cardsByKey.values()) applyFilter(card); });
  }
}

// -- sound -------------------------------------------------------------------------------

function beep(urgent) {
  if (muted) return;
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = urgent ? 1200 : 880;
    gain.gain.value = 0.08;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (urgent ? 0.45 : 0.2));
  } catch (_) { /* no audio device: the colour and icon still show */ }
}

export function initMute() {
  const button = $("mute");
  const draw = () => {
    button.textContent = muted ? "Sound off" : "Sound on";
    button.setAttribute("aria-pressed", String(muted));
    button.setAttribute("aria-label", muted ? "Alert sound muted; unmute" : "Alert sound on; mute");
  };
  button.addEventListener("click", () => {
    muted = !muted;
    localStorage.setItem("patrol.muted", muted ? "1" : "0");
    draw();
  });
  draw();
}

// -- connection --------------------------------------------------------------------------

let socket = null;
let retry = 0;
let timer = null;
let wanted = false;

function setState(state, text) {
  stats.state = state;
  const node = $("conn");
  node.textContent = text;
  node.dataset.state = state;
}

/** Open the feed; on a dropped socket retry with exponential back-off (0.5 s to 10 s). */
export function connect(onRefused) {
  wanted = true;
  clearTimeout(timer);
  const t = token();
  if (!t) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  setState("connecting", retry ? `offline, reconnecting (try ${retry})` : "connecting");
  // Browsers cannot set headers on a websocket: the token rides as a subprotocol, never in the URL.
  const ws = new WebSocket(`${scheme}//${location.host}/v1/events`, ["patrol.v1", `bearer.${t}`]);
  socket = ws;
  ws.addEventListener("message", (e) => {
    let msg;
    try { msg = JSON.parse(e.data); } catch (_) { return; }
    if (msg.type === "subscribed") {
      retry = 0;
      stats.connects += 1;
      setState("online", "live");
      return;
    }
    if (msg.event) receive(msg);
  });
  ws.addEventListener("close", (e) => {
    if (socket !== ws) return;
    socket = null;
    if (e.code === 4401 || e.code === 4403) {
      wanted = false;
      setState("refused", e.code === 4401 ? "token refused" : "live feed not allowed for this role");
      if (onRefused) onRefused(e.code);
      return;
    }
    if (!wanted) { setState("idle", "not connected"); return; }
    retry += 1;
    const delay = Math.min(10000, 500 * 2 ** Math.min(retry - 1, 5)) * (0.8 + Math.random() * 0.4);
    setState("offline", `offline, reconnecting in ${Math.round(delay / 100) / 10} s`);
    timer = setTimeout(() => connect(onRefused), delay);
  });
}

export function disconnect() {
  wanted = false;
  clearTimeout(timer);
  if (socket) socket.close(1000);
  socket = null;
  setState("idle", "not connected");
}
