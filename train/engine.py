"""Training and scoring loops over in-memory tensors (MNIST fits in memory)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from train import checkpoint
from train.augment import Augmentation, augment
from train.preprocess import MEAN, STD


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 [N, 28, 28] -> float [N, 1, 28, 28] in [0, 1]."""
    return torch.from_numpy(images.astype(np.float32) / 255.0)[:, None]


def normalize(images: torch.Tensor) -> torch.Tensor:
    return (images - MEAN) / STD


@torch.no_grad()
def predict_logits(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits for [N, 1, 28, 28] images in [0, 1]."""
    model.eval()
    return torch.cat([model(normalize(images[i : i + batch_size])) for i in range(0, len(images), batch_size)])


def score(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy loss, accuracy)."""
    logits = predict_logits(model, images)
    loss = F.cross_entropy(logits, labels).item()
    return loss, (logits.argmax(1) == labels).float().mean().item()


class Progress:
    """One-line progress bar on stderr: epoch, batch, loss, validation accuracy, samples per second
    (at an epoch's end), time left. A resumed run counts from its `first` epoch."""

    def __init__(self, epochs: int, batches: int, first: int = 1) -> None:
        self.first, self.batches, self.start = first, batches, time.time()
        self.total = (epochs - first + 1) * batches
        self.tty = sys.stderr.isatty()

    def show(
        self, epoch: int, batch: int, loss: float, val_acc: float | None, end: bool = False, rate: float | None = None
    ) -> None:
        done = (epoch - self.first) * self.batches + batch
        if not (end or self.tty and batch % 10 == 0):
            return
        elapsed = time.time() - self.start
        left = elapsed / done * (self.total - done)
        bar = "#" * int(30 * done / self.total)
        val = f" val_acc {val_acc:.4f}" if val_acc is not None else ""
        speed = f" {rate:,.0f} samples/s" if rate is not None else ""
        line = f"epoch {epoch} [{bar:<30}] loss {loss:.4f}{val}{speed} {elapsed:.0f}s elapsed, {left:.0f}s left"
        print(("\r" if self.tty else "") + line, end="\n" if end else "", file=sys.stderr, flush=True)


@dataclass
class History:
    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    pen_val_loss: list[float] = field(default_factory=list)  # validation writers' drawings, if used
    pen_val_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    # training samples per second of training time (the batches' steps; validation not counted)
    samples_per_second: list[float] = field(default_factory=list)

    def selection(self) -> list[float]:
        """Per epoch, what the checkpoint is picked on: MNIST validation accuracy, or with drawings of
        validation writers, its mean with theirs."""
        if not self.pen_val_accuracy:
            return list(self.val_accuracy)
        return [(mnist + pen) / 2 for mnist, pen in zip(self.val_accuracy, self.pen_val_accuracy, strict=True)]

    def kept(self) -> int:
        """Index of the epoch whose weights `fit` returns: the first with the best selection figure."""
        selection = self.selection()
        return selection.index(max(selection))


def fit(
    model: nn.Module,
    train: tuple[torch.Tensor, torch.Tensor],
    val: tuple[torch.Tensor, torch.Tensor],
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    schedule: str,
    aug: Augmentation,
    seed: int,
    max_batches: int | None = None,
    pen_val: tuple[torch.Tensor, torch.Tensor] | None = None,
    bf16: bool = False,
    resume: dict | None = None,
    on_epoch: Callable[[dict], None] | None = None,
) -> tuple[dict, History]:
    """Train; return the best validation state dict and the per-epoch history.

    "Best" is MNIST validation accuracy, or with `pen_val` (drawings of writers
    kept out of training) the mean of the two accuracies.

    With `bf16` the training steps' forward passes run in bfloat16 autocast (the weights, the loss,
    the optimizer and all scoring stay float32), and the network and its input batches are laid out
    channels-last while training (faster convolutions on the CPU). The state dict returned is
    contiguous float32 either way, and so is `model` when it returns.
    After each epoch `on_epoch` gets the resumable state (train/checkpoint.py); `resume`, such a
    state, continues the run after its epoch, to the same end.
    """
    layout = torch.channels_last if bf16 else torch.contiguous_format
    model.to(memory_format=layout)
    generator = torch.Generator().manual_seed(seed)
    images, labels = train
    batches = -(-len(images) // batch_size)
    if max_batches:
        batches = min(batches, max_batches)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = (
        torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * batches)
        if schedule == "onecycle"
        else None
    )
    history, best, best_acc = History(), None, -1.0
    first = 1
    if resume is not None:
        first = checkpoint.restore(resume, model, optimizer, scheduler, generator) + 1
        history, best, best_acc = History(**resume["history"]), resume["best"], resume["best_selection"]
    progress = Progress(epochs, batches, first)
    start = time.time() - (history.seconds[-1] if history.seconds else 0.0)
    for epoch in range(first, epochs + 1):
        model.train()
        order = torch.randperm(len(images), generator=generator)
        total_loss = total_correct = seen = 0
        epoch_start = time.perf_counter()
        for b in range(batches):
            index = order[b * batch_size : (b + 1) * batch_size]
            x = normalize(augment(images[index], aug, generator)).contiguous(memory_format=layout)
            y = labels[index]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits = model(x)
            logits = logits.float()  # the loss in float32
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler:
                scheduler.step()
            total_loss += loss.item() * len(y)
            total_correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            progress.show(epoch, b + 1, total_loss / seen, history.val_accuracy[-1] if history.epoch else None)
        rate = seen / (time.perf_counter() - epoch_start)
        val_loss, val_acc = score(model, *val)
        history.epoch.append(epoch)
        history.train_loss.append(total_loss / seen)
        history.train_accuracy.append(total_correct / seen)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_acc)
        if pen_val is not None:
            pen_loss, pen_acc = score(model, *pen_val)
            history.pen_val_loss.append(pen_loss)
            history.pen_val_accuracy.append(pen_acc)
        selection = history.selection()[-1]
        history.seconds.append(time.time() - start)
        history.samples_per_second.append(rate)
        progress.show(epoch, batches, total_loss / seen, selection, end=True, rate=rate)
        if selection > best_acc:
            best_acc, best = selection, contiguous_copy(model.state_dict())
        if on_epoch is not None:
            state = checkpoint.snapshot(epoch, model, optimizer, scheduler, generator, asdict(history), best, best_acc)
            on_epoch(state)
    model.to(memory_format=torch.contiguous_format)
    return best, history


def contiguous_copy(state_dict: dict) -> dict:
    """A detached copy of a state dict in the standard (contiguous) layout, e.g. of a channels-last network."""
    return {k: v.detach().clone(memory_format=torch.contiguous_format) for k, v in state_dict.items()}
