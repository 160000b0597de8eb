"""The constants that training, export and the page must agree on, bit for bit: read from
contract.json beside this file, their one source. Nothing else writes them down.

Who reads it:
- CPython (training, export, evaluation): `from train import contract`;
- the page's Python (a web worker, Pyodide): build.py copies this file and contract.json into
  dist/py/, the worker's PyScript configuration (js/element/runtime.js) puts both beside it,
  and it does `import contract`;
- the page's JavaScript: build.py writes contract.json as an ES module,
  dist/js/element/contract.js (webapp/contract.py), which exports each section (PEN, MODEL,
  VERDICT) deep-frozen; js/element/ink.js and the rest import it.

The sections:
- `pen`: the ink bitmap that the page draws a drawing on and training renders it on
  (train/render.py, js/element/ink.js). `bitmap_size`: its side in Digit mode, pixels;
  `number_bitmap_width`: its width in Number mode (as high as Digit mode's); `line_width`:
  the pen the person sees on the pad, pixels of the bitmap; the ink bitmap's own pen is
  `ink_width_ratio` of the drawing's extent (its bounding box's longer side), at least
  `min_ink_width` pixels. The model's input depends on every one of them.
- `model`: what the page expects of a model file (export/onnx_io.py writes it, the page's
  model_check.py checks it): the `format_version` of its description (bump it when the page's
  expectations change), its input's and its digit logits' names, and the name of the output that
  gives the reader's last hidden layer (`features_output`; optional in a file: the handwriting
  memory needs it); the layer view's outputs (optional too): the metadata entry `layer_outputs_key`
  lists the reader's stages in network order (e.g. "conv1,conv2,pool1,..."), each stage's
  activations are the output `layer_output_prefix` + its name, [N, C, H, W], and each convolution's
  3x3 kernels (batch norm folded in) the output `kernel_output_prefix` + its name, [C_out, C_in, 3, 3].
- `verdict`: the calibrated "not a digit" verdict (train/rejection.py, js/element/verdict.js):
  the verdicts' `names`, the "not a digit" `methods` (the order in which they are compared),
  and those of them that read the model's "not a digit" output.
- `memory`: the handwriting memory (train/memory.py): how many corrected drawings it keeps
  (`capacity`, the page's store keeps as many), how many of the nearest vote (`neighbours`), the
  cosine similarity a vote needs (`min_similarity`) and the votes' `weight`.

Standard library only, and no import of the train package: the page imports it on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

FILE = Path(__file__).with_name("contract.json")
CONTRACT: dict = json.loads(FILE.read_text(encoding="utf-8"))

_pen, _model, _verdict = CONTRACT["pen"], CONTRACT["model"], CONTRACT["verdict"]
MEMORY: dict = CONTRACT["memory"]  # train/memory.py Settings.from_contract reads it

# The pen (widths as floats, sizes as ints, as training has always had them).
BITMAP_SIZE: int = int(_pen["bitmap_size"])
NUMBER_BITMAP_WIDTH: int = int(_pen["number_bitmap_width"])
LINE_WIDTH: float = float(_pen["line_width"])
INK_WIDTH_RATIO: float = float(_pen["ink_width_ratio"])
MIN_INK_WIDTH: float = float(_pen["min_ink_width"])

# The model file.
FORMAT_VERSION: str = str(_model["format_version"])
INPUT_NAME: str = str(_model["input_name"])
OUTPUT_NAME: str = str(_model["output_name"])
FEATURES_OUTPUT: str = str(_model["features_output"])
LAYER_OUTPUTS_KEY: str = str(_model["layer_outputs_key"])
LAYER_OUTPUT_PREFIX: str = str(_model["layer_output_prefix"])
KERNEL_OUTPUT_PREFIX: str = str(_model["kernel_output_prefix"])

# The verdict.
VERDICTS: tuple[str, ...] = tuple(_verdict["names"])
METHODS: tuple[str, ...] = tuple(_verdict["methods"])
METHODS_READING_NOT_DIGIT_OUTPUT: tuple[str, ...] = tuple(_verdict["methods_reading_not_digit_output"])
