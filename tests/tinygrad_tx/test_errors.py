"""Every bad input named in the engine's issue gets a clear message: the op, the
shapes (devices, dtypes) involved and what to do instead."""

import numpy as np
import pytest

from tinygrad_tx import Tensor, nn, optim
from tinygrad_tx import functional as F
from tinygrad_tx.gradcheck import gradcheck


def t(shape, device="cpu", requires_grad=False):
    return Tensor(
        np.ones(shape, np.float32), requires_grad=requires_grad, device=device
    )


# ------------------------------------------------------------------ shapes


@pytest.mark.parametrize(
    ("op", "pattern"),
    [
        (lambda: t((2, 3)) + t((4,)), r"add on shapes \(2, 3\) and \(4,\)"),
        (lambda: t((2, 3)) - t((2, 2)), r"sub on shapes \(2, 3\) and \(2, 2\)"),
        (lambda: t((2, 3)) * t((3, 2)), r"mul on shapes \(2, 3\) and \(3, 2\)"),
        (lambda: t((2,)) / t((3,)), r"div on shapes \(2,\) and \(3,\)"),
        (lambda: t((2,)).maximum(t((3,))), r"maximum on shapes \(2,\) and \(3,\)"),
        (
            lambda: t((2, 3)) @ t((4, 5)),
            r"matmul: cannot multiply \(2, 3\) by \(4, 5\): inner sizes 3 != 4",
        ),
        (lambda: t((2, 3)) @ t(()), r"matmul: cannot multiply \(2, 3\) by \(\)"),
        (
            lambda: F.linear(t((2, 3)), t((4, 5))),
            r"linear: input of shape \(2, 3\) has 3 features but the weight \(4, 5\) expects 5",
        ),
        (
            lambda: t((2, 3)).reshape(4, 2),
            r"reshape: cannot reshape \(2, 3\) \(6 elements\) into \(4, 2\)",
        ),
        (lambda: t((2, 3)).reshape(4, -1), r"reshape on shapes \(2, 3\)"),
        (lambda: t((2, 3)).broadcast_to(4, 2), r"broadcast_to on shapes \(2, 3\)"),
        (
            lambda: Tensor.cat([t((2, 3)), t((3, 4))], axis=0),
            r"cat on shapes \(2, 3\) and \(3, 4\)",
        ),
        (
            lambda: Tensor.stack([t((2, 3)), t((3, 2))]),
            r"stack on shapes \(2, 3\) and \(3, 2\)",
        ),
        (
            lambda: t((2, 3)).masked_fill(np.ones(2, bool), 0.0),
            r"masked_fill: the mask of shape \(2,\) does not broadcast to "
            r"the tensor's shape \(2, 3\)",
        ),
        (
            lambda: Tensor.where(np.ones(4, bool), t((2, 3)), 0.0),
            r"where on shapes \(2, 3\) and \(\)",
        ),
        (
            lambda: F.layer_norm(t((2, 3)), t((4,))),
            r"layer_norm: weight has shape \(4,\) but the input's last axis has 3 features",
        ),
        (
            lambda: F.cross_entropy(t((4, 5)), [0, 1, 2]),
            r"cross_entropy: logits \(4, 5\) need targets of shape \(4,\) .* got \(3,\)",
        ),
        (
            lambda: t((2, 3)).var(axis=0, ddof=2),
            r"var: 2 elements with ddof=2 leave no degrees of freedom",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_shape_mismatch_names_the_op_and_the_shapes(op, pattern):
    with pytest.raises(ValueError, match=pattern):
        op()


@pytest.mark.parametrize(
    ("op", "pattern"),
    [
        (
            lambda: t((2, 3)).sum(axis=2),
            r"sum on shapes \(2, 3\): axis 2 is out of range for 2 axes",
        ),
        (
            lambda: t((2, 3)).transpose(0, 5),
            r"transpose: axis 5 is out of range for 2 axes",
        ),
        (
            lambda: t((2, 3)).transpose(0, 0),
            r"transpose: axes \(0, 0\) are not a permutation",
        ),
        (lambda: t((2, 3)).swapaxes(0, 2), r"swapaxes: axis 2 is out of range"),
        (
            lambda: t((2, 3)).unsqueeze(4),
            r"unsqueeze: axis 4 is out of range for 3 axes",
        ),
    ],
)
def test_bad_axis(op, pattern):
    with pytest.raises((IndexError, ValueError), match=pattern):
        op()


# ------------------------------------------------------------------ indices


@pytest.mark.parametrize(
    ("index", "pattern"),
    [
        (
            3,
            r"getitem: index 3 is out of range for axis 0 of size 3 \(valid: -3..2\)",
        ),
        ((0, -5), r"index -5 is out of range for axis 1 of size 4"),
        (np.array([0, 7]), r"index 7 is out of range for axis 0 of size 3"),
        ([1, -4], r"index -4 is out of range for axis 0"),
        ((slice(None), [4]), r"index 4 is out of range for axis 1 of size 4"),
        ((0, 0, 0), r"getitem: too many indices .* \(the tensor has shape \(3, 4\)\)"),
    ],
    ids=["int", "negative", "array", "list", "after_slice", "too_many"],
)
def test_index_out_of_range(index, pattern, device):
    x = Tensor(np.zeros((3, 4)), requires_grad=True, device=device)
    with pytest.raises(IndexError, match=pattern):
        x[index]


def test_embedding_and_cross_entropy_ids_out_of_range(device):
    weight = Tensor(np.zeros((5, 2)), requires_grad=True, device=device)
    with pytest.raises(
        IndexError,
        match=r"embedding: token id 5 is out of range for a table of 5 rows \(valid: 0..4\)",
    ):
        F.embedding([1, 5], weight)
    with pytest.raises(IndexError, match=r"embedding: token id -1 is out of range"):
        F.embedding([-1], weight)
    logits = Tensor(np.zeros((2, 3)), device=device)
    with pytest.raises(
        IndexError,
        match=r"cross_entropy: target class 3 is out of range for 3 classes "
        r"\(valid: 0..2, or -100 to ignore\)",
    ):
        F.cross_entropy(logits, [3, -100], ignore_index=-100)


def test_ids_and_targets_must_be_integers():
    with pytest.raises(
        TypeError, match="embedding: token ids must be integers, got dtype float32"
    ):
        F.embedding(Tensor([0.0, 1.0]), t((3, 2)))
    with pytest.raises(
        TypeError, match="cross_entropy: targets must be integer class ids"
    ):
        F.cross_entropy(t((2, 3)), Tensor([0.0, 1.0]))


# ------------------------------------------------------------------ backward


def test_backward_on_a_non_scalar_needs_a_gradient(device):
    y = t((2, 3), device, requires_grad=True) * 2
    with pytest.raises(
        RuntimeError,
        match=r"implied only for a scalar, but this tensor has shape \(2, 3\); "
        r"reduce it first \(.sum\(\) or .mean\(\)\) or pass grad= with shape \(2, 3\)",
    ):
        y.backward()


def test_backward_gradient_of_the_wrong_shape(device):
    y = t((2, 3), device, requires_grad=True) * 2
    with pytest.raises(
        ValueError,
        match=r"backward: grad has shape \(3,\) but the tensor has shape \(2, 3\)",
    ):
        y.backward(np.ones(3))


def test_backward_on_a_tensor_without_graph(device):
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        t((), device).backward()


def test_backward_twice_through_a_released_graph(device):
    x = t((2,), device, requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(
        RuntimeError,
        match=r"graph through .* was already freed by an earlier backward\(\); "
        r"call backward\(retain_graph=True\)",
    ):
        loss.backward()


# ------------------------------------------------------------------ dtypes


@pytest.mark.parametrize(
    "make",
    [
        lambda: Tensor([1, 2, 3], requires_grad=True),
        lambda: Tensor(np.arange(3), requires_grad=True),
        lambda: nn.Parameter(np.arange(3)),
        lambda: Tensor([True, False]).requires_grad_(),
    ],
    ids=["int_list", "int_array", "parameter", "bool"],
)
def test_integer_tensors_cannot_require_grad(make):
    with pytest.raises(
        TypeError,
        match=r"requires_grad=True needs a floating-point tensor, but this one is "
        r"(int64|bool).*\.float\(\)",
    ):
        make()


@pytest.mark.parametrize("data", [[[1, 2], [3]], "text", None, {"a": 1}], ids=repr)
def test_data_that_is_not_numbers(data):
    with pytest.raises(
        TypeError, match=r"cannot make a tensor from .* expected a number"
    ):
        Tensor(data)


def test_masks_must_be_boolean():
    with pytest.raises(
        TypeError,
        match=r"masked_fill: the mask must be boolean, got dtype int64 \(compare to make one",
    ):
        t((2,)).masked_fill(np.array([1, 0]), 0.0)
    with pytest.raises(TypeError, match="where: the mask must be boolean"):
        Tensor.where(np.array([1.0, 0.0]), t((2,)), 0.0)
    with pytest.raises(TypeError, match="where: x or y must be a Tensor"):
        Tensor.where(np.array([True]), 1.0, 0.0)


def test_item_of_a_many_element_tensor():
    with pytest.raises(
        ValueError,
        match=r"item: only a one-element tensor has an item; shape is \(2, 3\)",
    ):
        t((2, 3)).item()


def test_cat_needs_tensors():
    with pytest.raises(TypeError, match="cat: expected a non-empty list of Tensors"):
        Tensor.cat([])


# ------------------------------------------------------------------ nn, optim, functional options


def test_load_state_dict_mismatches():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    state = model.state_dict()
    del state["2.bias"]
    state["extra.weight"] = np.zeros(1)
    with pytest.raises(
        KeyError, match=r"missing 2.bias; unexpected extra.weight \(strict=False loads"
    ):
        model.load_state_dict(state)
    with pytest.raises(nn.StateDictError, match=r"missing 2\.bias"):
        model.load_state_dict(state)  # also a ValueError: the state is wrong
    state = model.state_dict()
    state["0.weight"] = np.zeros((2, 3))
    with pytest.raises(
        ValueError,
        match=r"load_state_dict: 0.weight has shape \(2, 3\) in the state but "
        r"\(3, 2\) in the model",
    ):
        model.load_state_dict(state)


@pytest.mark.parametrize(
    ("make", "error", "pattern"),
    [
        (
            lambda: optim.SGD([], lr=0.1),
            ValueError,
            "SGD: got an empty list of parameters",
        ),
        (
            lambda: optim.SGD([t((2,))], lr=0.1),
            TypeError,
            r"SGD: expected tensors with requires_grad=True",
        ),
        (
            lambda: optim.Adam(nn.Linear(2, 2).named_parameters()),
            TypeError,
            r"Adam: expected tensors .* got tuple",
        ),
        (
            lambda: optim.SGD([nn.Parameter([1.0])] * 2),
            ValueError,
            r"SGD: a parameter appears twice in the list \(a shared weight\?\)",
        ),
        (
            lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr=-1),
            ValueError,
            "SGD: lr must be a finite number >= 0, got -1",
        ),
        (
            lambda: optim.SGD(nn.Linear(2, 2).parameters(), lr=float("nan")),
            ValueError,
            "SGD: lr must be a finite number >= 0, got nan",
        ),
        (
            lambda: optim.Adam(nn.Linear(2, 2).parameters(), lr=float("nan")),
            ValueError,
            "Adam: lr must be a finite number >= 0, got nan",
        ),
        (
            lambda: optim.AdamW(nn.Linear(2, 2).parameters(), lr=float("inf")),
            ValueError,
            "AdamW: lr must be a finite number >= 0, got inf",
        ),
        (
            lambda: optim.SGD(nn.Linear(2, 2).parameters(), momentum=float("nan")),
            ValueError,
            "SGD: momentum must be a finite number >= 0, got nan",
        ),
        (
            lambda: optim.Adam(nn.Linear(2, 2).parameters(), eps=float("nan")),
            ValueError,
            "Adam: eps must be a finite number >= 0, got nan",
        ),
        (
            lambda: optim.Adam(nn.Linear(2, 2).parameters(), betas=(0.9, 1.0)),
            ValueError,
            r"Adam: betas\[1\] must be in \[0, 1\), got 1.0",
        ),
        (
            lambda: optim.NoamSchedule(
                optim.SGD(nn.Linear(2, 2).parameters()), 512, warmup=0
            ),
            ValueError,
            "warmup must be >= 1",
        ),
        (
            lambda: nn.Dropout(1.0),
            ValueError,
            r"Dropout: p must be in \[0, 1\), got 1.0",
        ),
        (
            lambda: F.dropout(t((2,)), p=-0.1),
            ValueError,
            r"dropout: p must be in \[0, 1\)",
        ),
        (
            lambda: F.cross_entropy(t((2, 3)), [0, 1], label_smoothing=1.0),
            ValueError,
            r"label_smoothing must be in \[0, 1\)",
        ),
        (
            lambda: F.cross_entropy(t((2, 3)), [0, 1], reduction="avg"),
            ValueError,
            "reduction must be 'mean', 'sum' or 'none', got 'avg'",
        ),
        (
            lambda: nn.ModuleList([nn.ReLU()])[3],
            IndexError,
            "ModuleList: index 3 out of range for 1 modules",
        ),
        (
            lambda: nn.init.xavier_uniform_(t((3,))),
            ValueError,
            r"init: fan-in and fan-out need at least 2 axes, got shape \(3,\)",
        ),
        (
            lambda: gradcheck(lambda x: 3.0, [t((2,))]),
            TypeError,
            "gradcheck: fn must return a Tensor, got float",
        ),
        (
            lambda: gradcheck(lambda x: x.detach() * 2, [t((2,))]),
            ValueError,
            "does not depend on any checked input",
        ),
    ],
)
def test_bad_arguments(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
