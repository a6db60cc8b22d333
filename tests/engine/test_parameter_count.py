"""The parameter count and the size label of a network."""

import pytest

from engine import Network
from engine.network import parameter_count


@pytest.mark.parametrize("sizes, count", [([784, 30, 10], 23_860), ([784, 16, 16, 10], 13_002),
                                          ([784, 100, 10], 79_510), ([2, 1], 3)])
def test_parameter_count(sizes, count):
    assert parameter_count(sizes) == count
    net = Network(sizes, seed=0)
    assert net.parameter_count() == count
    assert net.parameter_count() == sum(p.size for p in net.params)


def test_describe_size():
    assert Network([784, 30, 10], seed=0).describe_size() == "784-30-10 (23,860 weights and biases)"
    assert Network([784, 16, 16, 10], seed=0).describe_size() == \
        "784-16-16-10 (13,002 weights and biases)"
