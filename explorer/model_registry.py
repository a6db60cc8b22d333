"""Which networks the drawing pad can ask, and which one it asks: plain Python, no Qt.

``ModelRegistry`` holds the shipped model, the training panel's network (the one being
trained, followed live) and models loaded from files, each a ``ModelEntry`` with its test
accuracy when known. ``chosen`` is the entry that answers.

Until the learner picks an entry (``choose``), the choice is automatic: the shipped
model answers until another entry's test accuracy is *above* the shipped model's (an
entry with no known accuracy never wins, nor does any when the shipped model's own
accuracy is unknown). Each automatic switch leaves a ``note`` saying what happened, for
the pad to show. ``explorer.session.Session`` wraps a registry and tells the panels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from engine import model_io

SHIPPED, TRAINING = "shipped", "training"


@dataclass
class ModelEntry:
    """One network the pad can ask. ``key``: "shipped", "training", "file:PATH" or
    "given:LABEL"; ``kind``: "shipped", "training", "file" or "given"; ``label``: the
    short name listeners get with ``model_changed``; ``accuracy``: the test accuracy
    (0 to 1) or None; ``epoch``: complete epochs trained (the training network)."""

    key: str
    kind: str
    label: str
    net: object
    accuracy: Optional[float] = None
    epoch: Optional[int] = None

    def sizes_text(self) -> str:
        sizes = getattr(self.net, "sizes", None)
        return "-".join(map(str, sizes)) if sizes else "?"

    def menu_text(self) -> str:
        """What the pad's model menu shows, e.g. "Being trained: 784-30-10, epoch 3,
        93.10% test accuracy"."""
        head = {"shipped": "Shipped model", "training": "Being trained"}.get(
            self.kind, self.label[:1].upper() + self.label[1:])
        parts = [self.sizes_text()]
        if self.kind == TRAINING:
            parts.append("untrained" if not self.epoch else
                         f"epoch {self.epoch}")
        parts.append(f"{100 * self.accuracy:.2f}% test accuracy" if self.accuracy is not None
                     else "test accuracy not known")
        return f"{head}: {', '.join(parts)}"


def accuracy_of(net) -> Optional[float]:
    """The test accuracy a network's file says it had when saved, or None."""
    try:
        return model_io.info(net).test_accuracy
    except Exception:      # a network made by hand, with odd metadata
        return None


class ModelRegistry:
    """The pad's models and its choice (see the module's docstring)."""

    def __init__(self):
        self.entries: List[ModelEntry] = []
        self.chosen_key: Optional[str] = None
        self.user_chose = False      # True once the learner (or a caller) picked one
        self.note = ""               # what the last automatic switch did

    # ------------------------------------------------------------------ reading
    def get(self, key: Optional[str]) -> Optional[ModelEntry]:
        return next((e for e in self.entries if e.key == key), None)

    @property
    def chosen(self) -> Optional[ModelEntry]:
        return self.get(self.chosen_key)

    def keys(self) -> List[str]:
        return [e.key for e in self.entries]

    # ------------------------------------------------------------------ changing
    def _put(self, entry: ModelEntry) -> None:
        old = self.get(entry.key)
        if old is None:
            self.entries.append(entry)
        else:
            self.entries[self.entries.index(old)] = entry

    def add_shipped(self, net) -> ModelEntry:
        entry = ModelEntry(SHIPPED, SHIPPED, "shipped model", net, accuracy_of(net))
        self._put(entry)
        if self.chosen_key is None:
            self.chosen_key = SHIPPED
        return entry

    def add_file(self, net, path, choose: bool = False) -> ModelEntry:
        """A model loaded from ``path`` (the same path again replaces its entry)."""
        p = Path(path)
        entry = ModelEntry(f"file:{p.resolve() if p.exists() else p}", "file",
                           f"file {p.name}", net, accuracy_of(net))
        self._put(entry)
        if choose:
            self.choose(entry.key)
        else:
            self._auto()
        return entry

    def add_given(self, net, label: str) -> ModelEntry:
        """A network handed over by name (``Session.set_model``): it answers at once."""
        entry = ModelEntry(f"given:{label}", "given", label, net, accuracy_of(net))
        self._put(entry)
        self.choose(entry.key)
        return entry

    def set_training(self, net, epoch: Optional[int] = None,
                     accuracy: Optional[float] = None) -> Optional[ModelEntry]:
        """The training panel's network changed (None: it has none to offer)."""
        if net is None:
            old = self.get(TRAINING)
            if old is not None:
                self.entries.remove(old)
                if self.chosen_key == TRAINING:
                    self.chosen_key = SHIPPED if self.get(SHIPPED) else None
                    self.user_chose = False
            self._auto()
            return None
        label = (f"being trained: {'-'.join(map(str, net.sizes))}"
                 + (f", epoch {epoch}" if epoch else ", untrained"))
        entry = ModelEntry(TRAINING, TRAINING, label, net, accuracy, epoch)
        self._put(entry)
        self._auto()
        return entry

    def choose(self, key: str) -> bool:
        """The learner picked ``key``: it answers from now on (no automatic switches)."""
        if self.get(key) is None:
            return False
        self.chosen_key = key
        self.user_chose = True
        self.note = ""
        return True

    def _auto(self) -> None:
        """The automatic choice: the entry with the highest known test accuracy, if it
        is above the shipped model's; else the shipped model."""
        if self.user_chose:
            return
        shipped = self.get(SHIPPED)
        if shipped is None:
            return
        best = shipped
        if shipped.accuracy is not None:
            for e in self.entries:
                if e.accuracy is not None and e.accuracy > best.accuracy:
                    best = e
        if best.key != self.chosen_key:
            before = self.chosen
            self.chosen_key = best.key
            if best is shipped:
                self.note = (f"Switched back to the shipped model: the "
                             f"{before.label if before else 'other model'} is no longer "
                             f"more accurate.")
            else:
                name = ("the network being trained" if best.kind == TRAINING
                        else f"the model in {best.label[5:]}" if best.kind == "file"
                        else best.label)
                self.note = (f"Switched to {name}: its test "
                             f"accuracy ({100 * best.accuracy:.2f}%) is above the shipped "
                             f"model's ({100 * shipped.accuracy:.2f}%). Choose another in "
                             f"the menu above.")
