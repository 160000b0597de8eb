"""The app's icons, drawn at build time: a handwritten 7 in white ink on the page's blue.

"any" icons are a rounded square; the maskable one fills the whole square and keeps the
digit inside the central circle of 40% radius that every mask shape leaves visible.
Anti-aliased analytically (pixel coverage from the distance to the stroke), so that
one pass of plain Python draws a 512 px icon in well under a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from webapp import png

ACCENT = (0x24, 0x63, 0xEB)  # the page's --accent
INK = (0xFF, 0xFF, 0xFF)
# The digit's stroke in a unit square (a 7 with a slight hook, as on the pad).
STROKE = [(0.30, 0.30), (0.70, 0.28), (0.66, 0.36), (0.48, 0.74)]
STROKE_WIDTH = 0.11
CORNER = 0.22  # corner radius of the "any" icons, as a fraction of the side


@dataclass(frozen=True)
class Icon:
    """One icon file: its name in dist/icons/, side in pixels, and manifest purpose."""

    name: str
    size: int
    purpose: str  # "any" or "maskable"


ICONS = [Icon("icon-192.png", 192, "any"), Icon("icon-512.png", 512, "any"), Icon("maskable-512.png", 512, "maskable")]


def segment_distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def background_alpha(x: float, y: float, size: int, corner: float) -> float:
    """Coverage of pixel centre (x, y) by a square with rounded corners of radius `corner` px."""
    cx = min(max(x, corner), size - corner)
    cy = min(max(y, corner), size - corner)
    if cx == x or cy == y:
        return 1.0
    return max(0.0, min(1.0, corner - math.hypot(x - cx, y - cy) + 0.5))


def render(size: int, purpose: str) -> list[bytes]:
    """RGBA rows of one icon."""
    maskable = purpose == "maskable"
    scale = 0.72 if maskable else 1.0  # maskable: the digit shrunk into the safe circle
    points = [((0.5 + (x - 0.5) * scale) * size, (0.5 + (y - 0.5) * scale) * size) for x, y in STROKE]
    half = STROKE_WIDTH * scale * size / 2
    corner = 0.0 if maskable else CORNER * size
    left = int(min(x for x, _ in points) - half - 1)
    right = int(max(x for x, _ in points) + half + 2)
    top = int(min(y for _, y in points) - half - 1)
    bottom = int(max(y for _, y in points) + half + 2)
    segments = list(zip(points, points[1:], strict=False))
    rows = []
    for row in range(size):
        y = row + 0.5
        pixels = bytearray()
        for column in range(size):
            x = column + 0.5
            alpha = background_alpha(x, y, size, corner) if corner else 1.0
            ink = 0.0
            if top <= row <= bottom and left <= column <= right:
                distance = min(segment_distance(x, y, a, b) for a, b in segments)
                ink = max(0.0, min(1.0, half - distance + 0.5))
            colour = [round(c + (i - c) * ink) for c, i in zip(ACCENT, INK, strict=True)]
            pixels += bytes((*colour, round(255 * alpha)))
        rows.append(bytes(pixels))
    return rows


def icon_png(icon: Icon) -> bytes:
    return png.encode(icon.size, icon.size, render(icon.size, icon.purpose))
