"""Turn a drawing into the network's input the way MNIST itself was made.

This one file is imported by training and evaluation in CPython and by the page
in Pyodide, so the pixels the model sees in the browser are computed by the very
code it was evaluated with. It depends on numpy alone, and it avoids Python
loops over pixels and reductions over the colour axis (slow in Pyodide's numpy):
colour channels are combined with elementwise minimum/maximum, and resampling is
two small matrix products.

The MNIST recipe (LeCun et al.): crop the ink's bounding box, scale it so that
its longer side is 20 px keeping the aspect ratio, with anti-aliasing, then put
it in a 28x28 field so that its centre of mass sits at the field's centre.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SIZE = 28  # side of the model input
BOX = 20  # side of the box the digit is scaled into
MEAN = 0.1307  # MNIST training-set pixel mean, after scaling to [0, 1]
STD = 0.3081  # and standard deviation; the model was trained on (x - MEAN) / STD
INK_THRESHOLD = 0.1  # ink level (0..1) that counts towards the bounding box
# Where the mass centre goes, in pixel-centre coordinates (pixel i spans [i, i+1)):
# MNIST put it on pixel 14; its test digits' mean centre is (14.48, 14.51).
CENTRE = 14.5


def ink_map(rgba: np.ndarray) -> np.ndarray:
    """Ink intensity in [0, 1], shape [H, W], from an RGBA (or RGB) uint8 bitmap.

    A canvas with transparent pixels counts whatever was painted on it (alpha) as
    ink. An opaque bitmap may be dark ink on light paper or light ink on dark: the
    border's median brightness tells which, and the paper's level becomes 0.
    """
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4):
        raise ValueError(f"expected an [H, W, 4] RGBA bitmap, got shape {rgba.shape}")
    if rgba.shape[2] == 4:
        alpha = rgba[:, :, 3]
        if alpha.min() < 255:
            return alpha.astype(np.float32) / 255.0
    r, g, b = rgba[:, :, 0], rgba[:, :, 1], rgba[:, :, 2]
    border = np.concatenate([r[0], r[-1], r[:, 0], r[:, -1]])
    if np.median(border) >= 128:  # light paper: ink is whatever is dark in any channel
        ink = 255 - np.minimum(np.minimum(r, g), b)
    else:  # dark paper: ink is whatever is bright in any channel
        ink = np.maximum(np.maximum(r, g), b)
    ink = ink.astype(np.float32)
    paper = float(np.median(np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])))
    if paper >= 255.0:
        return np.zeros_like(ink)
    return np.clip((ink - paper) / (255.0 - paper), 0.0, 1.0)


@lru_cache(maxsize=256)
def area_resample_matrix(src: int, dst: int) -> np.ndarray:
    """[dst, src] matrix averaging source pixels over each target pixel (box filter).

    Target pixel i covers source interval [i*s, (i+1)*s), s = src/dst; each weight
    is the overlap of that interval with source pixel j, divided by s. Cached (read-only):
    a drawing grows a pixel at a time, so the page asks for the same few sizes again
    and again, and building one costs as much as the rest of the resize.
    """
    scale = src / dst
    lo = np.arange(dst, dtype=np.float64)[:, None] * scale
    hi = lo + scale
    j = np.arange(src, dtype=np.float64)[None, :]
    overlap = np.clip(np.minimum(hi, j + 1.0) - np.maximum(lo, j), 0.0, None)
    matrix = (overlap / scale).astype(np.float32)
    matrix.setflags(write=False)
    return matrix


def resize_area(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased resize of a 2-D float image by area averaging."""
    rows = area_resample_matrix(image.shape[0], height)
    cols = area_resample_matrix(image.shape[1], width)
    return rows @ image @ cols.T


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the mass centre, pixel centres at index + 0.5."""
    total = float(image.sum())
    rows = image.sum(axis=1)
    cols = image.sum(axis=0)
    r = float(rows @ (np.arange(rows.size) + 0.5)) / total
    c = float(cols @ (np.arange(cols.size) + 0.5)) / total
    return r, c


def ink_box(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) of the ink's bounding box, ends exclusive; None without ink."""
    mask = ink > INK_THRESHOLD
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def scale_to_box(crop: np.ndarray, box: int = BOX) -> np.ndarray:
    """`crop` resized so that its longer side is `box` pixels, keeping the aspect ratio."""
    h, w = crop.shape
    longer = max(h, w)
    height = max(1, round(box * h / longer))
    width = max(1, round(box * w / longer))
    return resize_area(crop, height, width)


def fit_box(ink: np.ndarray, box: int = BOX) -> np.ndarray | None:
    """Crop the ink's bounding box and scale its longer side to `box` pixels."""
    found = ink_box(ink)
    if found is None:
        return None
    top, bottom, left, right = found
    return scale_to_box(ink[top:bottom, left:right], box)


def offset(digit: np.ndarray, centre: bool = True, size: int = SIZE) -> tuple[int, int]:
    """(top, left) where `digit` goes in a size x size field.

    With `centre`, the integer shift that brings its centre of mass nearest the
    field's centre (as MNIST did); without, its bounding box is centred instead.
    """
    h, w = digit.shape
    if centre:
        r, c = centre_of_mass(digit)
        target = CENTRE * size / SIZE
        return int(np.floor(target - r + 0.5)), int(np.floor(target - c + 0.5))  # round half up
    return (size - h) // 2, (size - w) // 2


def place(digit: np.ndarray, centre: bool = True, size: int = SIZE) -> np.ndarray:
    """Paste `digit` into a size x size field at `offset(digit, centre)`.

    Ink shifted past the field's edge is cut off, as in MNIST.
    """
    h, w = digit.shape
    top, left = offset(digit, centre, size)
    field = np.zeros((size, size), dtype=np.float32)
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + h, size), min(left + w, size)
    if r1 > r0 and c1 > c0:
        field[r0:r1, c0:c1] = digit[r0 - top : r1 - top, c0 - left : c1 - left]
    return field


def to_mnist(rgba: np.ndarray, centre: bool = True) -> np.ndarray | None:
    """28x28 float32 image in [0, 1], white digit on black; None when there is no ink."""
    framed = to_mnist_framed(rgba, centre)
    return None if framed is None else framed[0]


def to_mnist_framed(rgba: np.ndarray, centre: bool = True) -> tuple[np.ndarray, tuple[float, ...]] | None:
    """`to_mnist`'s image and where it lies on the bitmap: (row0, col0, row_scale, col_scale),
    so that the input's point (y, x) (pixel i spans [i, i+1)) is the bitmap's point
    (row0 + y * row_scale, col0 + x * col_scale). The page uses it to lay maps computed
    on the input (Grad-CAM) over the drawing. None when there is no ink."""
    ink = ink_map(rgba)
    found = ink_box(ink)
    if found is None:
        return None
    top, bottom, left, right = found
    digit = scale_to_box(ink[top:bottom, left:right])
    row_scale, col_scale = (bottom - top) / digit.shape[0], (right - left) / digit.shape[1]
    shift_rows, shift_cols = offset(digit, centre)
    frame = (top - shift_rows * row_scale, left - shift_cols * col_scale, row_scale, col_scale)
    return np.clip(place(digit, centre=centre), 0.0, 1.0), frame


def normalize(images: np.ndarray) -> np.ndarray:
    """[N, 28, 28] or [28, 28] images in [0, 1] to the model's [N, 1, 28, 28] input."""
    images = np.asarray(images, dtype=np.float32).reshape(-1, 1, SIZE, SIZE)
    return (images - np.float32(MEAN)) / np.float32(STD)
