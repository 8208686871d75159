// The graph explorer: a computation graph to fold, click and step through.
//
// Every value, gradient and chain-rule term on the page was recorded by the
// engine when the page was written (data.nodes[i].v, .g, .terms); this script
// only lays the graph out and decides what to show at each step.
"use strict";

const FONT = "11px system-ui, sans-serif";
const BOLD = "bold 11px system-ui, sans-serif";
const LINE = 14;

function graphPage(root, data) {
  const L = data.labels;
  const chains = clusterChains(data);
  const folded = new Set(data.clusters.flatMap((c, k) => (c.folded ? [k] : [])));
  const steps = [
    ...data.forward.map((i) => ({ phase: "forward", node: i })),
    ...data.backward.map((i) => ({ phase: "backward", node: i })),
  ];
  const fwdPos = new Map(data.forward.map((i, k) => [i, k]));
  const bwdPos = new Map(data.backward.map((i, k) => [i, k]));
  const state = { step: -1, selected: null, zoom: null }; // zoom null: fit the width

  // ------------------------------------------------------------ page frame
  root.classList.add("txv-graph");
  const head = h("div", { class: "txv-head" }, root);
  h("h2", {}, head, data.title);
  if (data.note) h("p", { class: "txv-note" }, head, data.note);
  const bar = h("div", { class: "txv-bar", role: "toolbar" }, root);
  const button = (text, title, action, cls) =>
    h("button", { type: "button", title, class: cls, onclick: action }, bar, text);
  button(L.reset_short, L.reset, () => go(-1), "txv-reset");
  button("◀", L.prev, () => go(state.step - 1), "txv-prev");
  button("▶", L.next, () => go(state.step + 1), "txv-next");
  button(L.to_backward, L.to_backward_title, () => go(data.forward.length - 1), "txv-fwd-end");
  button("▶▶|", L.end, () => go(steps.length - 1), "txv-end");
  const status = h("span", { class: "txv-status", "aria-live": "polite" }, bar);
  const folds = h("span", { class: "txv-folds" }, bar, L.depth + ": ");
  for (let d = 0; d <= data.max_level; d++) {
    const label = d === data.max_level ? L.all : String(d);
    h("button", { type: "button", class: "txv-depth", "data-depth": d,
      onclick: () => foldTo(d) }, folds, label);
  }
  button("−", L.zoom_out, () => zoom(1 / 1.25), "txv-zoom");
  button("+", L.zoom_in, () => zoom(1.25), "txv-zoom");
  const main = h("div", { class: "txv-main" }, root);
  const canvas = h("div", { class: "txv-canvas" }, main);
  const panel = h("div", { class: "txv-panel" }, main);
  const legend = h("p", { class: "txv-legend" }, root);
  for (const [cls, text] of [["param", L.param], ["input", L.input], ["tensor", L.tensor],
    ["mask", L.applies_mask], ["current", L.current], ["done", L.forward],
    ["grad-done", L.backward]]) {
    h("span", { class: "txv-swatch txv-sw-" + cls }, legend);
    h("span", {}, legend, text);
  }
  h("p", { class: "txv-help" }, root, L.help);

  // ------------------------------------------------------------ state
  function go(step) {
    state.step = Math.max(-1, Math.min(steps.length - 1, step));
    if (state.step >= 0) state.selected = steps[state.step].node;
    render();
  }
  function foldTo(depth) {
    folded.clear();
    data.clusters.forEach((c, k) => { if (c.level > depth) folded.add(k); });
    render();
  }
  function toggle(c) {
    if (folded.has(c)) folded.delete(c); else folded.add(c);
    render();
  }
  function zoom(f) { state.zoom = Math.max(0.3, Math.min(3, state.zoomNow * f)); render(); }
  const phase = () => (state.step < 0 ? "explore" : steps[state.step].phase);
  const current = () => (state.step < 0 ? null : steps[state.step].node);
  function evaluated(i) {
    return phase() !== "forward" || fwdPos.get(i) <= state.step;
  }
  function gradKnown(i) {
    const n = data.nodes[i];
    if (n.g === null) return false;
    if (phase() === "explore") return true;
    return phase() === "backward" && bwdPos.get(i) <= state.step - data.forward.length;
  }

  // ------------------------------------------------------------ drawing
  const nodeLines = (i, final) => {
    const n = data.nodes[i];
    const lines = [[title(i), n.name ? BOLD : FONT], [n.shape, FONT]];
    if (n.scalar && n.kind !== "const") {
      lines.push(["= " + (final || evaluated(i) ? n.v : "?"), FONT]);
      if (n.g !== null) lines.push(["∂ " + (final || gradKnown(i) ? n.g : "?"), FONT]);
    }
    return lines;
  };
  const boxLines = (c) => {
    const cl = data.clusters[c];
    const detail = `${cl.ops} ${L.ops}` + (cl.params ? ` · ${grouped(cl.params)} ${L.params}` : "");
    return [[cl.type || cl.path, BOLD], [cl.path, FONT], [detail, FONT]];
  };
  const widthOf = (lines) => Math.max(...lines.map(([t, f]) => textWidth(t, f))) + 16;
  const sizeOf = (key) => {
    const lines = key[0] === "n" ? nodeLines(+key.slice(1), true) : boxLines(+key.slice(1));
    return [Math.max(44, widthOf(lines)), lines.length * LINE + 10];
  };

  function depthNow() {
    for (let d = 0; d <= data.max_level; d++) {
      if (data.clusters.every((c, k) => folded.has(k) === c.level > d)) return d;
    }
    return null;
  }

  function render() {
    const hadFocus = root.contains(document.activeElement);
    const lay = layoutGraph(data, chains, folded, sizeOf);
    canvas.textContent = "";
    const fit = Math.max(0.7, Math.min(1, (canvas.clientWidth - 4) / lay.width || 1));
    const z = state.zoomNow = state.zoom === null ? fit : state.zoom;
    const svg = s("svg", { width: lay.width * z, height: lay.height * z,
      viewBox: `0 0 ${lay.width} ${lay.height}`, class: "txv-svg" }, canvas);
    const defs = s("defs", {}, svg);
    const marker = s("marker", { id: root.id + "-arrow", viewBox: "0 0 8 8", refX: 8, refY: 4,
      markerWidth: 7, markerHeight: 7, orient: "auto" }, defs);
    s("path", { d: "M0,0 L8,4 L0,8 z", fill: "#555" }, marker);
    const order = [...lay.rects.keys()].sort((a, b) => data.clusters[a].level - data.clusters[b].level);
    for (const c of order) drawCluster(svg, c, lay.rects.get(c));
    for (const [a, b] of lay.edges) drawEdge(svg, lay.units.get(a), lay.units.get(b));
    const cur = current();
    for (const [key, box] of lay.units) {
      if (key[0] === "n") drawNode(svg, +key.slice(1), box);
      else drawBox(svg, +key.slice(1), box, cur !== null && lay.rep[cur] === key);
    }
    const depth = depthNow();
    for (const b of root.querySelectorAll(".txv-depth")) {
      b.classList.toggle("txv-on", +b.dataset.depth === depth);
    }
    root.dataset.phase = phase();
    root.dataset.step = state.step;
    root.dataset.current = cur === null ? "" : cur;
    status.textContent = statusText();
    showPanel();
    if (hadFocus && !root.contains(document.activeElement)) root.focus({ preventScroll: true });
  }

  function drawCluster(svg, c, r) {
    const cl = data.clusters[c];
    const g = s("g", { class: "txv-cluster", "data-cluster": c }, svg);
    s("rect", { x: r.x, y: r.y, width: r.w, height: r.h, rx: 8, fill: cl.fill,
      stroke: cl.mask ? "#d55e00" : cl.border, "stroke-dasharray": cl.mask ? "5 3" : null }, g);
    const label = cl.type && cl.type !== cl.path ? `${cl.path} (${cl.type})` : cl.path;
    const fold = s("g", { class: "txv-fold", role: "button", tabindex: 0,
      "aria-label": `${L.fold} ${label}`, onclick: () => toggle(c) }, g);
    s("title", {}, fold, L.fold);
    s("text", { x: r.x + 8, y: r.y + 14, class: "txv-cluster-label" }, fold, "▾ " + label);
  }

  function drawBox(svg, c, r, isCurrent) {
    const cl = data.clusters[c];
    const g = s("g", { class: "txv-box" + (isCurrent ? " txv-current" : ""), "data-cluster": c,
      role: "button", tabindex: 0, onclick: () => toggle(c) }, svg);
    s("title", {}, g, L.unfold);
    s("rect", { x: r.x + 3, y: r.y + 3, width: r.w, height: r.h, rx: 4, fill: cl.border }, g);
    s("rect", { x: r.x, y: r.y, width: r.w, height: r.h, rx: 4, fill: cl.fill, class: "txv-frame",
      stroke: cl.mask ? "#d55e00" : cl.border }, g);
    boxLines(c).forEach(([t, f], k) => s("text", { x: r.x + r.w / 2, y: r.y + 17 + k * LINE,
      "text-anchor": "middle", "font-weight": f === BOLD ? "bold" : null }, g, (k ? "" : "▸ ") + t));
  }

  function drawNode(svg, i, r) {
    const n = data.nodes[i];
    const cls = ["txv-node", "txv-" + n.kind];
    if (n.mask) cls.push("txv-mask");
    if (!evaluated(i)) cls.push("txv-pending");
    else if (phase() === "forward") cls.push("txv-done");
    if (gradKnown(i) && phase() === "backward") cls.push("txv-grad-done");
    if (i === current()) cls.push("txv-current");
    if (i === state.selected) cls.push("txv-selected");
    const g = s("g", { class: cls.join(" "), "data-node": i, role: "button", tabindex: 0,
      onclick: () => { state.selected = i; render(); } }, svg);
    s("rect", { x: r.x, y: r.y, width: r.w, height: r.h, rx: n.op ? 12 : 3, class: "txv-frame" }, g);
    nodeLines(i, false).forEach(([t, f], k) => s("text", { x: r.x + r.w / 2,
      y: r.y + 16 + k * LINE, "text-anchor": "middle", "font-weight": f === BOLD ? "bold" : null,
      class: k === 3 ? "txv-node-grad" : k === 2 ? "txv-node-value" : null }, g, t));
  }

  function drawEdge(svg, a, b) {
    const x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2;
    const dx = Math.max(18, Math.abs(x2 - x1) / 2);
    s("path", { d: `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`,
      class: "txv-edge", "marker-end": `url(#${root.id}-arrow)` }, svg);
  }

  // ------------------------------------------------------------ text
  function title(i) {
    const n = data.nodes[i];
    if (n.kind === "const") return n.v;
    if (n.op) return n.name ? `${n.name} = ${n.op}` : n.op;
    return n.name || L[n.kind];
  }
  function ref(i) {
    const n = data.nodes[i];
    return n.kind === "const" ? n.v : n.name || `%${i}`;
  }
  function call(i) {
    const n = data.nodes[i];
    return n.op ? `${ref(i)} = ${n.op}(${n.in.map(ref).join(", ")})` : ref(i);
  }
  function statusText() {
    if (state.step < 0) return L.explore;
    const st = steps[state.step];
    const k = st.phase === "forward" ? state.step + 1 : state.step + 1 - data.forward.length;
    const n = st.phase === "forward" ? data.forward.length : data.backward.length;
    return `${L[st.phase]} ${k}/${n}: ${st.phase === "forward" ? call(st.node) : "∂L/∂" + ref(st.node)}`;
  }

  // ------------------------------------------------------------ side panel
  function showPanel() {
    panel.textContent = "";
    const i = state.selected;
    if (i === null) { h("p", { class: "txv-hint" }, panel, L.click_a_node); return; }
    const n = data.nodes[i];
    panel.dataset.node = i;
    h("h3", {}, panel, call(i));
    const facts = [`${L[n.kind]} · ${L.shape} ${n.shape} · ${n.dtype}`];
    if (n.path) facts.push(`${L.module}: ${n.path}`);
    if (n.mask) facts.push(L.applies_mask);
    facts.forEach((t) => h("p", { class: "txv-facts" }, panel, t));
    section("txv-value", L.value, evaluated(i) ? n.v : null, n.vs, L.not_yet);
    if (n.g !== null || phase() !== "forward") {
      const text = n.g === null ? null : gradKnown(i) ? n.g : null;
      const why = n.g === null ? L.no_grad : L.not_yet;
      section("txv-grad", `${L.gradient} ∂L/∂${ref(i)}`, text, n.gs, why);
    }
    if (n.in.length && evaluated(i)) inputs(n);
    if (gradKnown(i) && n.terms.length) terms(i);
    if (n.math !== null) opMath(n.math, n.op);
  }

  function section(cls, label, text, summary, missing) {
    const box = h("div", { class: cls }, panel);
    h("h4", {}, box, label);
    if (text === null) { h("p", { class: "txv-missing" }, box, missing); return; }
    h("pre", {}, box, text);
    if (summary) h("p", { class: "txv-summary" }, box, summary);
  }

  function inputs(n) {
    const box = h("div", { class: "txv-inputs" }, panel);
    h("h4", {}, box, L.inputs);
    const list = h("ul", {}, box);
    n.in.forEach((p) => {
      const m = data.nodes[p];
      const text = m.kind === "const" ? `${m.v} (${L.const})`
        : `${ref(p)}: ${m.shape}` + (m.scalar ? ` = ${m.v}` : "");
      h("li", {}, list, text);
    });
  }

  function terms(i) {
    const n = data.nodes[i];
    const box = h("div", { class: "txv-terms" }, panel);
    const head = n.terms.length > 1 ? L.sum_of_terms.replace("{n}", n.terms.length) : L.chain_rule;
    h("h4", {}, box, head);
    const list = h("ol", {}, box);
    for (const [u, arg, text, summary, local] of n.terms) {
      const li = h("li", { class: "txv-term", "data-from": u }, list);
      h("p", {}, li, `${L.from} ${call(u)} (${L.input} ${arg + 1}):`);
      const up = data.nodes[u];
      if (local !== null) {
        h("pre", {}, li, `∂L/∂${ref(u)} · ∂${ref(u)}/∂${ref(i)} = ${up.g} × ${local} = ${text}`);
      } else {
        h("p", { class: "txv-upstream" }, li, `∂L/∂${ref(u)} = ` + (up.gs || ""));
        h("pre", {}, li, up.g);
        h("p", {}, li, `${up.op}.backward → ${L.term}:` + (summary ? " " + summary : ""));
        h("pre", { class: "txv-term-value" }, li, text);
      }
      const rule = data.math[up.math];
      if (rule && rule.derivative) h("pre", { class: "txv-rule" }, li, rule.derivative);
    }
  }

  function opMath(key, op) {
    const m = data.math[key];
    const box = h("div", { class: "txv-math" }, panel);
    h("h4", {}, box, `${L.op} ${op}`);
    if (m.forward) { h("p", {}, box, L.forward_formula); h("pre", {}, box, m.forward); }
    if (m.derivative) { h("p", {}, box, L.derivative); h("pre", {}, box, m.derivative); }
    const more = h("details", {}, box);
    h("summary", {}, more, L.docstring);
    h("pre", {}, more, m.doc);
  }

  onKeys(root, {
    ArrowRight: () => go(state.step + 1),
    ArrowDown: () => go(state.step + 1),
    ArrowLeft: () => go(state.step - 1),
    ArrowUp: () => go(state.step - 1),
    Home: () => go(-1),
    Escape: () => go(-1),
    End: () => go(steps.length - 1),
  });
  render();
  root.dataset.readyMs = performance.now().toFixed(1); // for the load benchmark
  root.dataset.ready = "1";
}
