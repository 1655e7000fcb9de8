// Audit (supervisor): search GET /v1/audit with paging, and the hash-chain status from
// GET /v1/audit/verify with the time it was last verified.
import {api, brief, clear, el} from "./dom.js";

const $ = (id) => document.getElementById(id);
let nextBefore = null;
let lastQuery = {};

function params(extra) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({...lastQuery, ...extra})) if (v !== null && v !== undefined && v !== "") q.set(k, v);
  return q.toString();
}

function isoOf(local) {
  // datetime-local has no zone: read it as the operator's local time.
  return local ? new Date(local).toISOString() : "";
}

function redactedNote(e) {
  // Retention removed the personal part; the hashes still prove the entry is unchanged.
  const when = e.redacted_at ? new Date(e.redacted_at).toLocaleDateString() : "";
  return `[redacted ${when} under ${e.redaction_policy || "retention"}]`;
}

function row(e) {
  const records = (e.record_ids || []).join(" ");
  return el("tr", {dataset: {seq: e.seq}},
            el("td", {}, e.seq), el("td", {}, el("time", {datetime: e.at}, new Date(e.at).toLocaleString())),
            el("td", {}, e.officer || ""), el("td", {}, e.role || ""), el("td", {}, e.unit || ""),
            el("td", {}, e.action), el("td", {}, e.intent || ""),
            el("td", {class: "q"}, e.redacted ? redactedNote(e) : (e.query_text || brief(e.slots))),
            el("td", {}, e.status + (e.reason ? ` (${e.reason})` : "")),
            el("td", {class: "ids"}, records), el("td", {class: "hash", title: e.hash}, e.hash.slice(0, 10) + "…"));
}

async function search(append) {
  const tbody = $("audit-table").querySelector("tbody");
  try {
    const page = await api(`/v1/audit?${params(append && nextBefore ? {before_seq: nextBefore} : {})}`);
    if (!append) clear(tbody);
    for (const e of page.entries) tbody.append(row(e));
    nextBefore = page.next_before_seq;
    $("audit-more").hidden = !nextBefore;
    $("audit-refused").hidden = true;
  } catch (err) {
    $("audit-refused").textContent = err.status === 403 ? "The audit log is for supervisors: this token's role may not read it."
      : `Audit search failed: ${err.message}`;
    $("audit-refused").hidden = false;
  }
}

async function verify() {
  const node = $("chain");
  node.textContent = "Verifying the hash chain…";
  try {
    const s = await api("/v1/audit/verify");
    node.dataset.ok = String(s.ok);
    node.textContent = s.ok
      ? `✔ Hash chain intact: ${s.entries} entries, head ${String(s.head || "").slice(0, 12)}…, verified at ${new Date(s.verified_at).toLocaleTimeString([], {hour12: false})}.`
      : `✖ Hash chain BROKEN (${s.problems.length} problems: ${s.problems.slice(0, 3).join("; ")}), verified at ${new Date(s.verified_at).toLocaleTimeString([], {hour12: false})}.`;
  } catch (err) {
    node.dataset.ok = "unknown";
    node.textContent = `Could not verify the chain: ${err.message}`;
  }
}

export function initAudit() {
  $("audit-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    lastQuery = {officer: f.get("officer").trim(), unit: f.get("unit").trim(), subject: f.get("subject").trim(),
                 since: isoOf(f.get("since")), until: isoOf(f.get("until"))};
    search(false);
  });
  $("audit-more").addEventListener("click", () => search(true));
  $("verify").addEventListener("click", verify);
}

/** Show the audit view: first page and a chain check. */
export async function openAudit() {
  await Promise.all([search(false), verify()]);
}
