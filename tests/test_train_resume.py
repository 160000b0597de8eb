"""`python -m train --resume DIR`: a stopped run continues to the result it would have had unstopped;
and what each epoch records (samples per second, the precision it trained in)."""

import pytest
import torch

from train import checkpoint, mnist
from train.__main__ import main as train_main
from train.config import REMOVED, parse_args, recipe, recipe_changes

HAS_TRAIN_SPLIT = all((mnist.resolve_dir() / spec.name).is_file() for spec in mnist.FILES["train"])
needs_train_split = pytest.mark.skipif(
    not HAS_TRAIN_SPLIT, reason=f"MNIST training split not found (set ${mnist.ENV_VAR} to its folder)"
)
# two short epochs, one thread (bit for bit), dropout and augmentation on (the batch generator and torch's),
# the one-cycle schedule (the scheduler's position), Adam's moments, the history and the best state so far
RUN = ["--width", "8", "--epochs", "2", "--max-batches", "4", "--threads", "1", "--seed", "5"]


class Stopped(Exception):
    """What a run stopped from outside (Ctrl-C, a killed job) looks like to this test."""


def stopped_after_first_epoch(monkeypatch) -> None:
    """Make the run stop right after writing its first epoch's resumable state."""
    save = checkpoint.save_atomic

    def save_then_stop(state, path):
        save(state, path)
        raise Stopped

    monkeypatch.setattr(checkpoint, "save_atomic", save_then_stop)


@needs_train_split
@pytest.mark.parametrize("precision", [["--fp32"], []], ids=["fp32", "bf16-channels-last"])
def test_a_resumed_run_ends_as_the_run_that_was_not_stopped(tmp_path, monkeypatch, precision):
    assert train_main([*RUN, *precision, "--out", str(tmp_path / "whole")]) == 0
    with monkeypatch.context() as patch:
        stopped_after_first_epoch(patch)
        with pytest.raises(Stopped):
            train_main([*RUN, *precision, "--out", str(tmp_path / "stopped")])
    assert not (tmp_path / "stopped" / "cnn.pt").exists()
    assert checkpoint.load(tmp_path / "stopped" / "cnn.resume.pt")["epoch"] == 1
    assert train_main([*RUN, *precision, "--resume", str(tmp_path / "stopped")]) == 0  # --out: that folder

    whole, resumed = (torch.load(tmp_path / d / "cnn.pt", weights_only=False) for d in ("whole", "stopped"))
    assert whole["state_dict"].keys() == resumed["state_dict"].keys()
    assert all(torch.equal(whole["state_dict"][k], resumed["state_dict"][k]) for k in whole["state_dict"])
    for key in ("epoch", "train_loss", "val_loss", "val_accuracy"):
        assert whole["history"][key] == resumed["history"][key], key
    assert whole["command"].replace("whole", "stopped") == resumed["command"]  # the command that started it
    states = [checkpoint.load(tmp_path / d / "cnn.resume.pt") for d in ("whole", "stopped")]
    assert all(torch.equal(states[0]["model"][k], states[1]["model"][k]) for k in states[0]["model"])  # last epoch's


@needs_train_split
def test_resume_refuses_other_options_and_a_missing_or_broken_state(tmp_path, capsys):
    assert train_main([*RUN, "--fp32", "--epochs", "1", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert train_main([*RUN, "--fp32", "--epochs", "1", "--lr", "1e-3", "--resume", str(tmp_path)]) == 2
    assert "--lr 0.003 then, 0.001 now" in capsys.readouterr().err
    assert train_main([*RUN, "--resume", str(tmp_path / "nowhere")]) == 2
    assert "no resumable state" in capsys.readouterr().err
    (tmp_path / "cnn.resume.pt").write_bytes(b"half a file")
    assert train_main([*RUN, "--fp32", "--epochs", "1", "--resume", str(tmp_path)]) == 2
    assert "is not a resumable state" in capsys.readouterr().err


@needs_train_split
@pytest.mark.parametrize("precision", [["--fp32"], []], ids=["fp32", "bf16-channels-last"])
def test_each_epoch_records_samples_per_second_and_the_precision(tmp_path, capsys, precision):
    assert train_main([*RUN, *precision, "--out", str(tmp_path)]) == 0
    saved = torch.load(tmp_path / "cnn.pt", weights_only=False)
    rates = saved["history"]["samples_per_second"]
    assert len(rates) == 2 and all(rate > 0 for rate in rates)
    assert saved["precision"] == ("float32" if precision else "bfloat16 autocast, channels-last")
    assert all(v.dtype != torch.bfloat16 and v.is_contiguous() for v in saved["state_dict"].values())
    ends = [line for line in capsys.readouterr().err.splitlines() if " samples/s " in line]
    assert len(ends) == 2  # one line per epoch's end


def test_a_run_started_before_the_unshipped_options_left_still_resumes():
    """Its recipe names --ema, --teacher, ... at the values that left them off: no difference; on, one."""
    now = recipe(parse_args(["--pen-repeat", "3"]))
    before = {**now, **REMOVED}
    assert recipe_changes(before, now) == []
    assert recipe_changes({**before, "ema": 0.9}, now) == ["ema"]
