// Helpers shared by the pages: building elements, measuring text, keys.
// Plain DOM and SVG, no library: the page must work from disk with no network.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg"; // a name, never fetched

function h(tag, attrs, parent, text) {
  const e = document.createElement(tag);
  setAttrs(e, attrs);
  if (text !== undefined && text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function s(tag, attrs, parent, text) {
  const e = document.createElementNS(SVG_NS, tag);
  setAttrs(e, attrs);
  if (text !== undefined && text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function setAttrs(e, attrs) {
  for (const k in attrs || {}) {
    const v = attrs[k];
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.setAttribute("class", v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
}

// A whole number with its digits in groups of three, split by spaces
// (1088 -> "1 088"), as the lessons write them in both languages: a comma
// or a point between the groups would read as a decimal mark to one of them.
function grouped(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

const _canvas = document.createElement("canvas").getContext("2d");
function textWidth(text, font) {
  _canvas.font = font;
  return _canvas.measureText(text).width;
}

// Arrow keys and friends, when the page (or something inside it) has focus.
// Keys typed into a <select> or an <input> are left to it.
function onKeys(root, table) {
  root.addEventListener("keydown", (event) => {
    const tag = event.target.tagName;
    if (tag === "SELECT" || tag === "INPUT" || tag === "TEXTAREA") return;
    const isButton = event.target.getAttribute && event.target.getAttribute("role") === "button";
    if (isButton && (event.key === "Enter" || event.key === " ")) {
      event.target.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      event.preventDefault();
      return;
    }
    const action = table[event.key];
    if (!action || event.ctrlKey || event.metaKey || event.altKey) return;
    action(event);
    event.preventDefault();
    event.stopPropagation();
  });
  if (document.body.classList.contains("txv-standalone")) root.focus();
}

// Viridis, sampled at 9 points: dark blue (0) to yellow (1), readable for
// colour-blind readers and in grey. Returns [css colour, text colour].
const VIRIDIS = [
  [68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];
function viridis(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - k;
  const c = [0, 1, 2].map((j) => Math.round(VIRIDIS[k][j] * (1 - f) + VIRIDIS[k + 1][j] * f));
  return [`rgb(${c[0]},${c[1]},${c[2]})`, t > 0.55 ? "#111" : "#fff"];
}
