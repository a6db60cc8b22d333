"""The training panel's state and logic, in plain Python (no Qt).

``TrainingModel`` holds the network while no run is going, the run settings, the epoch
history with the eta and m that were in effect, the eta/m change markers, what the CSV
holds and the metadata a saved model carries. The Qt panel (``explorer.training.panel``)
owns one, starts the worker thread with the ``RunConfig`` it makes, feeds it the worker's
packets (``on_update``, ``on_outcome``) and draws what it reports. Tests drive it with
no window.

Events (``explorer.events``): ``history_changed`` when epoch rows are added or cleared.
"""

from __future__ import annotations

import contextlib
import csv
import math
import os
from pathlib import Path
from typing import Callable, Dict, List, Optional

from engine import model_io
from engine.network import Network
from engine.sgd import stuck_warning
from explorer.events import Event
from explorer.training.records import Marker, Outcome, RunConfig, Update

CSV_FIELDS = ("epoch", "examples_seen", "seconds", "eta", "mini_batch_size", "changes",
              "train_cost", "train_accuracy", "test_cost", "test_accuracy")


def fmt_seconds(s: float) -> str:
    """12 s, 3 min 05 s, 1 h 02 min."""
    if not math.isfinite(s) or s < 0:
        return "?"
    if s < 60:
        return f"{s:.0f} s"
    if s < 3600:
        return f"{int(s // 60)} min {int(s % 60):02d} s"
    return f"{int(s // 3600)} h {int(s % 3600 // 60):02d} min"


def saved_facts(net: Network) -> str:
    """" (30 epochs, 97.65% test accuracy when saved)" from a loaded model's metadata."""
    info = model_io.info(net)
    facts = []
    if info.epochs_trained is not None:
        facts.append(f"{info.epochs_trained} epoch{'s' if info.epochs_trained != 1 else ''}")
    if info.test_accuracy is not None:
        facts.append(f"{100 * info.test_accuracy:.2f}% test accuracy")
    return f" ({', '.join(facts)} when saved)" if facts else ""


SPLIT_IMAGES = {"book": 50_000, "full": 60_000}    # training images of each data split


def saved_training_settings(net: Network) -> Dict[str, str]:
    """The eta, m, L2, data split, training images and seed a loaded model was trained
    with, as the training panel's field texts, read from its ``model_io.ModelInfo``
    (whichever schema its file has). What is not known is left out."""
    info = model_io.info(net)
    out: Dict[str, str] = {}
    if info.eta is not None:
        out["eta"] = str(float(info.eta))
    if info.mini_batch_size is not None:
        out["m"] = str(info.mini_batch_size)
    if info.l2 is not None:
        out["l2"] = str(float(info.l2))
    if info.split in SPLIT_IMAGES:
        out["split"] = info.split
    if info.train_size is not None:
        full = SPLIT_IMAGES.get(info.split or "")
        out["images"] = "all" if info.train_size == full else str(info.train_size)
    if info.seed is not None:
        out["seed"] = str(info.seed)
    augment = _saved_augmentation(net, info)
    if augment is not None:
        out["augment"] = augment
    return out


def _saved_augmentation(net: Network, info) -> Optional[str]:
    """The augmentation choice a model was trained with, as the panel's field text:
    from the panel's own saved fields, or from what ``train --augment`` recorded
    ("off" for a model that ``train`` saved without it); None when not known."""
    from engine.augment import KINDS, parse_kinds

    meta = getattr(net, "metadata", None)
    meta = meta if isinstance(meta, dict) else {}
    fields = meta.get("settings")
    text = fields.get("augment") if isinstance(fields, dict) else None
    if isinstance(text, str) and len(text) < 40:
        try:
            kinds = parse_kinds(text)
        except ValueError:
            kinds = None
        if kinds is not None:
            return _choice(kinds)
    augment = info.augment
    if isinstance(augment, dict) and isinstance(augment.get("kinds"), list):
        return _choice(tuple(k for k in KINDS if k in augment["kinds"]))
    if meta.get("trained_by") == "gd-explorer train":
        return "off"                    # train records --augment when it is used
    return None


def _choice(kinds: tuple) -> Optional[str]:
    """The panel's augmentation choice for these kinds: "off", "on" (all three), or the
    kinds joined by commas in ``KINDS``' order ("elastic,thickness")."""
    from engine.augment import KINDS

    if not kinds:
        return "off"
    if kinds == KINDS:
        return "on"
    return ",".join(k for k in KINDS if k in kinds)


def structure_of(net: Network) -> tuple:
    return (tuple(net.sizes), net.activation_name, net.cost_name, net.init)


