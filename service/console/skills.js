// Skills: one form per skill, generated from its input_schema (GET /v1/skills); results as
// sortable tables with their evidence, exportable to CSV.
import {api, brief, clear, downloadCsv, el, sortableTable} from "./dom.js";

let counter = 0;

function resolve(schema, root) {
  let s = schema || {};
  while (s.$ref) s = root.$defs?.[s.$ref.split("/").pop()] || {};
  if (Array.isArray(s.anyOf)) {
    const kinds = s.anyOf.filter((x) => x.type !== "null");
    if (kinds.length === 1) {
      const inner = resolve(kinds[0], root);
      return {...inner, description: s.description || inner.description, default: s.default ?? inner.default,
              title: s.title || inner.title, nullable: true};
    }
  }
  return s;
}

function labelText(name, s) {
  return s.title || name.replace(/_/g, " ");
}

/** A form control for one property; returns {node, read()} where read() gives a value or undefined. */
function control(name, schema, root, required, path) {
  const s = resolve(schema, root);
  const id = `sk-${++counter}`;
  const help = s.description ? el("span", {class: "help", id: `${id}-d`}, s.description) : null;
  const described = help ? `${id}-d` : null;
  const label = el("label", {for: id}, labelText(name, s), required ? " (required)" : "");
  if (Array.isArray(s.enum)) {
    const select = el("select", {id, name: path, "aria-describedby": described},
                      required ? null : el("option", {value: ""}, "—"),
                      s.enum.map((v) => el("option", {value: String(v), selected: v === s.default}, String(v))));
    return {node: el("div", {class: "field"}, label, select, help), read: () => select.value || undefined};
  }
  if (s.type === "boolean") {
    const box = el("input", {id, name: path, type: "checkbox", checked: s.default === true, "aria-describedby": described});
    return {node: el("div", {class: "field check"}, box, label, help), read: () => box.checked};
  }
  if (s.type === "integer" || s.type === "number") {
    const input = el("input", {id, name: path, type: "number", step: s.type === "integer" ? "1" : "any",
                               min: s.minimum ?? null, max: s.maximum ?? null, required,
                               value: s.default ?? null, "aria-describedby": described});
    return {node: el("div", {class: "field"}, label, input, help),
            read: () => (input.value === "" ? undefined : Number(input.value))};
  }
  if (s.type === "object" && s.properties) {
    // An optional group: its own required fields only count once any of them is filled.
    const sub = fieldsFor(s, root, `${path}.`, !required || Boolean(s.nullable));
    const node = el("fieldset", {class: "nested"}, el("legend", {}, labelText(name, s)), help, sub.nodes);
    return {node, read: () => {
      const value = sub.read();
      return Object.keys(value).length ? value : undefined;
    }};
  }
  if (s.type === "string" && !s.format && s.maxLength !== undefined && s.maxLength <= 200) {
    const input = el("input", {id, name: path, type: "text", maxlength: s.maxLength, required,
                               value: s.default ?? null, "aria-describedby": described});
    return {node: el("div", {class: "field"}, label, input, help), read: () => input.value || undefined};
  }
  if (s.type === "string" && (s.format === "date" || s.format === "date-time")) {
    const input = el("input", {id, name: path, type: s.format === "date" ? "date" : "datetime-local", required,
                               "aria-describedby": described});
    return {node: el("div", {class: "field"}, label, input, help), read: () => input.value || undefined};
  }
  // Long text, arrays and free-form objects: a text area (JSON unless the field is a string),
  // with a file upload for batches.
  const isText = s.type === "string";
  const area = el("textarea", {id, name: path, rows: isText ? 4 : 5, required, spellcheck: "false",
                               "aria-describedby": described,
                               placeholder: isText ? "" : placeholderFor(s, root)});
  const node = el("div", {class: "field"}, label, area, help);
  if (!isText || /csv/i.test(name) || /csv/i.test(s.description || "")) {
    const fileId = `${id}-f`;
    const kind = isText ? "CSV" : "JSON";
    const file = el("input", {id: fileId, type: "file", accept: isText ? ".csv,text/csv" : ".json,application/json"});
    file.addEventListener("change", async () => {
      const f = file.files[0];
      if (!f) return;
      let text = await f.text();
      if (!isText) {
        try {
          const parsed = JSON.parse(text);
          text = JSON.stringify(Array.isArray(parsed) || !(name in parsed) ? parsed : parsed[name], null, 1);
        } catch (_) { /* left as is: submit reports the parse error */ }
      }
      area.value = text;
    });
    node.append(el("label", {for: fileId, class: "upload"}, `Upload ${kind} file for ${labelText(name, s)}`), file);
  }
  return {node, read: () => {
    if (!area.value.trim()) return undefined;
    if (isText) return area.value;
    try {
      return JSON.parse(area.value);
    } catch (err) {
      throw new Error(`${labelText(name, s)}: not valid JSON (${err.message})`);
    }
  }};
}

function placeholderFor(s, root) {
  if (s.type === "array") {
    const item = resolve(s.items, root);
    const keys = Object.keys(item.properties || {}).slice(0, 3);
    return `JSON list, e.g. [{${keys.map((k) => `"${k}": …`).join(", ")}}]`;
  }
  if (s.additionalProperties) return 'JSON object, e.g. {"q1": true, "q2": false}';
  return "JSON";
}

