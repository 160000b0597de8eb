"""The two networks: the product CNN and the classic MLP kept for comparison."""

from __future__ import annotations

import torch
from torch import nn


def conv_block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class CNN(nn.Module):
    """Two stages of two 3x3 convolutions with max-pooling, then a small classifier.

    `width` is the first stage's channel count (the second has twice as many);
    the architecture was chosen by validation accuracy (see the model card). With
    `classes=11` the last output is "not a digit" (outlier exposure, issue 19).
    """

    def __init__(self, width: int = 24, hidden: int = 128, dropout: float = 0.3, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            conv_block(1, width), conv_block(width, width), nn.MaxPool2d(2),
            conv_block(width, 2 * width), conv_block(2 * width, 2 * width), nn.MaxPool2d(2),
        )  # fmt: skip
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(2 * width * 7 * 7, hidden), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(hidden, classes),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class MLP(nn.Module):
    """784-512-256-128-60-10 with ReLU and dropout 0.3/0.2/0.1/0.05 (the compared app's network)."""

    def __init__(self) -> None:
        super().__init__()
        sizes, drops = (784, 512, 256, 128, 60), (0.3, 0.2, 0.1, 0.05)
        layers: list[nn.Module] = [nn.Flatten()]
        for cin, cout, p in zip(sizes[:-1], sizes[1:], drops, strict=True):
            layers += [nn.Linear(cin, cout), nn.ReLU(), nn.Dropout(p)]
        layers.append(nn.Linear(sizes[-1], 10))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def build(name: str, **options) -> nn.Module:
    """A fresh model by name ('cnn' or 'mlp')."""
    if name == "cnn":
        return CNN(**options)
    if name == "mlp":
        return MLP()
    raise ValueError(f"unknown model {name!r}: choose cnn or mlp")


NOT_A_DIGIT = 10  # the label, and output, of "not a digit" in an 11-output CNN
HEAD = "classifier.5"  # the CNN's last layer: its rows are the outputs


def widened(state_dict: dict, model: nn.Module) -> dict:
    """A 10-output CNN's weights for `model`, a CNN with more outputs: the digits' rows are kept,
    the new outputs start from `model`'s own (fresh) rows."""
    own = model.state_dict()
    state = dict(state_dict)
    for key in (f"{HEAD}.weight", f"{HEAD}.bias"):
        rows = state[key].shape[0]
        state[key] = torch.cat([state[key], own[key][rows:]])
    return state


def from_checkpoint(checkpoint: dict) -> nn.Module:
    """The network saved in a checkpoint (a dict as `torch.load` gives it), in eval mode."""
    model = build(checkpoint["model"], **checkpoint["options"])
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval()


def load(path: str) -> nn.Module:
    """The network saved in the checkpoint file `path`, in eval mode."""
    return from_checkpoint(torch.load(path, weights_only=False))


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
