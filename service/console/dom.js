// DOM and HTTP helpers. Every value reaches the page through textContent or attributes set
// one by one, never parsed as HTML, so a transcript holding markup is shown, not run.

/** Make an element: el("td", {class: "x", "aria-label": "y"}, "text", childNode, ...). */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Remove every child of ``node``. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** A short human form of any JSON value (for table cells). */
export function brief(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(3);
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (Array.isArray(value)) return value.map(brief).join("; ");
  return Object.entries(value).map(([k, v]) => `${k}: ${brief(v)}`).join(", ");
}

const TOKEN_KEY = "patrol.token";

/** The token of this tab (sessionStorage only: gone when the tab closes). */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An API error with the server's code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** fetch() with the bearer token; JSON in and out. Throws ApiError on a non-2xx answer. */
export async function api(path, {method = "GET", body, text = false} = {}) {
  const headers = {Accept: text ? "text/plain" : "application/json"};
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                      credentials: "omit", cache: "no-store"});
  if (!response.ok) {
    let code = "http_error";
    let message = `HTTP ${response.status}`;
    try {
      const err = await response.json();
      code = err.code || code;
      message = err.message || message;
      if (Array.isArray(err.errors) && err.errors.length) {
        message += ": " + err.errors.map((e) => `${(e.loc || []).slice(1).join(".")} ${e.msg}`).join("; ");
      }
    } catch (_) { /* not JSON: keep the status line */ }
    throw new ApiError(response.status, code, message);
  }
  return text ? response.text() : response.json();
}

/** A CSV file of ``rows`` (arrays of cells) offered as a download. */
export function downloadCsv(name, header, rows) {
  const cell = (v) => {
    let s = brief(v);
    // A leading = + - @ would be read as a formula by spreadsheets.
    if (/^[=+\-@]/.test(s)) s = "'" + s;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const body = [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  const url = URL.createObjectURL(new Blob([body], {type: "text/csv"}));
  const a = el("a", {href: url, download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A sortable table: columns [{key, label, get?(row), render?(row)}]. Click a header to sort. */
export function sortableTable(columns, rows, {caption} = {}) {
  const table = el("table", {class: "sortable"});
  if (caption) table.append(el("caption", {}, caption));
  const tbody = el("tbody");
  const state = {key: null, dir: 1};
  const value = (col, row) => (col.get ? col.get(row) : row[col.key]);
  const heads = columns.map((col) => {
    const button = el("button", {type: "button", class: "sort"}, col.label);
    const th = el("th", {scope: "col", "aria-sort": "none"}, button);
    button.addEventListener("click", () => {
      state.dir = state.key === col.key ? -state.dir : 1;
      state.key = col.key;
      for (const h of heads) h.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
      draw();
    });
    return th;
  });
  table.append(el("thead", {}, el("tr", {}, heads)), tbody);
  function draw() {
    let list = rows.slice();
    if (state.key !== null) {
      const col = columns.find((c) => c.key === state.key);
      list.sort((a, b) => {
        const x = value(col, a);
        const y = value(col, b);
        if (typeof x === "number" && typeof y === "number") return (x - y) * state.dir;
        return String(brief(x)).localeCompare(String(brief(y))) * state.dir;
      });
    }
    clear(tbody);
    for (const row of list) {
      tbody.append(el("tr", {}, columns.map((col) => el("td", {}, col.render ? col.render(row) : brief(value(col, row))))));
    }
  }
  draw();
  return table;
}
