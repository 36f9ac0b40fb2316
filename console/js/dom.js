// Building DOM nodes from data without ever parsing it as HTML (no innerHTML with server data).

/** `h("td", { class: "x" }, "text", child)`: attributes (`on…` are listeners), then children (strings become text). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A table with a caption, column headings and rows (arrays of cells), scrolling sideways on a narrow screen. */
export function table(caption, headings, rows, attributes = {}) {
  return h("div", { class: "table-wrap" },
    h("table", attributes,
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headings.map((heading) => h("th", { scope: "col" }, heading)))),
      h("tbody", {}, rows.length ? rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell))))
        : h("tr", {}, h("td", { colspan: headings.length }, "Nothing to show.")))));
}

/** A labelled input or select; returns the row and keeps the control as `row.control`. */
export function field(id, label, control) {
  control.id = id;
  const row = h("div", { class: "field" }, h("label", { for: id }, label), control);
  row.control = control;
  return row;
}

export function select(options, value) {
  return h("select", {}, options.map(([optionValue, text]) =>
    h("option", { value: optionValue, selected: optionValue === value }, text)));
}

/** A status word as a badge whose class colours it (`status-Completed`). */
export const badge = (text) => h("span", { class: `badge status-${text}`, "data-status": text }, text);

export const time = (text) => text ? h("time", { datetime: text }, new Date(text).toLocaleString()) : "—";

export const shortDigest = (digest) => h("code", { title: digest }, digest ? digest.slice(0, 19) + "…" : "—");

/** The page's heading, focused so a screen reader announces the new page. */
export function heading(text) {
  return h("h1", { tabindex: "-1", id: "page-title" }, text);
}
