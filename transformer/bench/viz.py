"""`python cli.py bench viz`: how long drawing a Transformer training step takes.

The target: the full graph of the toy Transformer's training step (forward,
label-smoothed cross-entropy, backward) drawn to DOT source in under 2 seconds.
"Drawn" means everything draw_graph does (walk the graph, place every node in
its module cluster, build every label) plus producing the DOT text. Graphviz's
own layout (`dot`), which a reader waits for too, is timed apart: it is not ours.

Graphs measured, from small to large:
  toy                   the toy preset as trained (fused attention and layer ops)
  toy, composed         the same with attention spelled out op by op
  6 layers, composed    the paper's depth (N = 6) at toy width, composed
  12 layers, composed   a stress case twice that deep
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

TARGET_S = 2.0

CASES = {
    "toy": {},
    "toy, composed": {"fused_ops": False},
    "6 layers, composed": {"fused_ops": False, "n_layers": 6},
    "12 layers, composed": {"fused_ops": False, "n_layers": 12},
}


@dataclass
class VizBenchRow:
    case: str
    nodes: int  # tensors + ops of the full drawing
    edges: int
    dot_s: float  # draw_graph(...).source, everything expanded (best of repeats)
    compact_s: float  # the same with compact=True
    text_s: float  # graph_text (print_graph's tree)
    depth2_s: float  # draw_graph at depth 2 (folded)
    layout_s: float | None  # Graphviz `dot -Tsvg` on the depth-2 drawing


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run_viz_bench(
    repeats: int = 3, device: str = "cpu", echo=print
) -> list[VizBenchRow]:
    from transformer.config import TransformerConfig
    from transformer.graph_examples import transformer_step

    rows = []
    for case, overrides in CASES.items():
        echo(f"building the training step graph: {case} ...")
        config = TransformerConfig.preset("toy", **overrides).to_dict()
        rows.append(_measure(case, transformer_step(device, config=config), repeats))
    return rows


def _measure(case: str, loss, repeats: int) -> VizBenchRow:
    from tinygrad_tx.viz import draw_graph, graph_text

    everything = 10**9  # max_nodes: never fold
    full = draw_graph(loss, max_nodes=everything)
    folded = draw_graph(loss, depth=2)
    layout = None
    if shutil.which("dot"):
        layout = _best(lambda: folded.pipe(format="svg"), 1)
    return VizBenchRow(
        case=case,
        nodes=full.n_nodes,
        edges=full.source.count(" -> "),
        dot_s=_best(lambda: draw_graph(loss, max_nodes=everything).source, repeats),
        compact_s=_best(
            lambda: draw_graph(loss, max_nodes=everything, compact=True).source,
            repeats,
        ),
        text_s=_best(lambda: graph_text(loss, max_nodes=everything), repeats),
        depth2_s=_best(lambda: draw_graph(loss, depth=2).source, repeats),
        layout_s=layout,
    )


def report_lines(rows: list[VizBenchRow], repeats: int) -> list[str]:
    lines = [
        f"draw_graph -> DOT source, best of {repeats} (seconds); target for the "
        f"full toy step: < {TARGET_S:g} s",
        "",
        f"{'graph':<22}{'nodes':>7}{'edges':>7}{'full DOT':>10}{'compact':>9}"
        f"{'text':>8}{'depth 2':>9}{'dot layout':>12}",
    ]
    for r in rows:
        layout = f"{r.layout_s:.3f}" if r.layout_s is not None else "no dot"
        lines.append(
            f"{r.case:<22}{r.nodes:>7,}{r.edges:>7,}{r.dot_s:>10.3f}{r.compact_s:>9.3f}"
            f"{r.text_s:>8.3f}{r.depth2_s:>9.3f}{layout:>12}"
        )
    toy = rows[0]
    verdict = "met" if toy.dot_s < TARGET_S else "NOT met"
    lines += [
        "",
        f"toy training step: {toy.nodes:,} nodes to DOT in {toy.dot_s:.3f} s, "
        f"{TARGET_S / toy.dot_s:.0f}x under the {TARGET_S:g} s target ({verdict})",
        f"largest: {rows[-1].nodes:,} nodes in {rows[-1].dot_s:.3f} s "
        f"({rows[-1].nodes / rows[-1].dot_s:,.0f} nodes/s)",
        "dot layout = Graphviz's own time to lay out the depth-2 drawing as SVG",
    ]
    return lines
