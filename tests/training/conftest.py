"""Fixtures of the training panel tests: a shown panel that trains on the synthetic set."""

from __future__ import annotations

import pytest
from training_data import DATA

from explorer.session import Session
from explorer.training.panel import TrainingPanel, reaper


@pytest.fixture
def panel(qtbot):
    session = Session()
    p = TrainingPanel(session)
    p.data_loader = lambda d, split: DATA
    qtbot.addWidget(p)
    p.resize(1300, 850)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()
    assert not reaper().running()
