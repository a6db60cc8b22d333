"""Inside each update rule (issue 15, part 2): the state every rule records per step,
drawn as arrows on the contour map and listed in the readout; the narration; the
sliders of mu, beta1, beta2, rho and epsilon."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from engine import optimizers as O
from engine.narrate import fmt_vec, narrate
from engine.surfaces import SURFACES

BOWL = SURFACES["bowl"]


def test_each_rule_records_its_state_by_hand():
    s = O.Settings(eta=0.1, alpha=0.05, mu=0.5, beta1=0.9, beta2=0.99, steps=2)
    g0 = BOWL.gradient_at(np.array([1.0, -3.0]))          # (2, -6)
    t = O.run(BOWL, (1.0, -3.0), "adam", s)
    st = t.state_at(0)
    assert np.allclose(st["m"], 0.1 * g0) and np.allclose(st["s"], 0.01 * g0 ** 2)
    assert np.allclose(st["correction"], [1 / 0.1, 1 / 0.01])
    assert np.allclose(st["m_hat"], g0) and np.allclose(st["s_hat"], g0 ** 2)
    assert np.allclose(t.dv[0], -0.05 * st["m_hat"] / (np.sqrt(st["s_hat"]) + 1e-8))
    t = O.run(BOWL, (1.0, -3.0), "nesterov", s)
    st = t.state_at(1)
    assert np.allclose(st["carried"], 0.5 * t.dv[0])
    assert np.allclose(st["ahead"], t.v[1] + 0.5 * t.dv[0])
    assert np.allclose(st["g_ahead"], BOWL.gradient_at(st["ahead"]))
    assert np.allclose(t.dv[1], st["carried"] + st["push"])
    t = O.run(BOWL, (1.0, -3.0), "adagrad", s)
    assert np.allclose(t.state_at(1)["G"], t.grad[0] ** 2 + t.grad[1] ** 2)
    assert np.allclose(t.dv[1], -t.state_at(1)["rate"] * t.grad[1])
    t = O.run(BOWL, (1.0, -3.0), "momentum", s)
    assert np.allclose(t.state_at(1)["u"], t.dv[1])
    # the adaptive rules use alpha, the others eta
    assert np.allclose(np.abs(O.run(BOWL, (1.0, -3.0), "rmsprop", s).dv[0]),
                       0.05 / math.sqrt(0.1), rtol=1e-5)


def test_the_readout_and_the_map_show_the_insides_of_momentum_nesterov_and_adam(panel, qtbot):
    m, c = panel.model, panel.contour
    m.set_function("ravine")
    m.set_methods(["momentum", "nesterov", "adam", "rmsprop"])
    m.wait()
    m.set_primary("momentum")
    m.set_step(3)
    t = m.trajectories["momentum"]
    lines = panel.readout.lines
    assert lines["μu (carried)"] == fmt_vec(t.state_at(3)["carried"])
    assert lines["−η∇C (push)"] == fmt_vec(t.state_at(3)["push"])
    assert set(c.shown_arrows) == {"step", "carried", "push"}
    line, _, _ = c.arrow_items["carried"]
    xs, ys = line.getData()
    assert np.allclose([xs[1], ys[1]], t.v[3] + t.state_at(3)["carried"])
    m.set_primary("nesterov")
    t = m.trajectories["nesterov"]
    assert panel.readout.lines["look-ahead v+μu"] == fmt_vec(t.state_at(3)["ahead"])
    assert "carried" in c.shown_arrows and "ahead_push" in c.shown_arrows
    m.set_primary("adam")
    lines = panel.readout.lines
    for label in ("m (1st moment)", "s (2nd moment)", "bias corrections ×", "m̂ = corrected m",
                  "ŝ = corrected s", "per-coordinate step α/√ŝ"):
        assert label in lines
    assert {"step", "downhill", "m_hat"} <= set(c.shown_arrows)
    m.set_primary("rmsprop")
    assert "S = avg of g² (ρ)" in panel.readout.lines
    assert "per-coordinate step η/√S" in panel.readout.lines


def test_narrate_prints_one_line_per_step_for_every_rule(panel, qtbot):
    m, c = panel.model, panel.controls
    m.set_function("bowl")
    m.set_methods(list(O.METHODS))
    m.set_settings(steps=20)
    m.wait()
    c.narrate.click()
    assert panel.narration_box.isVisible()
    for key in O.METHODS:
        m.set_primary(key)
        m.set_step(0)
        m.set_step(5)
        lines = panel.narration.toPlainText().splitlines()
        t = m.trajectories[key]
        assert len(lines) == min(5, t.steps), key
        assert lines[-1] == narrate(t, min(5, t.steps) - 1, m.run_settings())
        assert O.METHODS[key].name in lines[-1]
    # a step forward adds one line
    m.set_primary("momentum")
    m.set_step(0)
    QTest.mouseClick(c.step_button, Qt.LeftButton)
    QTest.mouseClick(c.step_button, Qt.LeftButton)
    lines = panel.narration.toPlainText().splitlines()
    assert [line.split(",")[0] for line in lines] == ["Step 0 (v0 → v1)", "Step 1 (v1 → v2)"]
    assert "carried" in lines[1] or "kept μu" in lines[1]


@pytest.mark.parametrize("name", ["mu", "beta1", "beta2", "rho", "epsilon", "alpha"])
def test_each_parameter_has_a_slider(panel, qtbot, name):
    m, c = panel.model, panel.controls
    m.set_methods(list(O.METHODS))
    m.wait()
    slider = c.sliders[name]
    spin = getattr(c, name)
    slider.setFocus()
    before = getattr(m.settings, name)
    for _ in range(30):
        QTest.keyClick(slider, Qt.Key_Left if before > 0.5 else Qt.Key_Right)
    m.wait()
    after = getattr(m.settings, name)
    assert after != pytest.approx(before) and spin.value() == pytest.approx(after)
    spin.setValue(spin.minimum() if name not in ("beta2",) else 0.5)
    m.wait()
    assert slider.value() in (0, slider.minimum()) or name == "beta2"


def test_sliders_are_even_in_one_minus_the_weight():
    from explorer.descent.controls import one_minus_map

    to, back = one_minus_map(0.999)
    assert [to(x) for x in (0.0, 0.9, 0.99, 0.999)] == [0, 333, 667, 1000]
    assert back(to(0.95)) == pytest.approx(0.95, abs=2e-3)


def test_point_of_the_3d_axis_labels(with_gl, make_panel):
    panel = make_panel()
    assert set(panel.view3d.axis_labels) == {"v1", "v2", "C"}
    QPoint(0, 0)


def test_a_jump_to_the_end_narrates_only_the_lines_kept(panel, qtbot, monkeypatch):
    import explorer.descent.panel as panel_module

    m, c = panel.model, panel.controls
    m.set_function("bowl")
    m.set_methods(["gd"])
    m.set_settings(steps=1500, noise=0.5)
    m.wait()
    m.set_step(0)
    c.narrate.click()
    built = []

    def counted(t, k, settings):
        built.append(k)
        return narrate(t, k, settings)
    monkeypatch.setattr(panel_module, "narrate", counted)
    m.set_step(m.max_step())
    lines = panel.narration.toPlainText().splitlines()
    t = m.trajectories["gd"]
    assert t.steps == 1500
    assert len(built) == panel_module.NARRATE_LINES == len(lines)
    assert lines[0].startswith(f"Step {1500 - panel_module.NARRATE_LINES} (")
    assert lines[-1] == narrate(t, 1499, m.run_settings())
    # one step back and forth ends with the same lines
    m.set_step(m.max_step() - 1)
    m.set_step(m.max_step())
    assert panel.narration.toPlainText().splitlines() == lines