class TrainingModel:
    """Everything the training panel knows, with no window.

    The network belongs to the model while no run is going (``network``); during a run
    the worker trains it in place and the model only sees copies (``snapshot``).
    """

    history_changed = Event()

    def __init__(self):
        self.net: Optional[Network] = None
        self.running = False
        self.epochs_done = 0
        self.examples_done = 0
        self.runs = 0
        self.history: List[dict] = []
        self.markers: List[Marker] = []
        self.snapshot: Optional[Network] = None     # the newest copy handed out
        self.snapshot_epoch = 0
        self.last_batch = None
        self.n_train = 0
        self.run_epochs = 0
        self.hyper = (0.0, 0)          # eta and m in effect now (the set values)
        self._epoch_changes: List[str] = []   # marker texts since the last epoch row
        self.unsaved = False           # trained since the last save or load

    # ------------------------------------------------------------------ building
    @property
    def network(self) -> Optional[Network]:
        """The network when idle (None during a run: the worker owns it)."""
        return None if self.running else self.net

    def label(self, what: str, epoch: Optional[int] = None) -> str:
        sizes = "-".join(map(str, self.net.sizes)) if self.net is not None else "?"
        text = f"{what}: {sizes}"
        return text if epoch is None else f"{text}, epoch {epoch}"

    def reset_progress(self) -> None:
        self.epochs_done = 0
        self.examples_done = 0
        self.runs = 0
        self.history = []
        self.markers = []
        self._epoch_changes = []
        self.last_batch = None
        self.unsaved = False
        self.history_changed.emit()

    def new_network(self, v: dict) -> Network:
        """A new network from parsed settings ``v`` (clears the history)."""
        if self.running:
            raise RuntimeError("a run is going")
        self.net = Network(v["sizes"], activation=v["activation"], cost=v["cost"],
                           init=v["init"], seed=v["seed"])
        self.reset_progress()
        return self.net

    def needs_new_network(self, v: dict) -> bool:
        return self.net is None or structure_of(self.net) != (
            tuple(v["sizes"]), v["activation"], v["cost"], v["init"])

    # ------------------------------------------------------------------ a run
    def start_run(self, v: dict, data_dir: Optional[str], loader: Callable) -> RunConfig:
        """The worker's configuration for a run with parsed settings ``v`` (a new
        network first when the structure changed; else the current one continues)."""
        if self.running:
            raise RuntimeError("a run is going")
        if self.needs_new_network(v):
            self.new_network(v)
        seed = v["seed"] + self.runs       # a continued run does not replay the shuffles
        cfg = RunConfig(net=self.net, eta=v["eta"], mini_batch_size=v["m"], epochs=v["epochs"],
                        lmbda=v["l2"], seed=seed, train_size=v["images"], split=v["split"],
                        data_dir=data_dir, monitor_training=v["monitor"],
                        epoch_offset=self.epochs_done, examples_offset=self.examples_done,
                        loader=loader, augment=v.get("augment", "off"))
        self.run_epochs = v["epochs"]
        self.hyper = (v["eta"], v["m"])
        self._epoch_changes = []
        self.runs += 1
        self.running = True
        return cfg

    def marker_text(self, mk: Marker) -> str:
        """What changed at a marker, e.g. "η 3 → 0.5" or "m 10 → 50"; updates ``hyper``."""
        eta, m = self.hyper
        parts = []
        if mk.eta != eta:
            parts.append(f"η {eta:g} → {mk.eta:g}")
        if mk.mini_batch_size != m:
            parts.append(f"m {m} → {mk.mini_batch_size}")
        self.hyper = (mk.eta, mk.mini_batch_size)
        return ", ".join(parts) or f"η = {mk.eta:g}, m = {mk.mini_batch_size}"

    def on_update(self, upd: Update) -> dict:
        """Take in one worker packet. Returns what the panel should draw:
        ``markers`` [(examples, epoch, text)], ``epochs`` (new EpochResults),
        ``warning`` (text or None), ``snapshot`` ((net, label) or None)."""
        if upd.last is not None:
            self.last_batch = upd.last
        drawn_markers = []
        for mk in upd.markers:
            text = self.marker_text(mk)
            self.markers.append(mk)
            drawn_markers.append((mk.examples, mk.epoch, text))
            self._epoch_changes.append(f"{text} after {mk.examples:,} examples")
        warning = None
        if upd.epochs:
            eta, m = self.hyper
            for r in upd.epochs:
                self.history.append(dict(
                    epoch=r.epoch, examples_seen=r.examples_seen, seconds=round(r.seconds, 4),
                    eta=eta, mini_batch_size=m, changes="; ".join(self._epoch_changes),
                    train_cost=r.train_cost, train_accuracy=r.train_accuracy,
                    test_cost=r.test_cost, test_accuracy=r.test_accuracy))
                self._epoch_changes = []
            self.unsaved = True
            warning = stuck_warning(upd.epochs[-1], eta)
            if warning:
                warning += (" Saturated weights rarely recover: stop, lower eta and press "
                            "New Network to start from fresh weights.")
            self.history_changed.emit()
        snapshot = None
        if upd.snapshot is not None:
            net, epoch = upd.snapshot
            self.snapshot, self.snapshot_epoch = net, epoch
            snapshot = (net, self.label("being trained", epoch))
        return dict(markers=drawn_markers, epochs=upd.epochs, warning=warning,
                    snapshot=snapshot)

    def status_text(self, upd: Optional[Update] = None) -> str:
        """The status line during a run: epoch, mini-batch, speed, time left, accuracy."""
        last = self.last_batch
        if last is None:
            return "Training…"
        total_epochs = self.epochs_done + self.run_epochs
        parts = [f"Epoch {last.epoch} of {total_epochs}",
                 f"mini-batch {last.batch:,} of {last.batches:,}"]
        if upd is not None and upd.active_seconds > 0.05 and upd.examples_this_run:
            rate = upd.examples_this_run / upd.active_seconds
            left = (upd.total_examples - upd.examples_this_run) / rate
            parts.append(f"{rate:,.0f} images/s")
            parts.append(f"about {fmt_seconds(left)} left")
        acc = self.last_test_accuracy()
        if acc is not None:
            parts.append(f"test accuracy {100 * acc:.2f}%")
        parts.append(f"η = {last.eta:g}, m = {last.mini_batch_size}")
        return " · ".join(parts)

    def last_test_accuracy(self) -> Optional[float]:
        if self.history and self.history[-1]["test_accuracy"] is not None:
            return self.history[-1]["test_accuracy"]
        return None

    def on_outcome(self, out: Outcome) -> dict:
        """The run ended. Returns ``status`` (text), ``message`` ((text, kind) or None),
        ``give`` ((net, label) for the session, or None)."""
        self.running = False
        self.epochs_done += out.epochs_done
        self.examples_done += out.examples_seen
        give, message = None, None
        if out.kind in ("finished", "stopped"):
            if out.net is not None:
                give = (out.net, self.label("trained", self.epochs_done))
                self.snapshot = out.net
            acc = self.last_test_accuracy()
            acc_text = f" Test accuracy {100 * acc:.2f}%." if acc is not None else ""
            status = (f"{out.message}{acc_text} {self.epochs_done} epoch(s) in all; "
                      f"Train continues this network, New Network starts again.")
        elif out.kind == "diverged":
            self.net = None     # its weights are NaN: the next run builds a new one
            status = "Training diverged and was stopped: see below."
            message = (out.message, "error")
        elif out.kind == "no-data":
            status = "MNIST is missing."
            message = (out.message, "error")
        else:
            status = "Training stopped with an error."
            message = (out.message, "error")
        return dict(status=status, message=message, give=give)

    def divergence_hint(self, eta: float, l2: float, nominal_images: int) -> str:
        """With L2, eta * lambda / n > 2 flips the sign of the weight decay factor."""
        n = self.n_train or nominal_images
        k = eta * l2 / max(n, 1)
        if k > 2:
            return (f" Here the L2 weight decay did it: each step multiplies the weights by "
                    f"1 - eta*lambda/n = {1 - k:.3g}, which is below -1, so they grow without "
                    f"limit. Lower eta or lambda, or use more training images.")
        return ""

    # ------------------------------------------------------------------ files
    def current_model(self) -> Optional[Network]:
        """A network that may be saved now (a copy while a run is going)."""
        return self.snapshot if self.running else self.net

    def metadata(self, settings: Dict[str, str]) -> dict:
        """What a saved model carries: how far it was trained, with which settings."""
        meta = {"trained_epochs": self.snapshot_epoch if self.running else self.epochs_done,
                "examples_seen": self.examples_done, "settings": dict(settings)}
        if settings.get("augment", "off") != "off":
            meta["augment"] = settings["augment"]
        acc = self.last_test_accuracy()
        if acc is not None:
            meta["test_accuracy"] = acc
        return meta

    def save_model(self, path, settings: Dict[str, str]) -> Path:
        net = self.current_model()
        if net is None:
            raise model_io.ModelError("There is no network to save yet: press Train first.")
        saved = model_io.save(net, path, self.metadata(settings))
        self.unsaved = False
        return saved

    def load_model(self, path) -> Network:
        """Read a model file; everything is checked before anything changes (the
        history and the network stay as they were when the file is refused)."""
        if self.running:
            raise model_io.ModelError("Stop training before loading a model.")
        net = model_io.load(path, expect_sizes=(784, 10))
        self.net = net
        self.reset_progress()
        return net

    def export_csv(self, path) -> Path:
        """The epoch history as CSV: one row per epoch, with the eta and m in effect at
        its end and the changes made during it."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.partial")
        try:        # written beside the target, then renamed: never a half-written file
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
                w.writeheader()
                for row in self.history:
                    w.writerow({k: ("" if row.get(k) is None else row.get(k))
                                for k in CSV_FIELDS})
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise model_io.ModelError(f"Could not write {path}: {exc.strerror or exc}") from None
        return path
