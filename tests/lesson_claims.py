"""What each lesson must show, read from the numbers it saved (results.json),
and the files it must write. tests/test_lessons.py runs the lessons and calls
these: each lesson also asserts its claims itself, in its check cells, but a
lesson whose checks were weakened or removed still fails here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

# ---------------------------------------------------------------- each lesson's claims


def check_00(r):
    assert r["p_count"]["legal"] == 0.6 and r["p_count"]["abacaxi"] == 0.0
    assert 0 < r["p_add_one"]["abacaxi"] < r["p_add_one"]["legal"] < 0.6
    for shares in r["unseen_share"].values():
        assert shares == sorted(shares) and shares[0] < 0.01
    assert min(shares[4] for shares in r["unseen_share"].values()) > 0.5
    a, b = r["unigram_same"]
    assert a == pytest.approx(b, rel=1e-12) and a > 0
    assert r["dela_distance"] == 11 and r["fast_weights_gap"] < 1e-12
    distances = r["path_distances"]
    assert r["paths"]["cnn"] == [math.ceil(d / 2) for d in distances]
    assert r["paths"]["dilated"] == [math.ceil(math.log2(d + 1)) for d in distances]
    assert r["deu_one_head_gap"] < 1e-12 < 1.0 < r["deu_three_heads_gap"]


def check_01(r):
    assert r["rnn_steps_per_word"] == 4
    assert all(row["rnn_steps"] == 4 * row["length"] for row in r["rows"])
    assert len({row["attention_steps"] for row in r["rows"]}) == 1
    assert len({row["attention_path"] for row in r["rows"]}) == 1
    assert r["rnn_grad_shrink"] > 1e6
    # tanh bounds the state, not the gradient: with W_h x 3 it explodes, then NaN
    exploding = r["rnn_x3_grad"]
    assert exploding["8"] > 10 * r["rows"][0]["rnn_first_word_grad"]
    assert r["rnn_x3_growth"] > 1e6
    assert math.isnan(exploding["1024"])


def check_02(r):
    assert r["o"] == pytest.approx(1 / np.sqrt(2), rel=1e-6)
    expected = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    for name, value in expected.items():
        assert r["grads_by_hand"][name] == pytest.approx(value, abs=1e-6)
        assert r["grads_by_engine"][name] == pytest.approx(value, abs=1e-6)


def check_03(r):
    assert r["gradcheck_ok"] and r["wrong_backward_caught"]
    assert "gradcheck failed" in r["wrong_backward_message"]
    assert "(4,)" in r["shape_error"]
    assert r["best_error"]["float64"] < 1e-9 < 1e-6 < r["best_error"]["float32"]


def check_04(r):
    loss = r["final_loss"]
    sgd = loss["SGD (lr 0.1)"]
    assert loss["Adam (lr 0.02)"] < sgd and loss["SGD + momentum 0.9 (lr 0.1)"] < sgd
    assert all(value < 0.5 * r["first_loss"] for value in loss.values())
    assert max(r["test_accuracy"].values()) > 0.95


def check_05(r):
    assert r["abandon_id"] == 9
    assert r["embedding_init_std"] == pytest.approx(1.0, abs=0.01)  # N(0, 1)
    assert r["xavier_bound"] == pytest.approx(math.sqrt(6 / 10_512))  # "small"
    assert r["castelo_coroa_together"] == 0  # they never meet in the corpus
    assert r["cos_castelo_coroa"] > r["cos_castelo_aviao"] + 0.3
    assert r["cos_aviao_chinelo"] > r["cos_coroa_chinelo"] + 0.3
    assert r["mean_cos_within"] > r["mean_cos_across"] + 0.4
    assert r["final_loss"] < r["loss_floor"] + 0.05


def check_06(r):
    np.testing.assert_allclose(
        r["table_products"], [6.0, 6.8, 7.5, 6.0, 4.0], rtol=1e-6
    )
    assert r["table_sum"] == pytest.approx(30.3)
    assert r["table_weight_sum"] == pytest.approx(7.0)  # the slide's weights
    assert r["table_weighted_average"] == pytest.approx(30.3 / 7.0)
    # "Manga da minha camiseta": manga and camiseta share the weight, e²/(2e² + 2e^0.2)
    share = math.exp(2) / (2 * math.exp(2) + 2 * math.exp(0.2))
    np.testing.assert_allclose(
        r["slide_sentence_weights"], [share, 0.5 - share, 0.5 - share, share], rtol=1e-6
    )
    fruit, clothing = r["manga_sleeve"]
    assert clothing > fruit
    fruit, clothing = r["manga_mango"]
    assert fruit > clothing


def check_07(r):
    np.testing.assert_allclose(r["scores"], [112.0, 96.0])
    np.testing.assert_allclose(r["scaled_scores"], [14.0, 12.0])
    assert [round(w, 2) for w in r["weights"]] == [0.88, 0.12]
    assert [round(w, 2) for w in r["library_weights"]] == [0.88, 0.12]
    biggest = r["saturation"][-1]
    assert biggest["unscaled_max_weight"] > 0.9 > 0.5 > biggest["scaled_max_weight"]
    assert biggest["unscaled_grad"] < 0.25 * r["saturation"][0]["unscaled_grad"]
    scaled_grads = [row["scaled_grad"] for row in r["saturation"]]
    assert max(scaled_grads) < 1.2 * min(scaled_grads)  # the gradient stays alive
    # no overflow to blame: naive exp(1000) is inf -> NaN; the library's softmax is finite
    assert all(math.isnan(w) for w in r["naive_softmax_of_1000_990"])
    expected = 1 / (1 + math.exp(10))
    assert r["softmax_of_1000_990"][1] == pytest.approx(expected, rel=1e-5)


def check_08(r):
    assert r["names_per_sentence"] == [2]  # so a guess between them is right 50%
    assert 0.45 < r["always_woman_accuracy"] < 0.55
    assert r["test_accuracy"] > 0.95
    assert r["shuffled_logit_gap"] < 1e-4  # no positions: moving a name changes nothing
    assert r["predictions"] == {"dela": "ana", "dele": "pedro"}
    assert r["dela_weight_on_ana"] > 0.9 and r["dele_weight_on_pedro"] > 0.9


def check_09(r):
    assert r["max_masked_weight"] == 0.0
    assert all(w == 0.0 for w in r["masked_weights_above_diagonal"])
    leak, causal = r["accuracy"]["leaking"], r["accuracy"]["causal"]
    assert leak["training"] > 0.85 and leak["training"] > 2 * causal["training"]
    assert leak["training"] - leak["generation"] > 0.5
    assert causal["training"] == pytest.approx(causal["generation"], abs=1e-12)
    assert r["weight_on_next_position"]["causal"] == 0.0
    assert r["weight_on_next_position"]["leaking"] > 0.5
    # the slide's "O gato <?> feliz": the causal guess depends on "o gato" only
    assert len(r["gap_futures"]) == 2
    assert r["gap_causal_shift"] < 1e-5 and r["gap_leaking_shift"] > 0.3
    assert r["gap_causal_top_p"] < 0.5  # it cannot know the gap: no word is sure


def check_10(r):
    assert len(set(r["parameters_by_heads"].values())) == 1
    one, two = r["results"]["1"], r["results"]["2"]
    assert two["both_accuracy"] > 0.95 and one["both_accuracy"] < 0.75
    assert max(two["weight_on_previous"]) > 0.5 and max(two["weight_on_next"]) > 0.5
    # the slides' "sum over heads" is Concat(heads) W_O, to float32 rounding
    assert r["module_vs_loop"] < 1e-5 and r["sum_over_heads_gap"] < 1e-5
    # four heads: a clear head per direction; the spare ones repeat part of it
    four, roles = r["results"]["4"], r["four_heads"]
    assert four["both_accuracy"] > 0.95 and roles["back"] != roles["forward"]
    assert four["weight_on_previous"][roles["back"] - 1] > 0.5
    assert four["weight_on_next"][roles["forward"] - 1] > 0.5
    spare = roles["spare_weight_on_neighbours"].values()
    assert min(spare) > 2 / 8 + 0.05  # more than an even spread over 8 positions
    assert max(spare) < min(roles["main_weight_on_neighbours"])


def check_11(r):
    assert r["permutation_gap_without_positions"] < 1e-5
    assert max(r["random_permutation_gaps"]) < 1e-5
    assert r["cat_difference_without_positions"] < 1e-5
    assert r["permutation_gap_with_positions"] > 0.1
    assert r["rotation_error"] < 1e-10
    assert r["nearest_positions_distance"] > 0.1  # the slides' "posição única"
    assert r["peak_dot"] == pytest.approx(32.0)  # d_model / 2 for d_model = 64
    assert r["added_is_the_table"] < 1e-5


def check_12(r):
    assert all(
        change == 0.0 for i, change in enumerate(r["ffn_change_per_position"]) if i != 3
    )
    assert r["plain_last_over_first"] > 1e3
    assert r["residual_max_over_min"] < 10
    runs = r["norm_runs"]
    assert (
        runs["pre-norm,  lr 1e-2"]["accuracy"]
        > runs["post-norm, lr 1e-2"]["accuracy"] + 0.3
    )
    # what the check cell says: near chance, close at a low rate, no rescue
    pre_hi = runs["pre-norm,  lr 1e-2"]["accuracy"]
    assert runs["post-norm, lr 1e-2"]["accuracy"] < 0.2 < 0.8 < pre_hi
    low = [runs[n]["accuracy"] for n in ("post-norm, lr 1e-3", "pre-norm,  lr 1e-3")]
    assert abs(low[0] - low[1]) < 0.1 and max(low) < pre_hi - 0.3
    warm = [v for n, v in runs.items() if "warm-up" in n]
    assert len(warm) == 1 and warm[0]["accuracy"] < pre_hi - 0.3


def check_13(r):
    assert r["shapes"]["cross-attention"] == [2, 4, 7, 6]
    assert r["shapes"]["decoder self-attention"] == [2, 4, 7, 7]
    assert r["base_parameters"] == 63_119_496  # DESIGN.md: the base config, 63.12M
    assert r["future_effect_on_earlier"] == 0.0
    assert r["max_weight_on_padding"] == 0.0
    assert r["source_effect_min"] > 0
    assert r["token_accuracy"] > 0.95 and r["weight_on_mirror"] > 0.4


def check_14(r):
    # the fast setting never reads runs/toy-translation: it trains its own model
    # (or reuses the one it trained with the same settings, from the other language)
    assert r["run_is_own"]
    # the slides' walkthrough: 1 - p (0.9, 0.8) beside cross-entropy, -ln p
    np.testing.assert_allclose(r["slide_one_minus_p"], [0.9, 0.8])
    assert [round(x, 3) for x in r["slide_cross_entropy"]] == [2.303, 1.609]
    assert r["paper_peak_lr"] == pytest.approx(512**-0.5 * 4000**-0.5, rel=1e-12)
    assert r["clip_norm"] == 1.0  # the course's choice; the paper does not clip
    assert r["train_loss_last"] < 0.6 * r["train_loss_first"]
    assert r["train_loss_last"] > r["run_label_smoothing_floor"]  # the floor holds
    assert r["sentence_loss_after"] < 0.25 * r["sentence_loss_before"]
    assert all(
        a < b for a, b in zip(r["loss_after_per_token"], r["loss_before_per_token"])
    )
    assert r["prefix_gap"] < 1e-4


def check_15(r):
    # the slide's output layer at its real sizes: 10,000 x 512 weights, 10,000 biases
    assert r["output_layer_weights"] == 5_120_000 and r["output_layer_biases"] == 10_000
    # the loop by hand is greedy decoding; no claim on what a retrained model writes
    assert r["greedy_by_hand"] == r["greedy_library"]
    assert r["steps"][-1]["word"] == "</s>"
    assert len(r["steps"]) == len(r["greedy_by_hand"].split()) + 1
    assert r["largest_p"] < 0.999
    assert r["beam_not_worse_share"] >= 0.95
    swapped = {"leão": "lion", "marrom": "brown", "vacas": "cows", "pequenas": "small"}
    assert r["looked_at"] == r["expected"] == swapped
    # unknown words: copied where the cross-attention of each <unk> points
    unknown = r["unknown"]
    assert unknown["by_hand"] == unknown["library"]
    assert unknown["copied"] == ["Maria", "pizza"]  # "Maria loves pizza.", in order
    assert unknown["copied_by_largest_weight"] and min(unknown["copy_weights"]) > 0.5
    assert r["training_pairs_with_unk"] == r["unk_same_count_both_sides"] > 0
    assert r["typical_n"] == 10 and r["typical_in_place"] >= 8
    assert r["typical_right"] >= 7


def check_16(r):
    assert r["entries_2048"] == 4_194_304
    assert r["gpt"]["GPT-3"]["entries"] == 4_194_304
    assert r["gpt"]["GPT-4 (32k)"]["entries"] == 32_768**2
    assert 1.8 < r["exponents"]["fused_peak_mib"] < 2.2
    assert 1.8 < r["exponents"]["composed_peak_mib"] < 2.2
    # FLOPs counted in the graph: exactly 12 L^2 D, exponent 2 (no timing asserted)
    D = r["head_size"]
    for row in r["rows"]:
        assert round(row["gflop"] * 1e9) == 12 * row["length"] ** 2 * D, row
    assert r["exponents"]["gflop"] == pytest.approx(2.0, abs=1e-9)
    # length generalisation: past the longest training sentence, the model fails
    exact, longest = r["exact_by_source_length"], r["longest_training_source"]
    first = min(int(n) for n in exact["length"])
    assert max(int(n) for n in exact["test"]) <= longest < first
    assert r["length_exact"] < r["test_exact"] - 0.2
    shorter, within = r["length_shorter"], r["length_shorter_within_longest_target"]
    assert shorter >= 5 and within >= 0.8 * shorter
    need = r["length_need_longer_than_training"]
    assert need >= 10
    assert r["length_need_longer_right"] / need < 0.5 * r["length_rest_exact"]
    assert r["pe_step_spread"] < 1e-4


CHECKS = {int(n[6:]): f for n, f in globals().items() if n.startswith("check_")}
FILES = {  # besides results.json
    0: ["ngram_sparsity.png", "path_length.png", "deu_heads.png"],
    1: ["rnn_vs_attention.png"],
    2: [],
    3: ["finite_difference_error.png"],
    4: ["decision_boundaries.png"],
    5: ["embedding_similarity.png"],
    6: ["manga_in_context.png"],
    7: ["softmax_saturation.png"],
    8: ["pronoun_attention.png"],
    9: ["causal_vs_leaking.png"],
    10: ["heads.png"],
    11: ["positional_encoding.png"],
    12: ["residual_gradient_norms.png", "post_vs_pre_norm.png"],
    13: ["cross_attention_reversal.png"],
    14: ["training.png", "run/model.safetensors", "run/metrics.json"],
    15: ["cross_attention.png", "unknown_words.png"],
    16: ["context_length.png", "length_generalisation.png"],
}
# Computation graphs: NAME.png with Graphviz's dot, NAME.dot (the source) without.
GRAPHS = {2: ["neuron"], 12: ["residual_gradients"], 13: ["transformer_step"]}
# Interactive pages a lesson shows inline (a text/html output in the notebook).
PAGES = {
    2: ["show_graph_page"],
    7: ["show_example_page"],
    13: ["show_example_page"],
    15: ["show_attention_page"],
}
