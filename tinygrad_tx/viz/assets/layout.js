// Where each node goes: a nested layered layout, left to right.
//
// A cluster (a module call) is laid out on its own: its nodes and its child
// clusters (each a block, or one box when folded) in columns, each unit one
// column right of the units it uses (longest path), the columns ordered to
// keep edges short (barycentres). The cluster is then one block in its
// parent's layout. Folding a cluster only changes the size of its block.
// Only positions are computed here: every number shown comes from Python.
"use strict";

const GAP_X = 42, GAP_Y = 16, PAD = 10, HEADER = 20;

function clusterChains(data) {
  // chains[i]: the clusters around node i, outermost first
  return data.nodes.map((node) => {
    const chain = [];
    for (let c = node.c; c >= 0; c = data.clusters[c].parent) chain.unshift(c);
    return chain;
  });
}

function layoutGraph(data, chains, folded, sizeOf) {
  const rep = data.nodes.map((_, i) => {
    const f = chains[i].find((c) => folded.has(c));
    return f === undefined ? "n" + i : "c" + f;
  });
  const children = new Map([[-1, []]]);
  data.clusters.forEach((_, c) => children.set(c, []));
  data.clusters.forEach((cl, c) => children.get(cl.parent).push(c));
  const first = new Map(); // unit -> index of its first node (reading order)
  data.nodes.forEach((_, i) => {
    for (const key of ["n" + i, ...chains[i].map((c) => "c" + c)]) {
      if (!first.has(key)) first.set(key, i);
    }
  });

  function unitIn(i, c) {
    const chain = chains[i];
    const k = c === -1 ? 0 : chain.indexOf(c) + 1;
    if (c !== -1 && k === 0) return null; // node i is not inside c
    return k >= chain.length ? "n" + i : "c" + chain[k];
  }

  function layoutContainer(c) {
    const units = [];
    data.nodes.forEach((node, i) => { if (node.c === c) units.push("n" + i); });
    for (const child of children.get(c)) units.push("c" + child);
    const sub = new Map(), size = new Map();
    for (const u of units) {
      const cid = u[0] === "c" ? +u.slice(1) : null;
      if (cid !== null && !folded.has(cid)) {
        sub.set(u, layoutContainer(cid));
        size.set(u, [sub.get(u).w, sub.get(u).h]);
      } else size.set(u, sizeOf(u));
    }
    const { preds, succs } = unitEdges(units, c);
    const rank = rankUnits(units, preds, succs);
    const cols = orderColumns(units, rank, preds, succs);
    return placeColumns(cols, size, sub, c === -1 ? PAD : PAD + HEADER);
  }

  function unitEdges(units, c) {
    const preds = new Map(units.map((u) => [u, new Set()]));
    const succs = new Map(units.map((u) => [u, new Set()]));
    data.nodes.forEach((node, i) => {
      const v = unitIn(i, c);
      if (v === null) return;
      for (const p of node.in) {
        const u = unitIn(p, c);
        if (u !== null && u !== v) { succs.get(u).add(v); preds.get(v).add(u); }
      }
    });
    return { preds, succs };
  }

  function rankUnits(units, preds, succs) {
    // longest path from the sources (Kahn's order); a unit that uses nothing
    // (a parameter, an input) goes just left of its first user
    const byFirst = (a, b) => first.get(a) - first.get(b);
    const waiting = new Map(units.map((u) => [u, preds.get(u).size]));
    const rank = new Map(units.map((u) => [u, 0]));
    const ready = units.filter((u) => !waiting.get(u)).sort(byFirst);
    const seen = new Set();
    while (ready.length) {
      const u = ready.shift();
      seen.add(u);
      for (const v of succs.get(u)) {
        rank.set(v, Math.max(rank.get(v), rank.get(u) + 1));
        waiting.set(v, waiting.get(v) - 1);
        if (!waiting.get(v)) ready.push(v);
      }
    }
    for (const u of units) if (!seen.has(u)) rank.set(u, 0); // a cycle: cannot happen
    for (const u of units) {
      if (preds.get(u).size || !succs.get(u).size) continue;
      const users = [...succs.get(u)].map((v) => rank.get(v));
      rank.set(u, Math.max(0, Math.min(...users) - 1));
    }
    return rank;
  }

  function orderColumns(units, rank, preds, succs) {
    const n = Math.max(-1, ...units.map((u) => rank.get(u))) + 1;
    const cols = Array.from({ length: n }, () => []);
    units.slice().sort((a, b) => first.get(a) - first.get(b))
      .forEach((u) => cols[rank.get(u)].push(u));
    const pos = new Map();
    const number = () => cols.forEach((col) => col.forEach((u, k) => pos.set(u, k)));
    number();
    const centre = (u, links) => {
      const ps = [...links.get(u)].map((v) => pos.get(v));
      return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : pos.get(u);
    };
    for (let sweep = 0; sweep < 4; sweep++) {
      const links = sweep % 2 ? succs : preds;
      const order = sweep % 2 ? cols.slice().reverse() : cols;
      for (const col of order) {
        const key = new Map(col.map((u) => [u, centre(u, links)]));
        col.sort((a, b) => key.get(a) - key.get(b) || first.get(a) - first.get(b));
        number();
      }
    }
    return cols;
  }

  function placeColumns(cols, size, sub, top) {
    const widths = cols.map((col) => Math.max(0, ...col.map((u) => size.get(u)[0])));
    const heights = cols.map((col) =>
      col.reduce((sum, u) => sum + size.get(u)[1], 0) + GAP_Y * Math.max(0, col.length - 1));
    const tall = Math.max(0, ...heights);
    const items = [];
    let x = PAD;
    cols.forEach((col, r) => {
      let y = top + (tall - heights[r]) / 2;
      for (const u of col) {
        const [w, hgt] = size.get(u);
        items.push({ key: u, x: x + (widths[r] - w) / 2, y, w, h: hgt, sub: sub.get(u) });
        y += hgt + GAP_Y;
      }
      x += widths[r] + GAP_X;
    });
    const w = Math.max(x - GAP_X + PAD, 2 * PAD + 120);
    return { w, h: top + tall + PAD, items };
  }

  const top = layoutContainer(-1);
  const units = new Map(), rects = new Map();
  (function place(layout, dx, dy) {
    for (const it of layout.items) {
      const box = { x: it.x + dx, y: it.y + dy, w: it.w, h: it.h };
      if (it.sub) { rects.set(+it.key.slice(1), box); place(it.sub, box.x, box.y); }
      else units.set(it.key, box);
    }
  })(top, 0, 0);
  const edges = new Map();
  data.nodes.forEach((node, i) => {
    for (const p of node.in) {
      if (rep[p] !== rep[i]) edges.set(rep[p] + ">" + rep[i], [rep[p], rep[i]]);
    }
  });
  return { width: top.w, height: top.h, rep, units, rects, edges: [...edges.values()] };
}
