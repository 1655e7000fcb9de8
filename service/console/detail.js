// Hit detail: every candidate with its score and why it matched, and the check chain
// plate -> vehicle -> owner -> licence -> alerts of each.
import {brief, clear, el} from "./dom.js";

const $ = (id) => document.getElementById(id);
let opener = null;

function fields(record, keys) {
  return keys.filter((k) => record[k] !== null && record[k] !== undefined && record[k] !== "")
    .map((k) => el("span", {class: "f"}, el("span", {class: "k"}, `${k} `), brief(record[k])));
}

function step(title, record, keys) {
  if (!record) return el("li", {class: "step missing"}, el("strong", {}, title), " none on file");
  return el("li", {class: "step"}, el("strong", {}, title), " ", fields(record, keys));
}

function alertsStep(alerts) {
  if (!alerts || !alerts.length) return el("li", {class: "step"}, el("strong", {}, "Alerts"), " none");
  return el("li", {class: "step alerts"}, el("strong", {}, "Alerts"),
            el("ul", {}, alerts.map((a) => el("li", {class: a.officer_safety ? "alert danger" : "alert"},
                                              el("span", {class: "icon", "aria-hidden": "true"}, "⚠"), " ",
                                              `${a.officer_safety ? "OFFICER SAFETY " : ""}${a.kind}`,
                                              a.details ? ` — ${a.details}` : "",
                                              a.issued ? ` (issued ${a.issued})` : ""))));
}

const PERSON = ["given", "family", "dob", "sex", "region", "address", "aliases"];
const LICENCE = ["number", "class", "status", "expiry", "region"];
const VEHICLE = ["plate", "region", "make", "model", "colour", "year", "vin", "status"];

/** The chain of one candidate, in the order an officer reads it. */
export function chain(c) {
  if (c.kind === "vehicle") {
    const owner = c.owner || null;
    return [step("Plate", c, ["plate", "region"]), step("Vehicle", c, VEHICLE.slice(2)),
            step("Owner", owner, PERSON), step("Licence", owner && owner.licence, LICENCE), alertsStep(c.alerts)];
  }
  if (c.kind === "licence") {
    return [step("Licence", c, LICENCE), step("Holder", c.holder || null, PERSON), alertsStep(c.alerts)];
  }
  if (c.kind === "person") {
    return [step("Person", c, PERSON), step("Licence", c.licence || null, LICENCE), alertsStep(c.alerts)];
  }
  return [el("li", {class: "step"}, brief(c.output || c))];
}

/** Show a result's candidates in the detail panel; focus moves there and back on close. */
export function showDetail(result, msg, from) {
  opener = from || null;
  const body = $("detail-body");
  clear(body);
  body.append(el("p", {}, el("span", {class: `status s-${result.status}`}, result.status), " ",
                 [msg.unit, msg.channel, msg.officer].filter(Boolean).join(" · ")));
  if (result.readback) body.append(el("p", {class: "readback"}, "Readback: ", el("q", {}, result.readback)));
  if ((result.alerts || []).length) body.append(el("ol", {class: "chain"}, alertsStep(result.alerts)));
  const list = el("ol", {class: "candidates"});
  (result.candidates || []).forEach((c, i) => {
    list.append(el("li", {class: "candidate"},
                   el("h4", {}, `Candidate ${i + 1}: score ${brief(c.score)}`),
                   c.why ? el("p", {class: "why"}, el("span", {class: "label"}, "Why: "), brief(c.why)) : "",
                   el("ol", {class: "chain", "aria-label": `Check chain of candidate ${i + 1}`}, chain(c))));
  });
  body.append(list);
  const panel = $("detail");
  panel.hidden = false;
  $("detail-h").focus();
}

export function initDetail() {
  const close = () => {
    $("detail").hidden = true;
    if (opener && opener.isConnected) opener.focus();
  };
  $("detail-close").addEventListener("click", close);
  $("detail").addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
}
