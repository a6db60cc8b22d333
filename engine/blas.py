"""One BLAS thread for a short computation, cheaply.

NumPy's OpenBLAS starts a thread per core. On a machine whose cores are busy (a training
thread, the window, other people's work) those threads spin and wait for each other, and
a product that takes 20 ms on one thread can take ten times longer on two (README,
"Speed"). ``Trainer.run`` therefore limits BLAS to one thread; the computations of the
"Inside" panel do the same with ``one_blas_thread()``.

``threadpoolctl.threadpool_limits`` looks up the loaded libraries every time it is
entered (about 0.4 ms); the controller here is made once, so entering costs ~0.06 ms.
"""

from __future__ import annotations

from threadpoolctl import ThreadpoolController

_controller = None


def one_blas_thread():
    """A context manager: BLAS uses one thread inside the ``with`` block."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")
