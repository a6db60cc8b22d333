"""Cost functions C(a, y) over a batch, and the error delta they put on the output layer.

The output layer of every network here is a layer of sigmoid neurons, as in the book,
so that its ten activations lie in (0, 1) and can be read as "how much it looks like a 3".

* Quadratic cost (the book's equation 6): C = 1/(2n) sum_x ||y(x) - a||^2.
  Its output error is delta = (a - y) * sigma'(z) = (a - y) a (1 - a).
* Cross-entropy: C = -1/n sum_x sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)].
  With sigmoid outputs its output error is simply delta = a - y: no sigma'(z) factor,
  so saturated output neurons still learn fast (the book's chapter 3).

Costs are totals over the rows of ``a`` (one example a row); callers divide by n.
"""

from __future__ import annotations

import numpy as np


class QuadraticCost:
    name = "quadratic"

    @staticmethod
    def total(a: np.ndarray, y: np.ndarray) -> float:
        d = a - y
        return 0.5 * float(np.vdot(d, d))

    @staticmethod
    def output_delta(a: np.ndarray, y: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> float:
        """Write the output error into ``out`` and return the batch's total cost.

        ``tmp`` is scratch space of the same shape. Returning the cost from here costs
        one dot product, because a - y is needed anyway.
        """
        np.subtract(a, y, out=out)
        cost = 0.5 * float(np.vdot(out, out))
        np.subtract(1.0, a, out=tmp)
        tmp *= a
        out *= tmp
        return cost


class CrossEntropyCost:
    name = "cross-entropy"

    @staticmethod
    def total(a: np.ndarray, y: np.ndarray) -> float:
        # Clip so that a = 0 or 1 exactly (float32 saturation) gives a large finite cost.
        eps = np.finfo(a.dtype).eps if a.dtype.kind == "f" else 1e-12
        a = np.clip(a, eps, 1.0 - eps)
        return float(-np.sum(y * np.log(a) + (1.0 - y) * np.log1p(-a)))

    @classmethod
    def output_delta(cls, a: np.ndarray, y: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> float:
        np.subtract(a, y, out=out)
        return cls.total(a, y)


COSTS = {cls.name: cls for cls in (QuadraticCost, CrossEntropyCost)}


def get_cost(name: str):
    """The cost called ``name`` ("quadratic" or "cross-entropy")."""
    try:
        return COSTS[name]
    except KeyError:
        raise ValueError(f"unknown cost {name!r}: choose one of {', '.join(COSTS)}") from None
