// The attention explorer: heatmaps of the weights the model computed, one per
// layer and head, for the three kinds of attention of an encoder-decoder.
//
// data.views[k].weights[layer][head][query][key] was recorded from the model's
// own forward pass (rounded to 4 decimals) when the page was written; this
// script only draws it. allowed[query][key] is 0 where the mask hid the key.
"use strict";

function attentionPage(root, data) {
  const L = data.labels;
  const state = { view: 0, layer: 0, head: 0, query: null }; // head = heads: all
  root.classList.add("txv-attention");

  h("h2", {}, root, data.title);
  const bar = h("div", { class: "txv-bar", role: "toolbar" }, root);
  const viewButtons = data.views.map((v, k) =>
    h("button", { type: "button", class: "txv-view", "data-view": v.kind,
      onclick: () => set({ view: k }) }, bar, `${k + 1} ${v.title}`));
  h("label", {}, bar, ` ${L.layer} `);
  const layerSelect = h("select", { class: "txv-layer", onchange: (e) => set({ layer: +e.target.value }) }, bar);
  h("label", {}, bar, ` ${L.head} `);
  const headSelect = h("select", { class: "txv-head", onchange: (e) => set({ head: +e.target.value }) }, bar);
  for (let k = 0; k < data.heads; k++) h("option", { value: k }, headSelect, String(k + 1));
  h("option", { value: data.heads }, headSelect, L.all_heads);
  const readout = h("p", { class: "txv-readout", "aria-live": "polite" }, root, L.click_a_word);
  const maps = h("div", { class: "txv-maps" }, root);
  const strip = h("div", { class: "txv-strip" }, root);
  scaleLegend(h("div", { class: "txv-scale" }, root));
  h("p", { class: "txv-help" }, root, L.help);

  const view = () => data.views[state.view];
  const nLayers = () => view().weights.length;

  function set(change) {
    Object.assign(state, change);
    state.layer = Math.min(state.layer, nLayers() - 1);
    if (state.query !== null) state.query = Math.min(state.query, view().queries.length - 1);
    render();
  }

  function render() {
    viewButtons.forEach((b, k) => b.classList.toggle("txv-on", k === state.view));
    layerSelect.textContent = "";
    for (let k = 0; k < nLayers(); k++) h("option", { value: k }, layerSelect, String(k + 1));
    layerSelect.value = state.layer;
    headSelect.value = state.head;
    maps.textContent = "";
    const heads = state.head === data.heads ? [...Array(data.heads).keys()] : [state.head];
    maps.classList.toggle("txv-multiples", heads.length > 1);
    for (const head of heads) heatmap(head, heads.length > 1);
    Object.assign(root.dataset, { view: view().kind, layer: state.layer,
      head: state.head === data.heads ? "all" : state.head,
      query: state.query === null ? "" : state.query });
    showQuery();
  }

  function heatmap(head, small) {
    const v = view(), w = v.weights[state.layer][head];
    const box = h("figure", { class: "txv-map" + (small ? " txv-small" : "") }, maps);
    h("figcaption", {}, box, `${L.layer} ${state.layer + 1} · ${L.head} ${head + 1}`);
    const table = h("table", { class: "txv-heat", "data-head": head }, box);
    const top = h("tr", {}, h("thead", {}, table));
    h("th", { class: "txv-corner" }, top, `${v.q_axis} ↓ · ${v.k_axis} →`);
    v.keys.forEach((word, k) => {
      const th = h("th", { class: "txv-key", "data-k": k }, top);
      h("span", {}, th, word);
      if (v.kind !== "decoder" && data.unknown[k]) { th.classList.add("txv-unknown"); th.title = L.unknown; }
    });
    const body = h("tbody", {}, table);
    v.queries.forEach((word, q) => {
      const tr = h("tr", { "data-q": q, class: q === state.query ? "txv-row-on" : null }, body);
      const th = h("th", { class: "txv-query", "data-q": q, role: "button", tabindex: 0,
        onclick: () => set({ query: state.query === q ? null : q }) }, tr, word);
      if (v.kind === "encoder" && data.unknown[q]) { th.classList.add("txv-unknown"); th.title = L.unknown; }
      v.keys.forEach((_, k) => cell(tr, v, w, head, q, k, small));
    });
  }

  function cell(tr, v, w, head, q, k, small) {
    const masked = !v.allowed[q][k];
    const td = h("td", { "data-q": q, "data-k": k }, tr);
    const say = masked ? `${v.queries[q]} → ${v.keys[k]}: ${L.masked}`
      : `${L.head} ${head + 1}: ${L.query} «${v.queries[q]}» → ${L.key} «${v.keys[k]}»: ${L.weight} ${w[q][k].toFixed(4)}`;
    td.title = say;
    if (masked) td.classList.add("txv-masked");
    else {
      const [bg, fg] = viridis(w[q][k]);
      td.style.background = bg;
      td.style.color = fg;
      if (!small) td.textContent = w[q][k].toFixed(2);
    }
    td.addEventListener("mouseenter", () => { readout.textContent = say; });
  }

  function showQuery() {
    strip.textContent = "";
    const q = state.query;
    if (q === null) { readout.textContent = L.click_a_word; return; }
    const v = view();
    const head = state.head === data.heads ? 0 : state.head;
    const w = v.weights[state.layer][head][q];
    for (const th of maps.querySelectorAll("table")) {
      const hw = v.weights[state.layer][+th.dataset.head][q];
      th.querySelectorAll("th.txv-key").forEach((key) => {
        const k = +key.dataset.k;
        key.classList.add("txv-attended");
        key.style.background = v.allowed[q][k] ? viridis(hw[k])[0] : "";
        key.style.color = v.allowed[q][k] ? viridis(hw[k])[1] : "";
      });
    }
    h("span", { class: "txv-strip-title" }, strip,
      `«${v.queries[q]}» ${L.attends} (${L.layer} ${state.layer + 1}, ${L.head} ${head + 1}):`);
    const parts = [];
    v.keys.forEach((word, k) => {
      const allowed = v.allowed[q][k];
      const chip = h("span", { class: "txv-chip" + (allowed ? "" : " txv-masked"), "data-k": k }, strip);
      h("b", {}, chip, word);
      h("span", { class: "txv-chip-w" }, chip, allowed ? w[k].toFixed(4) : L.masked_cell);
      if (allowed) { const [bg, fg] = viridis(w[k]); chip.style.background = bg; chip.style.color = fg; }
      parts.push(`${word} ${allowed ? w[k].toFixed(4) : L.masked_cell}`);
    });
    readout.textContent = `«${v.queries[q]}» ${L.attends}: ${parts.join(" · ")}`;
  }

  function scaleLegend(box) {
    h("span", {}, box, `${L.scale}: 0 `);
    const bar = h("span", { class: "txv-scale-bar" }, box);
    const stops = [...Array(11).keys()].map((k) => viridis(k / 10)[0]).join(", ");
    bar.style.background = `linear-gradient(to right, ${stops})`;
    h("span", {}, box, " 1   ");
    h("span", { class: "txv-chip txv-masked" }, box, L.masked_cell);
  }

  const cycleHead = (d) => set({ head: (state.head + d + data.heads + 1) % (data.heads + 1) });
  const moveQuery = (d) => {
    const n = view().queries.length;
    set({ query: state.query === null ? (d > 0 ? 0 : n - 1) : (state.query + d + n) % n });
  };
  onKeys(root, {
    ArrowRight: () => cycleHead(1),
    ArrowLeft: () => cycleHead(-1),
    ArrowDown: () => moveQuery(1),
    ArrowUp: () => moveQuery(-1),
    PageDown: () => set({ layer: (state.layer + 1) % nLayers() }),
    PageUp: () => set({ layer: (state.layer + nLayers() - 1) % nLayers() }),
    1: () => set({ view: 0 }),
    2: () => set({ view: 1 }),
    3: () => set({ view: 2 }),
    Escape: () => set({ query: null }),
  });
  render();
  root.dataset.readyMs = performance.now().toFixed(1); // for the load benchmark
  root.dataset.ready = "1";
}
