"""The learning engine of Gradient Descent Explorer: pure NumPy, no Qt.

Everything here works from a plain Python shell and from the command line::

    >>> from engine import mnist, Network, Trainer
    >>> data = mnist.load_data()                # the book's 50,000 / 10,000 / 10,000 split
    >>> net = Network([784, 30, 10], seed=1)
    >>> for record in Trainer(net, data.training, eta=3.0, mini_batch_size=10,
    ...                       epochs=1, test_data=data.test).run():
    ...     pass

Nothing below this folder may import PySide6, pyqtgraph or any other Qt module
(``tests/test_engine_has_no_qt.py`` checks it).
"""

from engine.network import Network
from engine.sgd import BatchProgress, Diverged, EpochResult, Trainer

__all__ = ["Network", "Trainer", "BatchProgress", "EpochResult", "Diverged"]
