"""What one digit costs, and which pixels and weights that cost depends on.

For one training input x with label y (the digit it should be), the network answers with
ten outputs a = (a_0, ..., a_9). The desired output y(x) is "one-hot": 1.0 for the
label, 0.0 for the nine others. The book's quadratic cost of this one example is

    C_x = 1/2 ||y(x) - a||^2 = 1/2 sum_j (a_j - y_j)^2,

and the cost of the whole training set is the mean of the C_x (the book's equation 6).
3Blue1Brown's video adds up the same squares without the 1/2; ``digit_cost`` gives both,
with the ten squares (a_j - y_j)^2 themselves, so a table can show where the cost comes
from: a confident wrong answer costs almost 1, a right but timid one costs a little.

Gradient descent needs the derivative of this cost. Backpropagation gives it for every
weight and bias; ``digit_gradients`` takes it one step further, to the input itself:

* **which pixels matter**: dC_x/dx, 784 numbers, one per pixel. A pixel with a large
  positive derivative makes the cost grow when it gets brighter, so the network would be
  happier if it were darker; negative: it wants more ink there. Drawn on the 28x28 grid
  this is a "saliency map" of the digit.
* **which weights matter**: dC_x/dw for the first layer's weights. Weight w_jk, from pixel
  k to hidden unit j, has derivative delta_j x_k (the book's BP4): only pixels with ink
  (x_k > 0) give their weights a gradient, and only units with an error delta_j do.
  |dC_x/dw| can be drawn on the unit pictures (784 per unit), and its sum per unit says
  which units this one digit would move most.

The gradients use the network's own cost (quadratic or cross-entropy, whichever it was
trained with) unless ``cost="quadratic"`` asks for the book's chapter-1 cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.costs import get_cost
from engine.network import Network


def as_input(net: Network, x) -> np.ndarray:
    """``x`` as one input of the network: a 1-D array of its dtype, checked.

    An MNIST image may be given flat (784,) or as a 28x28 picture.
    """
    a = np.asarray(x)
    if a.size != net.sizes[0] or a.ndim not in (1, 2):
        raise ValueError(f"the network takes {net.sizes[0]} input values (one image), got an "
                         f"array of shape {a.shape}")
    if a.dtype.kind not in "biuf":
        raise ValueError(f"an input holds numbers, got {a.dtype}")
    a = a.astype(net.dtype, copy=False).reshape(-1)
    if not np.all(np.isfinite(a)):
        raise ValueError("an input's values must be finite numbers")
    return a


def check_label(net: Network, label) -> int:
    """``label`` as an int, checked against the number of outputs."""
    n = net.sizes[-1]
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)) \
            or not 0 <= label < n:
        raise ValueError(f"a label is a whole number from 0 to {n - 1}, got {label!r}")
    return int(label)


@dataclass(frozen=True)
class DigitCost:
    """The cost of one input: every number of the book's C_x = 1/2 ||y - a||^2."""

    outputs: np.ndarray          # a, the ten outputs (n_out,)
    label: int                   # the digit the cost is measured against
    guess: int                   # the network's answer, argmax a
    target: np.ndarray           # y, one-hot (n_out,)
    squared_errors: np.ndarray   # (a_j - y_j)^2 for each output (n_out,)
    sum_squared: float           # sum_j (a_j - y_j)^2: 3Blue1Brown's cost of one example
    cost: float                  # 1/2 of that: the book's quadratic C_x
    network_cost: float          # C_x in the network's own cost (= cost when quadratic)
    network_cost_name: str       # "quadratic" or "cross-entropy"


def digit_cost(net: Network, x, label=None) -> DigitCost:
    """What the input ``x`` costs when its right answer is ``label``.

    ``label=None`` takes the network's top guess (then the cost measures how far the
    network is from being sure of its own answer). Works in float64 for the table.
    """
    x = as_input(net, x)
    a = np.asarray(net.feedforward(x), dtype=np.float64)
    guess = int(np.argmax(a))
    label = guess if label is None else check_label(net, label)
    y = np.zeros_like(a)
    y[label] = 1.0
    squares = (a - y) ** 2
    total = float(squares.sum())
    own = float(net.cost.total(a[None, :], y[None, :]))
    return DigitCost(a, label, guess, y, squares, total, 0.5 * total, own, net.cost.name)


@dataclass(frozen=True)
class DigitGradients:
    """The derivatives of one input's cost C_x (see the module's docstring)."""

    cost_name: str               # the cost differentiated: "quadratic" or "cross-entropy"
    cost: float                  # C_x in that cost
    label: int
    outputs: np.ndarray          # a (n_out,)
    input: np.ndarray            # dC_x/dx, one per pixel (n_in,)
    nabla_w: list = field(repr=False)   # dC_x/dw per layer, shaped like net.weights
    nabla_b: list = field(repr=False)   # dC_x/db per layer, shaped like net.biases

    @property
    def first_layer_weights(self) -> np.ndarray:
        """|dC_x/dw| of the first layer, (n_units, n_in): row j drawn on unit j's picture."""
        return np.abs(self.nabla_w[0])

    @property
    def unit_totals(self) -> np.ndarray:
        """sum_k |dC_x/dw_jk| for each first-layer unit j (n_units,): how much this digit
        pulls on each unit's incoming weights."""
        return np.abs(self.nabla_w[0]).sum(axis=1)


def digit_gradients(net: Network, x, label=None, cost: str | None = None) -> DigitGradients:
    """Backpropagate one input's cost all the way to the input pixels.

    ``label=None`` takes the top guess; ``cost`` is None for the network's own cost or
    "quadratic" / "cross-entropy". The forward and backward passes are the book's
    equations for one example: delta^L from the cost, delta^l = (w^{l+1})^T delta^{l+1}
    * sigma'(z^l), dC/db^l = delta^l, dC/dw^l = delta^l (a^{l-1})^T, and finally
    dC/dx = (w^1)^T delta^1, the same rule with no activation on the input layer.
    """
    x = as_input(net, x)
    c = net.cost if cost is None else get_cost(cost)
    activations = [x]
    a = x
    for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
        a = net._layer_activation(layer).apply(w @ a + b)
        activations.append(a)
    label = int(np.argmax(a)) if label is None else check_label(net, label)
    y = np.zeros((1, len(a)), a.dtype)
    y[0, label] = 1.0
    delta = np.empty((1, len(a)), a.dtype)
    value = c.output_delta(a[None, :], y, delta, np.empty_like(delta))
    delta = delta[0]
    layers = net.num_layers - 1
    nabla_w, nabla_b = [None] * layers, [None] * layers
    for layer in range(layers - 1, -1, -1):
        nabla_b[layer] = delta.copy()
        nabla_w[layer] = np.outer(delta, activations[layer])
        delta = net.weights[layer].T @ delta
        if layer > 0:
            delta *= net._layer_activation(layer - 1).prime_from_output(activations[layer])
    return DigitGradients(c.name, float(value), label, np.array(a), delta, nabla_w, nabla_b)