function fieldsFor(schema, root, prefix = "", optional = false) {
  const required = new Set(optional ? [] : schema.required || []);
  const controls = Object.entries(schema.properties || {}).map(
    ([name, prop]) => [name, control(name, prop, root, required.has(name), prefix + name)]);
  return {
    nodes: controls.map(([, c]) => c.node),
    read: () => {
      const out = {};
      for (const [name, c] of controls) {
        const v = c.read();
        if (v !== undefined) out[name] = v;
      }
      return out;
    },
  };
}

// -- results -----------------------------------------------------------------------------

function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(cell); cell = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Texts of the posts the caller sent, by id, so evidence spans can be marked in them. */
function inputTexts(input) {
  const texts = new Map();
  (input.posts || []).forEach((p, i) => texts.set(String(p.id ?? i + 1), p.text));
  if (typeof input.csv === "string") {
    const [head, ...rows] = parseCsv(input.csv.trim());
    const idCol = (head || []).indexOf("id");
    const textCol = (head || []).indexOf("text");
    if (textCol >= 0) rows.forEach((r, i) => texts.set(idCol >= 0 ? r[idCol] : String(i + 1), r[textCol]));
  }
  return texts;
}

/** The post text with each evidence span in a <mark>, built from text nodes only. */
function highlighted(text, spans) {
  const out = el("span", {class: "post"});
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at || s.end > text.length) continue;
    out.append(text.slice(at, s.start), el("mark", {title: `${s.category} (${s.how})`}, text.slice(s.start, s.end)));
    at = s.end;
  }
  out.append(text.slice(at));
  return out;
}

function tableFor(name, rows, texts) {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const columns = keys.map((k) => ({key: k, label: k.replace(/_/g, " ")}));
  const evidence = columns.find((c) => c.key === "evidence");
  if (evidence && texts.size) {
    columns.splice(columns.indexOf(evidence), 0, {key: "__text", label: "text (evidence marked)",
      get: (r) => texts.get(String(r.id)) || "",
      render: (r) => (texts.has(String(r.id)) ? highlighted(texts.get(String(r.id)), r.evidence || []) : "")});
  }
  if (evidence) evidence.get = (r) => (r.evidence || []).map((s) => `${s.text} [${s.category}]`).join("; ");
  const table = sortableTable(columns, rows, {caption: name.replace(/_/g, " ")});
  const exportButton = el("button", {type: "button"}, `Export ${name.replace(/_/g, " ")} to CSV`);
  exportButton.addEventListener("click", () => downloadCsv(`${name}.csv`, columns.map((c) => c.label),
    rows.map((r) => columns.map((c) => (c.get ? c.get(r) : r[c.key])))));
  return el("div", {class: "result-table"}, el("div", {class: "table-wrap"}, table), exportButton);
}

function renderOutput(node, output, input) {
  clear(node);
  const texts = inputTexts(input);
  const scalars = el("dl", {class: "kv"});
  const tables = [];
  for (const [key, value] of Object.entries(output)) {
    if (Array.isArray(value) && value.length && value.every((v) => v && typeof v === "object" && !Array.isArray(v))) {
      tables.push(tableFor(key, value, texts));
    } else {
      scalars.append(el("dt", {}, key.replace(/_/g, " ")), el("dd", {}, brief(value)));
    }
  }
  node.append(scalars, ...tables);
}

function skillCard(skill) {
  const root = skill.input_schema;
  const fields = fieldsFor(root, root);
  const status = el("p", {class: "help", role: "status", "aria-live": "polite"});
  const out = el("div", {class: "skill-output", "aria-live": "polite"});
  const form = el("form", {class: "skill-form", dataset: {skill: skill.name}, novalidate: true},
                  fields.nodes, el("button", {type: "submit"}, `Run ${skill.name}`), status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    let input;
    try {
      input = fields.read();
    } catch (err) {
      status.textContent = err.message;
      return;
    }
    status.textContent = "running…";
    const t0 = performance.now();
    try {
      const output = await api(`/v1/skills/${encodeURIComponent(skill.name)}`, {method: "POST", body: input});
      status.textContent = `done in ${Math.round(performance.now() - t0)} ms`;
      renderOutput(out, output, input);
    } catch (err) {
      status.textContent = `refused: ${err.code}: ${err.message}`;
    }
  });
  const hId = `skill-${skill.name}-h`;
  return el("section", {class: "skill panel", "aria-labelledby": hId, id: `skill-${skill.name}`},
            el("h3", {id: hId}, skill.name.replace(/_/g, " ")), el("p", {class: "help"}, skill.description),
            form, out);
}

/** Load the skill list and build a form for each skill the role may call. */
export async function loadSkills(allowed) {
  const list = document.getElementById("skill-list");
  clear(list);
  try {
    const {skills} = await api("/v1/skills");
    const mine = skills.filter((s) => allowed.includes(s.name));
    if (!mine.length) list.append(el("p", {}, "This role may not run any skill."));
    for (const skill of mine) list.append(skillCard(skill));
  } catch (err) {
    list.append(el("p", {class: "error", role: "alert"}, `Could not list skills: ${err.message}`));
  }
}
