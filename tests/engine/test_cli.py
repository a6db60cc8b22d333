"""The headless commands, on a small synthetic MNIST folder (and one run on the real one)."""

import json
import subprocess
import sys

import pytest
from mnist_files import write_mnist_folder
from paths import ROOT

import main


@pytest.fixture(scope="module")
def small_mnist(tmp_path_factory):
    return write_mnist_folder(tmp_path_factory.mktemp("mnist"), n_train=600, n_test=200)


def run(capsys, *argv):
    code = main.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_train_prints_the_books_line_per_epoch_and_a_summary(capsys, small_mnist):
    code, out, err = run(capsys, "train", "--data", small_mnist, "--epochs", "3",
                         "--split", "full", "--no-progress")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Training 784-30-10 sigmoid, quadratic cost on 600 images")
    epochs = [line for line in lines if line.startswith("Epoch ")]
    assert len(epochs) == 3 and " / 200" in epochs[0] and "cost" in epochs[0] and " s)" in epochs[0]
    assert lines[-1].startswith("Best: epoch")


def test_json_gives_one_object_per_epoch(capsys, small_mnist, tmp_path):
    model = tmp_path / "m.npz"
    code, out, err = run(capsys, "train", "--data", small_mnist, "--epochs", "4", "--json",
                         "--sizes", "784", "20", "10", "--cost", "cross-entropy", "--eta", "0.5",
                         "--split", "full", "--save", model, "--train-size", "500")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["epoch"] for r in records] == [1, 2, 3, 4]
    for r in records:
        assert set(r) >= {"epoch", "correct", "total", "accuracy", "cost", "seconds"}
        assert r["total"] == 200 and r["accuracy"] == r["correct"] / 200 and r["seconds"] > 0
        assert r["examples_seen"] % 500 == 0
    assert records[-1]["accuracy"] > 0.5      # the synthetic digits are easy to learn
    code, out, err = run(capsys, "evaluate", model, "--data", small_mnist, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["correct"] == records[-1]["correct"] and result["total"] == 200


@pytest.mark.parametrize("argv, words", [
    (["--eta", "0"], "must be a number above 0"),
    (["--eta", "-3"], "must be a number above 0"),
    (["--eta", "fast"], "not a number"),
    (["--batch-size", "0"], "must be at least 1"),
    (["--epochs", "0"], "must be at least 1"),
    (["--l2", "-1"], "must be 0 or more"),
    (["--activation", "tanh"], "invalid choice"),
])
def test_bad_options_exit_with_a_message(capsys, argv, words):
    with pytest.raises(SystemExit) as info:
        main.main(["train", *argv])
    assert info.value.code == 2
    assert words in capsys.readouterr().err


def test_sizes_must_fit_mnist(capsys, small_mnist):
    code, _, err = run(capsys, "train", "--data", small_mnist, "--sizes", "784", "30", "9")
    assert code == 2 and "must start with 784" in err and "end with 10" in err


def test_a_folder_without_mnist(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--data", tmp_path)
    assert code == 1 and "does not hold MNIST" in err and "Traceback" not in err


def test_a_diverging_run_exits_3_with_advice(capsys, small_mnist):
    code, out, err = run(capsys, "train", "--data", small_mnist, "--eta", "1e40",
                         "--epochs", "3", "--no-progress", "--seed", "1")
    assert code == 3, (out, err)
    assert "smaller eta" in err and "epoch 1" in err and "Traceback" not in err


def test_a_saturating_eta_gets_a_warning(capsys, small_mnist):
    code, out, err = run(capsys, "train", "--data", small_mnist, "--activation", "relu",
                         "--cost", "cross-entropy", "--eta", "1e5", "--epochs", "2",
                         "--no-progress", "--seed", "1")
    assert code == 0
    assert err.count("warning:") == 1 and "no better than guessing" in err
    assert "try a smaller eta" in err


def test_evaluate_refuses_a_bad_model_file(capsys, tmp_path, small_mnist):
    bad = tmp_path / "bad.npz"
    bad.write_text("not a model")
    code, _, err = run(capsys, "evaluate", bad, "--data", small_mnist)
    assert code == 1 and "not a model file" in err


def test_the_entry_point_runs_as_a_program(small_mnist):
    out = subprocess.run([sys.executable, "main.py", "train", "--data", str(small_mnist),
                          "--epochs", "1", "--json"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["epoch"] == 1


@pytest.mark.mnist
def test_one_epoch_of_the_books_setting_reaches_90_percent(capsys, mnist_dir):
    # The default seed (1) gives 91.5%; a first epoch is seed-dependent (80% to 91.5%
    # over seeds 1-11, a few starting with saturated hidden neurons; README, "Results").
    code, out, err = run(capsys, "train", "--data", mnist_dir, "--epochs", "1", "--json")
    assert code == 0, err
    record = json.loads(out)
    assert record["total"] == 10_000 and record["accuracy"] >= 0.90
