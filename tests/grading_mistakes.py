"""The mistake catalogue: plausible wrong answers, at least three per exercise.

Each entry is the answer key with one or more replacements (right -> wrong) and
the id of the hint written for that mistake: a failing check must show exactly
that hint (tests/test_mistakes.py). A hint id is either a check's own hint
(the check's name, when the check exists for that mistake) or a hint the checks
show when they recognise the wrong value.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    exercise: str
    name: str
    replacements: tuple[tuple[str, str], ...]
    hint: str


def m(exercise, name, hint, *pairs):
    return Mistake(exercise, name, tuple(pairs), hint)


SIGMOID = "return grad_out * y * (1 - y)"
TANH = "return grad_out * (1 - y * y)"
MATMUL_GRADS = (
    "grad_a = grad_out @ b.swapaxes(-1, -2)\n"
    "        grad_b = a.swapaxes(-1, -2) @ grad_out"
)
ADAM_HATS = "    m_hat = m / (1 - beta1**t)\n    v_hat = v / (1 - beta2**t)"
EMB_ADD = "np.add.at(grad, self.ids.reshape(-1), grad_out.reshape(-1, n_features))"
SOFTMAX_BACK = (
    "return y * (grad_out - (grad_out * y).sum(axis=self.axis, keepdims=True))"
)
SOFTMAX_FWD = (
    "e = xp.exp(x - x.max(axis=axis, keepdims=True))\n"
    "        self.y = e / e.sum(axis=axis, keepdims=True)"
)
TRIL = "np.tril(np.ones((T, T), dtype=bool))"
SPLIT = (
    "x = x.reshape(batch, length, n_heads, d_model // n_heads)  # (B, T, H, D)\n"
    "    return x.transpose(0, 2, 1, 3)  # (B, H, T, D)"
)
MERGE = (
    "x = x.transpose(0, 2, 1, 3)  # (B, T, H, D)\n"
    "    return x.reshape(batch, length, n_heads * d_head)"
)
PE_FILL = "table[:, 0::2] = np.sin(angle)\n    table[:, 1::2] = np.cos(angle[:, : d_model // 2])"
CE_BACK = "return grad_out * (self.p - self.q) / self.p.shape[0]"
CE_Q = (
    "    q = xp.full((target.shape[0], n_classes), eps / n_classes)\n"
    "    q[xp.arange(target.shape[0]), target] += 1 - eps"
)
GREEDY_STOP = (
    "        if word == eos_id:\n            break\n        prefix.append(word)"
)
BEAM_RANK = 'order = np.argsort(-totals, axis=None, kind="stable")[: 2 * beam_size]'
BEAM_PER_ROW = (
    "order = np.concatenate([r * totals.shape[1] + np.argsort(-row, "
    'kind="stable")[:beam_size] for r, row in enumerate(totals)])'
)
BEAM_LEFT = (
    "    else:\n        for prefix, total in beams:\n"
    "            finished.append((total / (len(prefix) - 1) ** length_penalty, prefix[1:]))"
)

# One mistake per entry: exercise, name, hint id, then (right, wrong) replacements.
# fmt: off
CATALOGUE = [
    # ------------------------------------------------------------ sigmoid_tanh_backward
    m('sigmoid_tanh_backward', 'forgets grad_out', 'no_upstream',
      (SIGMOID, 'return y * (1 - y)')),
    m('sigmoid_tanh_backward', 'sign flipped', 'sign',
      (SIGMOID, 'return grad_out * y * (y - 1)')),
    m('sigmoid_tanh_backward', 'σ applied to y again', 'sigma_of_y',
      (SIGMOID, 's = 1 / (1 + 2.718281828459045 ** (-y))\n        return grad_out * s * (1 - s)')),
    m('sigmoid_tanh_backward', "tanh' = 1 - y", 'tanh_one_minus_y',
      (TANH, 'return grad_out * (1 - y)')),
    m('sigmoid_tanh_backward', 'tanh forgets grad_out', 'no_upstream',
      (TANH, 'return 1 - y * y')),
    # ------------------------------------------------------------ matmul_backward
    m('matmul_backward', 'no unbroadcast', 'broadcast_batch',
      ('return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)',
       'return grad_a, grad_b')),
    m('matmul_backward', '.T on stacks', 'batched',
      (MATMUL_GRADS, 'grad_a = grad_out @ b.T\n        grad_b = a.T @ grad_out')),
    m('matmul_backward', 'G transposed times a', 'gt_a',
      ('grad_b = a.swapaxes(-1, -2) @ grad_out', 'grad_b = grad_out.swapaxes(-1, -2) @ a')),
    m('matmul_backward', 'b not transposed', 'two_matrices',
      ('grad_a = grad_out @ b.swapaxes(-1, -2)', 'grad_a = grad_out @ b')),
    # ------------------------------------------------------------ unbroadcast
    m('unbroadcast', 'forgets stretched axes', 'stretched_axes',
      ('    if stretched:', '    if False:')),
    m('unbroadcast', 'forgets new axes', 'new_leading_axes',
      ('    if extra > 0:', '    if False:')),
    m('unbroadcast', 'mean, not sum', 'mean',
      ('grad = grad.sum(axis=tuple(range(extra)))', 'grad = grad.mean(axis=tuple(range(extra)))')),
    m('unbroadcast', 'sums the wrong axes', 'trailing_axes',
      ('grad = grad.sum(axis=tuple(range(extra)))',
       'grad = grad.sum(axis=tuple(range(grad.ndim - extra, grad.ndim)))')),
    # ------------------------------------------------------------ adam_step
    m('adam_step', 'no bias correction', 'no_bias_correction',
      (ADAM_HATS, '    m_hat, v_hat = m, v')),
    m('adam_step', 'no square root', 'no_sqrt',
      ('np.sqrt(v_hat) + eps', 'v_hat + eps')),
    m('adam_step', 'betas swapped', 'betas_swapped',
      ('    beta1, beta2 = betas', '    beta2, beta1 = betas')),
    m('adam_step', 't stuck at 1', 't_fixed',
      (ADAM_HATS, '    m_hat = m / (1 - beta1)\n    v_hat = v / (1 - beta2)')),
    m('adam_step', 'm updated in place', 'in_place',
      ('    m = beta1 * m + (1 - beta1) * grad', '    m *= beta1\n    m += (1 - beta1) * grad')),
    # ------------------------------------------------------------ embedding_backward
    m('embedding_backward', 'grad[ids] += rows', 'drops_repeats',
      (EMB_ADD, 'grad[self.ids.reshape(-1)] += grad_out.reshape(-1, n_features)')),
    m('embedding_backward', 'returns the rows', 'rows_not_table',
      (EMB_ADD + '\n        return grad',
       'return grad_out.reshape(-1, n_features)')),
    m('embedding_backward', 'float64 zeros', 'float32_table',
      ('grad = np.zeros(self.weight_shape, dtype=grad_out.dtype)',
       'grad = np.zeros(self.weight_shape)')),
    m('embedding_backward', 'grad_out not flattened', 'batch_of_sentences',
      ('grad_out.reshape(-1, n_features))', 'grad_out)')),
    # ------------------------------------------------------------ softmax
    m('softmax', 'diagonal of the Jacobian', 'diagonal_only',
      (SOFTMAX_BACK, SIGMOID)),
    m('softmax', 'no subtracted term', 'no_sum_term',
      (SOFTMAX_BACK, 'return grad_out * y')),
    m('softmax', 'no max subtracted', 'no_max',
      ('e = xp.exp(x - x.max(axis=axis, keepdims=True))', 'e = xp.exp(x)')),
    m('softmax', 'axis fixed at -1', 'fixed_axis',
      (SOFTMAX_FWD,
       'e = xp.exp(x - x.max(axis=-1, keepdims=True))\n        self.y = e / e.sum(axis=-1'
       ', keepdims=True)')),
    # ------------------------------------------------------------ scaled_dot_product_attention
    m('scaled_dot_product_attention', 'divides by D', 'divided_by_d',
      ('/ math.sqrt(d)', '/ d')),
    m('scaled_dot_product_attention', 'no scaling', 'not_scaled',
      ('/ math.sqrt(d)', '')),
    m('scaled_dot_product_attention', 'mask not inverted', 'mask_not_inverted',
      ('blocked = ~(mask.data if isinstance(mask, Tensor) else mask)',
       'blocked = mask.data if isinstance(mask, Tensor) else mask')),
    m('scaled_dot_product_attention', 'softmax over queries', 'softmax_over_queries',
      ('weights = scores.softmax(axis=-1)', 'weights = scores.softmax(axis=-2)')),
    # ------------------------------------------------------------ causal_mask
    m('causal_mask', 'upper triangle', 'looks_at_future',
      (TRIL, 'np.triu(np.ones((T, T), dtype=bool))')),
    m('causal_mask', 'shifted by one, diagonal lost', 'shifted_down',
      (TRIL, 'np.tril(np.ones((T, T), dtype=bool), k=-1)')),
    m('causal_mask', 'shifted by one, sees t + 1', 'shifted_up',
      (TRIL, 'np.tril(np.ones((T, T), dtype=bool), k=1)')),
    m('causal_mask', 'padding on the queries', 'padding_on_queries',
      ('.reshape(batch, 1, 1, length)', '.reshape(batch, 1, length, 1)')),
    m('causal_mask', 'padding ignored', 'padding_ignored',
      ('return Tensor(real & causal_mask(length).numpy())',
       'return Tensor(np.broadcast_to(causal_mask(length).numpy(), (batch, 1, length, length)))')),
    # ------------------------------------------------------------ split_merge_heads
    m('split_merge_heads', 'reshape straight to heads', 'straight_reshape',
      (SPLIT, 'return x.reshape(batch, n_heads, length, d_model // n_heads)')),
    m('split_merge_heads', 'merge without transposing', 'merge_without_transpose',
      (MERGE, 'return x.reshape(batch, length, n_heads * d_head)')),
    m('split_merge_heads', 'no divisibility check', 'indivisible_d_model',
      ('if d_model % n_heads != 0:', 'if False:')),
    m('split_merge_heads', 'through NumPy', 'gradients_flow',
      ('x = x.reshape(batch, length, n_heads, d_model // n_heads)',
       'x = Tensor(x.numpy().reshape(batch, length, n_heads, d_model // n_heads))')),
    # ------------------------------------------------------------ positional_encoding
    m('positional_encoding', 'exponent i/d', 'pair_index',
      ('angle = position / 10000.0 ** (two_i / d_model)',
       'angle = position / 10000.0 ** (two_i / 2 / d_model)')),
    m('positional_encoding', "cosine's own exponent", 'own_column_exponent',
      ('table[:, 1::2] = np.cos(angle[:, : d_model // 2])',
       'table[:, 1::2] = np.cos(position / 10000.0 ** (np.arange(1, d_model, 2) / d_model))')),
    m('positional_encoding', 'sin and cos swapped', 'sin_cos_swapped',
      (PE_FILL,
       'table[:, 0::2] = np.cos(angle)\n    table[:, 1::2] = np.sin(angle[:, : d_model // 2])')),
    m('positional_encoding', 'positions from 1', 'positions_from_one',
      ('position = np.arange(max_len)[:, None]', 'position = np.arange(1, max_len + 1)[:, None]')),
    m('positional_encoding', 'table kept float64', 'float32_embeddings',
      ('table = sinusoidal_table(length, d_model).astype(x.dtype)',
       'table = sinusoidal_table(length, d_model)')),
    # ------------------------------------------------------------ layer_norm_backward
    m('layer_norm_backward', 'no path through σ', 'no_sigma_path',
      ('            - x_hat * (g_hat * x_hat).mean(axis=-1, keepdims=True)\n', '')),
    m('layer_norm_backward', 'no path through μ', 'no_mean_path',
      ('            - g_hat.mean(axis=-1, keepdims=True)\n', '')),
    m('layer_norm_backward', 'D - 1', 'd_minus_one',
      ('g_hat.mean(axis=-1, keepdims=True)', 'g_hat.sum(axis=-1, keepdims=True) / (d - 1)'),
      ('(g_hat * x_hat).mean(axis=-1, keepdims=True)',
       '(g_hat * x_hat).sum(axis=-1, keepdims=True) / (d - 1)')),
    m('layer_norm_backward', 'forgets the weight', 'forgot_weight',
      ('g_hat = grad_out * self.weight', 'g_hat = grad_out')),
    m('layer_norm_backward', 'weight gradient without x̂', 'weight_gradient_without_x_hat',
      ('grad_weight = (grad_out * x_hat).reshape(-1, d).sum(axis=0)',
       'grad_weight = grad_out.reshape(-1, d).sum(axis=0)')),
    # ------------------------------------------------------------ cross_entropy_label_smoothing
    m('cross_entropy_label_smoothing', 'no 1/N', 'no_one_over_n',
      (CE_BACK, 'return grad_out * (self.p - self.q)')),
    m('cross_entropy_label_smoothing', 'no grad_out', 'no_upstream',
      (CE_BACK, 'return (self.p - self.q) / self.p.shape[0]')),
    m('cross_entropy_label_smoothing', 'one-hot q in backward', 'one_hot_q',
      ('self.p, self.q = xp.exp(log_p), q.astype(logits.dtype)',
       'self.p = xp.exp(log_p)\n        self.q = smoothed_targets(target, logits.shape[-1'
       '], 0.0).astype(logits.dtype)')),
    m('cross_entropy_label_smoothing', 'ε over the other classes', 'spread_over_others',
      (CE_Q,
       '    q = xp.full((target.shape[0], n_classes), eps / (n_classes - 1))\n    q[xp.ar'
       'ange(target.shape[0]), target] = 1 - eps')),
    m('cross_entropy_label_smoothing', 'no max subtracted', 'no_max',
      ('shifted = logits - logits.max(axis=-1, keepdims=True)', 'shifted = logits')),
    # ------------------------------------------------------------ greedy_decode
    m('greedy_decode', 'last token only', 'last_token_only',
      ('word = int(np.argmax(step_fn(prefix)))', 'word = int(np.argmax(step_fn(prefix[-1:])))')),
    m('greedy_decode', 'keeps BOS', 'kept_bos',
      ('    return prefix[1:]\n    ### END', '    return prefix\n    ### END')),
    m('greedy_decode', 'keeps EOS', 'kept_eos',
      (GREEDY_STOP, '        prefix.append(word)\n        if word == eos_id:\n            break')),
    m('greedy_decode', 'max_len - 1 steps', 'max_len_off_by_one',
      ('for _ in range(max_len):', 'for _ in range(max_len - 1):')),
    # ------------------------------------------------------------ beam_search
    m('beam_search', 'unnormalised scores', 'unnormalised_scores',
      ('finished.append((total / length**length_penalty, prefix[1:]))',
       'finished.append((total, prefix[1:]))')),
    m('beam_search', 'length without EOS', 'length_without_eos',
      ('length = len(prefix)  # the tokens after BOS, plus EOS', 'length = len(prefix) - 1')),
    m('beam_search', 'each beam ranked apart', 'each_beam_apart',
      (BEAM_RANK, BEAM_PER_ROW)),
    m('beam_search', 'EOS outside the beam finishes', 'eos_outside_beam',
      ('if word == eos_id and rank < beam_size:', 'if word == eos_id:')),
    m('beam_search', 'unfinished beams dropped', 'unfinished_at_max_len',
      (BEAM_LEFT, '    else:\n        pass')),
]
# fmt: on
