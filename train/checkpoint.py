"""A run's resumable state, written after every epoch so that a stopped run can go on (`--resume DIR`)
and end exactly where it would have ended had it not been stopped.

The state holds everything the next epoch depends on: the weights and batch-norm statistics, the
optimizer's moments, the learning-rate schedule's position, the
generator that draws the batches and augmentations, torch's global generator (dropout), the
history, and the best state so far. It is written to a temporary file and renamed, so a run
stopped while writing leaves the previous epoch's state whole.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

FORMAT = 1


def resume_path(folder: str | os.PathLike, model: str) -> Path:
    """Where a run writing to `folder` keeps the resumable state of its `model` ("cnn", "mlp")."""
    return Path(folder) / f"{model}.resume.pt"


def snapshot(
    epoch: int,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None,
    generator: torch.Generator,
    history: dict,
    best: dict | None,
    best_selection: float,
) -> dict:
    """The state after `epoch` (its tensors are the live ones: save it before the next step)."""
    return {
        "format": FORMAT,
        "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler else None,
        "averaged": None,  # the format's field of --ema, which did not ship (git history keeps it)
        "generator": generator.get_state(),
        "torch_rng": torch.get_rng_state(),
        "history": history,
        "best": best,
        "best_selection": best_selection,
    }


def restore(
    state: dict,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None,
    generator: torch.Generator,
) -> int:
    """Put a snapshot back into the run's objects; returns the epoch it was taken after."""
    if state.get("format") != FORMAT:
        raise ValueError(f"resumable state of format {state.get('format')}, not {FORMAT}")
    if (scheduler is None) != (state["scheduler"] is None):
        raise ValueError("the state was written by a run with another schedule")
    if state.get("averaged") is not None:
        raise ValueError("the state was written by a run with --ema, which left the training code")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(state["scheduler"])
    generator.set_state(state["generator"])
    torch.set_rng_state(state["torch_rng"])
    return state["epoch"]


def save_atomic(state: dict, path: str | os.PathLike) -> None:
    """torch.save to a temporary file beside `path`, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        torch.save(state, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def load(path: str | os.PathLike) -> dict:
    """A saved state; OSError or ValueError (in plain words) when there is none or it is not one."""
    try:
        state = torch.load(path, weights_only=True)
    except FileNotFoundError as error:
        raise OSError(f"no resumable state {path}: it is written after each epoch of a run") from error
    except Exception as error:  # a truncated or foreign file fails in many ways, all of them this one
        raise ValueError(f"{path} is not a resumable state ({error})") from error
    if not isinstance(state, dict) or "epoch" not in state:
        raise ValueError(f"{path} is not a resumable state")
    return state
