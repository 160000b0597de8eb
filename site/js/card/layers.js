/* The model card's "How to read the layers": the first convolution's kernels (card.output.layers.kernels_conv1:
 * {dims: [24, 1, 3, 3], data: 216 weights, batch normalization folded in}), each a 3x3 tile in the
 * palette of the digit pad's own layers view (element/layer-paint.js). The section's words are the
 * page's (card.html); a card without the kernels gets a note. */

import { drawKernels } from "../element/layer-paint.js";
import { kernelText } from "../element/layer-text.js";
import { element } from "./sections.js";

/** The section's nodes: the kernels with their legend, or a note saying why there are none. */
export function layerKernels(card) {
  const kernels = card.output?.layers?.kernels_conv1;
  if (!kernels) {
    const why = card.architecture?.class === "MLP"
      ? "The MLP has no convolutions, so no kernels and no feature maps: each unit of its first layer weighs all 784 " +
        "pixels at once."
      : `This model card lists no kernels. Give the model file its layer outputs (\`python -m export.layers site/models/${card.name}.onnx\`) to add them.`;
    return [element("p", { class: "note", id: "kernels-missing" }, why)];
  }
  const [count, inputs] = kernels.dims;
  const tiles = Array.from({ length: count }, (_, k) => {
    const canvas = element("canvas", { role: "img" });
    const largest = drawKernels(canvas, kernels.data, k * inputs * 9, inputs);
    canvas.setAttribute("aria-label", kernelText(kernels.data, k * inputs * 9, inputs, "conv1", k));
    canvas.title = `conv1, map ${k}: largest weight ${largest.toPrecision(2)}`;
    return element("figure", { class: "kernel-tile", "data-channel": String(k) }, canvas,
      element("figcaption", {}, String(k)));
  });
  const legend = element("p", { class: "note" },
    element("span", { class: "kernel-key positive" }, "orange: a weight that adds"),
    element("span", { class: "kernel-key zero" }, "grey: about zero"),
    element("span", { class: "kernel-key negative" }, "purple: a weight that subtracts"),
    " Each kernel is scaled by its own largest weight; numbered as the maps of the digit pad's layers view.");
  return [element("div", { class: "kernel-tiles", id: "conv1-kernels", "data-count": String(count) }, ...tiles), legend];
}
