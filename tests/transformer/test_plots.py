"""Loss curves and attention heatmaps: PNG files with the words and labels a
student needs to read them."""

import numpy as np
import pytest

from transformer.plots import _moving_average, plot_attention, plot_loss_curves

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _history():
    train = [{"step": s, "loss": 5.0 / s} for s in range(1, 41)]
    val = [
        {"step": s, "loss": 4.0 / s, "exact_match": s / 40, "bleu": 2.5 * s}
        for s in (10, 20, 30, 40)
    ]
    return {"train": train, "validation": val}


def test_loss_curves_png_has_both_curves_and_labelled_axes(tmp_path):
    path = tmp_path / "loss.png"
    fig = plot_loss_curves(_history(), path, title="toy run")
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]  # no temp files left
    ax_loss, ax_score = fig.axes
    assert ax_loss.get_xlabel() == "training step"
    assert "cross-entropy" in ax_loss.get_ylabel()
    labels = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert labels == ["training", "validation"]
    val_line = ax_loss.get_lines()[-1]
    np.testing.assert_allclose(val_line.get_ydata(), [0.4, 0.2, 4 / 30, 0.1])
    exact_line = ax_score.get_lines()[0]
    np.testing.assert_allclose(exact_line.get_ydata(), [25.0, 50.0, 75.0, 100.0])


def test_loss_curves_without_validation_still_draw(tmp_path):
    fig = plot_loss_curves({"train": _history()["train"]}, tmp_path / "loss.png")
    assert len(fig.axes[0].get_lines()) == 2  # raw losses and their moving average


def test_attention_heatmap_puts_words_on_both_axes(tmp_path):
    src = ["the", "cat", "sleeps", "</s>"]
    tgt = ["o", "gato", "dorme", "</s>"]
    weights = np.random.default_rng(0).dirichlet(np.ones(4), size=(2, 4))  # (H, Lq, Lk)
    path = tmp_path / "attention.png"
    fig = plot_attention(weights, src, tgt, path, title="cross-attention")
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    shown = [ax for ax in fig.axes if ax.get_visible() and ax.get_images()]
    assert [ax.get_title() for ax in shown] == ["mean of all heads", "head 1", "head 2"]
    for ax in shown:
        assert [t.get_text() for t in ax.get_xticklabels()] == src
        assert [t.get_text() for t in ax.get_yticklabels()] == tgt
    np.testing.assert_allclose(shown[0].get_images()[0].get_array(), weights.mean(0))


def test_attention_heatmap_speaks_portuguese_with_the_glossary_terms(tmp_path):
    src, tgt = ["the", "cat", "</s>"], ["o", "gato", "</s>"]
    weights = np.random.default_rng(1).dirichlet(np.ones(3), size=(2, 3))
    fig = plot_attention(weights, src, tgt, tmp_path / "a.png", lang="pt")
    shown = [ax for ax in fig.axes if ax.get_visible() and ax.get_images()]
    assert [ax.get_title() for ax in shown] == [
        "média de todas as cabeças", "cabeça 1", "cabeça 2"
    ]
    assert {ax.get_xlabel() for ax in shown} == {"palavra de origem (key)"}
    assert {ax.get_ylabel() for ax in shown} == {"palavra escrita (query)"}
    assert fig._suptitle.get_text() == "Atenção cruzada"  # the default title
    colorbar = next(ax for ax in fig.axes if ax not in shown and ax.get_visible())
    assert colorbar.get_ylabel() == "peso de atenção"


def test_a_long_title_is_wrapped_to_the_figure_not_cut_off(tmp_path):
    words = ["maria", "loves", "pizza"]
    title = "Cross-attention of the last decoder layer: " + " ".join(words * 6)
    fig = plot_attention(np.eye(3), words, words, tmp_path / "a.png", title=title)
    lines = fig._suptitle.get_text().split("\n")
    assert len(lines) > 1 and " ".join(lines) == title
    assert max(map(len, lines)) <= fig.get_figwidth() * 72 / (0.55 * 12)


def test_attention_heatmap_in_an_unknown_language_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"plot_attention: lang must be 'en'.*'zh'"):
        plot_attention(np.ones((1, 1)), ["a"], ["b"], tmp_path / "a.png", lang="zh")


def test_attention_heatmap_rejects_weights_that_do_not_fit_the_words(tmp_path):
    with pytest.raises(ValueError, match=r"\(3, 4\) do not match 2 output words x 4"):
        plot_attention(
            np.ones((3, 4)) / 4, list("abcd"), ["o", "x"], tmp_path / "a.png"
        )


def test_moving_average_uses_fewer_values_at_the_start():
    values = np.array([1.0, 3.0, 5.0, 7.0])
    np.testing.assert_allclose(_moving_average(values, window=2), [1.0, 2.0, 4.0, 6.0])


def test_label_smoothing_floor_is_the_entropy_of_the_smoothed_target():
    from transformer.plots import label_smoothing_floor

    eps, v = 0.1, 4
    q = np.full(v, eps / v)
    q[0] += 1 - eps
    assert label_smoothing_floor(eps, v) == pytest.approx(-(q * np.log(q)).sum())
    assert label_smoothing_floor(0.0, v) == 0.0


def test_loss_curves_draw_the_floor_when_given(tmp_path):
    fig = plot_loss_curves(_history(), tmp_path / "loss.png", floor=0.5)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["training", "validation", "lowest possible (label smoothing)"]
