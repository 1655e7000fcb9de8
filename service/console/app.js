// The console's entry point: sign-in by token, views offered by role, health strip, theme.
import {api, el, setToken, token} from "./dom.js";
import {connect, disconnect, initFilters, initMute} from "./feed.js";
import {initDetail} from "./detail.js";
import {loadSkills} from "./skills.js";
import {initAudit, openAudit} from "./audit.js";

const $ = (id) => document.getElementById(id);
let me = null;
let healthTimer = null;
let lastStages = null;

function selectView(name) {
  for (const tab of document.querySelectorAll(".tab")) {
    const on = tab.dataset.view === name;
    tab.setAttribute("aria-current", on ? "page" : "false");
    $(`view-${tab.dataset.view}`).hidden = !on;
  }
  if (name === "audit") openAudit();
}

function offer(may) {
  const views = {live: may.feed || may.query, skills: may.skills.length > 0, audit: may.audit};
  for (const tab of document.querySelectorAll(".tab")) tab.hidden = !views[tab.dataset.view];
  $("query-form").hidden = !may.query;
  $("filters").hidden = !may.feed;
  $("tabs").hidden = false;
  const first = ["live", "skills", "audit"].find((v) => views[v]);
  if (first) selectView(first);
}

async function signIn() {
  try {
    me = await api("/v1/whoami");
  } catch (err) {
    setToken(null);
    $("signin").hidden = false;
    $("signin-error").textContent = err.status === 401 ? "That token was refused." : `Sign-in failed: ${err.message}`;
    return;
  }
  $("signin").hidden = true;
  $("signin-error").textContent = "";
  $("signout").hidden = false;
  $("whoami").textContent = `${me.officer} · ${me.role}${me.unit ? ` · ${me.unit}` : ""}`;
  offer(me.may);
  if (me.may.feed) connect((code) => { if (code === 4401) signOut("The live feed refused this token."); });
  if (me.may.skills.length) loadSkills(me.may.skills);
  health();
  healthTimer = setInterval(health, 5000);
}

function signOut(message) {
  setToken(null);
  disconnect();
  clearInterval(healthTimer);
  me = null;
  for (const id of ["view-live", "view-skills", "view-audit"]) $(id).hidden = true;
  $("tabs").hidden = true;
  $("signout").hidden = true;
  $("whoami").textContent = "";
  $("signin").hidden = false;
  $("signin-error").textContent = message || "";
  $("token").focus();
}

// -- health strip: readiness, queue depth, busy refusals, recent latency -------------------

function metricLines(text) {
  const out = [];
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? ([0-9.eE+-]+|NaN)$/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const part of (m[2] || "").matchAll(/([a-z_]+)="([^"]*)"/g)) labels[part[1]] = part[2];
    out.push({name: m[1], labels, value: Number(m[3])});
  }
  return out;
}

function pill(id, text, bad) {
  const node = $(id);
  node.textContent = text;
  node.hidden = false;
  node.classList.toggle("bad", Boolean(bad));
}

async function health() {
  try {
    const r = await fetch("/readyz", {cache: "no-store", credentials: "omit"});
    const body = await r.json();
    pill("health-ready", body.ready ? "ready" : `not ready (${Object.entries(body.checks).filter(([, v]) => !v).map(([k]) => k).join(", ")})`, !body.ready);
  } catch (_) {
    pill("health-ready", "service unreachable", true);
  }
  if (!me || !me.may.metrics) return;
  try {
    const lines = metricLines(await api("/metrics", {text: true}));
    const queue = lines.filter((l) => l.name === "patrol_queue_depth").map((l) => `${l.labels.queue} ${l.value}`);
    pill("health-queue", `queues: ${queue.join(", ") || "0"}`);
    const busy = lines.filter((l) => l.name === "patrol_errors_total" && l.labels.code === "busy")
      .reduce((a, l) => a + l.value, 0);
    pill("health-busy", `busy refusals: ${busy}`, busy > 0);
    // Recent latency: mean of the stage histograms over the last poll interval.
    const stages = {};
    for (const l of lines) {
      if (l.name === "patrol_stage_seconds_sum") (stages[l.labels.stage] ||= {}).sum = l.value;
      if (l.name === "patrol_stage_seconds_count") (stages[l.labels.stage] ||= {}).count = l.value;
    }
    const recent = [];
    for (const [stage, s] of Object.entries(stages)) {
      const before = lastStages?.[stage];
      const n = s.count - (before?.count || 0);
      if (n > 0) recent.push(`${stage} ${Math.round(((s.sum - (before?.sum || 0)) / n) * 1000)} ms`);
    }
    lastStages = stages;
    pill("health-latency", recent.length ? `recent: ${recent.slice(0, 3).join(", ")}` : "recent: idle");
  } catch (_) {
    pill("health-queue", "metrics unavailable", true);
  }
}

// -- theme -------------------------------------------------------------------------------

function initTheme() {
  const button = $("theme");
  const apply = (theme) => {
    document.documentElement.dataset.theme = theme;
    button.textContent = theme === "dark" ? "Light theme" : "Dark theme";
    button.setAttribute("aria-pressed", String(theme === "light"));
  };
  apply(localStorage.getItem("patrol.theme") || "dark");
  button.addEventListener("click", () => {
    const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
    localStorage.setItem("patrol.theme", next);
    apply(next);
  });
}

// -- typed query -------------------------------------------------------------------------

function initQuery() {
  $("query-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const status = $("query-status");
    const text = $("query-text").value.trim();
    if (!text) return;
    status.textContent = "sending…";
    try {
      const result = await api("/v1/query", {method: "POST", body: {text, channel: $("query-channel").value.trim() || null}});
      status.textContent = `answered: ${result.status}`;
      $("query-text").value = "";
    } catch (err) {
      status.textContent = `refused: ${err.message}`;
    }
  });
}

function init() {
  initTheme();
  initMute();
  initFilters();
  initDetail();
  initAudit();
  initQuery();
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => selectView(tab.dataset.view));
  $("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const value = $("token").value.trim();
    $("token").value = "";
    if (!value) return;
    setToken(value);
    signIn();
  });
  $("signout").addEventListener("click", () => signOut());
  if (token()) signIn();
  else $("token").focus();
  document.body.append(el("span", {id: "booted", hidden: true}));
}

init();
