"""Batch augmentations in torch, aimed at how people draw on a canvas.

Images are [N, 1, 28, 28] in [0, 1] (white ink on black), before normalization.
Each sample gets its own random affine transform (rotation, scale, shear,
translation) and its own stroke-thickness change (dilation or erosion blended
with the original by a random amount, so thickness varies continuously).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Augmentation:
    rotate: float = 15.0  # degrees, uniform in [-rotate, rotate]
    scale: float = 0.15  # relative, uniform in [1 - scale, 1 + scale]
    shear: float = 15.0  # degrees
    translate: float = 2.0  # pixels
    thickness: float = 0.5  # probability of a thickness change
    elastic: float = 0.0  # pixels: largest displacement of a smooth random warp (0: off)

    @property
    def enabled(self) -> bool:
        return any((self.rotate, self.scale, self.shear, self.translate, self.thickness, self.elastic))


NONE = Augmentation(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def uniform(n: int, limit: float, generator: torch.Generator) -> torch.Tensor:
    return (torch.rand(n, generator=generator) * 2 - 1) * limit


def random_affine(images: torch.Tensor, aug: Augmentation, generator: torch.Generator) -> torch.Tensor:
    """Apply a random rotation/scale/shear/translation to each image (bilinear)."""
    n, _, h, w = images.shape
    angle = uniform(n, math.radians(aug.rotate), generator)
    shear = uniform(n, math.radians(aug.shear), generator)
    scale = 1 + uniform(n, aug.scale, generator)
    tx, ty = (uniform(n, aug.translate * 2 / w, generator) for _ in range(2))
    cos, sin, tan = torch.cos(angle), torch.sin(angle), torch.tan(shear)
    # Forward map: rotate(angle) @ shear_x(tan) * scale; affine_grid needs the inverse
    # (output -> input coordinates), so build the forward 2x2 and invert it.
    forward = torch.stack([
        torch.stack([cos, cos * tan - sin], dim=1),
        torch.stack([sin, sin * tan + cos], dim=1),
    ], dim=1) * scale[:, None, None]  # fmt: skip
    inverse = torch.linalg.inv(forward)
    shift = -inverse @ torch.stack([tx, ty], dim=1)[:, :, None]
    theta = torch.cat([inverse, shift], dim=2)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def random_thickness(images: torch.Tensor, probability: float, generator: torch.Generator) -> torch.Tensor:
    """Thicken or thin strokes of a random subset by a random fraction of one pixel."""
    n = images.shape[0]
    dilated = F.max_pool2d(images, 3, stride=1, padding=1)
    eroded = -F.max_pool2d(-images, 3, stride=1, padding=1)
    pick = torch.rand(n, generator=generator)
    amount = torch.rand(n, generator=generator)[:, None, None, None]
    thicker = (pick < probability / 2)[:, None, None, None]
    thinner = ((pick >= probability / 2) & (pick < probability))[:, None, None, None]
    out = torch.where(thicker, images + amount * (dilated - images), images)
    # Erosion of MNIST's 2-3 px strokes dims them: go at most halfway, then restore the peak.
    out = torch.where(thinner, images + 0.5 * amount * (eroded - images), out)
    peak = out.amax(dim=(2, 3), keepdim=True).clamp_min(1e-6)
    return out * (images.amax(dim=(2, 3), keepdim=True) / peak)


def random_elastic(images: torch.Tensor, strength: float, generator: torch.Generator, knots: int = 4) -> torch.Tensor:
    """Warp each image by a smooth random displacement field (elastic distortion, Simard et al. 2003):
    random displacements at knots x knots points, interpolated bicubically over the image, at most
    `strength` pixels. It bends strokes the way different hands do, which an affine map cannot."""
    n, _, h, w = images.shape
    coarse = (torch.rand(n, 2, knots, knots, generator=generator) * 2 - 1) * (strength * 2 / w)
    field = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=True).permute(0, 2, 3, 1)
    identity = F.affine_grid(torch.eye(2, 3).expand(n, 2, 3), list(images.shape), align_corners=False)
    return F.grid_sample(images, identity + field, mode="bilinear", padding_mode="zeros", align_corners=False)


def augment(images: torch.Tensor, aug: Augmentation, generator: torch.Generator) -> torch.Tensor:
    if not aug.enabled:
        return images
    if aug.thickness:
        images = random_thickness(images, aug.thickness, generator)
    if aug.rotate or aug.scale or aug.shear or aug.translate:
        images = random_affine(images, aug, generator)
    if aug.elastic:
        images = random_elastic(images, aug.elastic, generator)
    return images
