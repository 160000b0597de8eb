/* The layers view's words (layers-view.js): what each stage of the CNN is called, one sentence on what
 * it does, and the text alternatives of its tiles. The CNN's stages, in network order: conv1 and conv2
 * (24 maps of 28x28), pool1 (24 of 14x14), conv3 and conv4 (48 of 14x14), pool2 (48 of 7x7); then the
 * 128 hidden units and the ten outputs. A stage this file does not know is called by its name. */

export const LABELS = {
  conv1: "the first convolution",
  conv2: "the second convolution",
  pool1: "the first max-pool",
  conv3: "the third convolution",
  conv4: "the fourth convolution",
  pool2: "the second max-pool",
};

/** One sentence per stage (and for the input, the hidden units and the outputs): what it does. */
export const ABOUT = {
  input:
    "The input: your drawing, centred and shrunk to 28×28 pixels as MNIST's digits were; the network sees nothing else.",
  conv1:
    "The first convolution: each of its 24 3×3 kernels responds to a small stroke piece — an edge, a bar at one " +
    "angle, an end — wherever it lies in the drawing.",
  conv2:
    "The second convolution combines the first one's 24 maps: each kernel looks at a 3×3 patch of all of them at " +
    "once, so its map lights up at corners, bends and crossings made of those pieces.",
  pool1:
    "Max-pooling halves the map: each cell keeps the strongest of four, so a feature found a pixel to the side " +
    "still counts.",
  conv3:
    "The third convolution works on the halved maps, so each 3×3 kernel now sees about 10×10 pixels of the " +
    "drawing: loops, long strokes and the joins between them.",
  conv4:
    "The fourth convolution sees about 14×14 pixels at a time: its 48 maps fire where a part of a digit is — the " +
    "top bar of a 7, the lower loop of a 6, the waist of an 8.",
  pool2:
    "The second max-pool halves again, to 7×7: what was found now matters more than exactly where, which lets " +
    "the network read a digit drawn a little off.",
  hidden:
    "The hidden layer: 128 units, each a weighted sum of every cell of the last pooled maps (after ReLU: zero or " +
    "more). Each unit stands for a mix of parts; the answer is read from these 128 numbers alone.",
  outputs:
    "The outputs: ten scores computed from the hidden units, turned into probabilities (calibrated on held-out " +
    "digits); the brightest is the answer.",
};

export const POOL_KERNELS = "A max-pool: no kernels. It keeps the largest of each 2×2 block of the map before it.";

/** "conv1" → "conv1, the first convolution". */
export function stageTitle(name) {
  return LABELS[name] ? `${name}, ${LABELS[name]}` : name;
}

/** The heading of stage `index` (0: the first): "Stage 1 · conv1, the first convolution: 24 maps, 28×28". */
export function stageHeading(index, { name, channels, height, width }) {
  return `Stage ${index + 1} · ${stageTitle(name)}: ${channels} maps, ${height}×${width}`;
}

/** A stage's text alternative: "Stage 2, conv2: 24 maps, the strongest 7, 31, 12" (`strongest`: channel
 * indices, strongest first; empty: nothing drawn, or every map zero). */
export function stageSummary(index, { name, channels }, strongest) {
  const start = `Stage ${index + 1}, ${name}: ${channels} maps`;
  if (strongest === null) return `${start}; nothing drawn`;
  return strongest.length ? `${start}, the strongest ${strongest.join(", ")}` : `${start}, all zero`;
}

/** A tile's accessible name: "conv1, map 7". */
export const tileName = (name, channel) => `${name}, map ${channel}`;

/** The hidden strip's text alternative, from its 128 values. */
export function hiddenSummary(hidden, strongest) {
  if (!hidden) return "The 128 hidden units: nothing drawn";
  let active = 0;
  for (const v of hidden) if (v > 0) active++;
  const top = strongest.length ? `; the strongest ${strongest.join(", ")}` : "";
  return `The ${hidden.length} hidden units: ${active} active${top}`;
}

/** The outputs' text alternative: "Outputs: 7 at 98.2%, then 1 at 1.1%". */
export function outputsSummary(probs) {
  if (!probs?.length) return "The ten outputs: nothing drawn";
  const [first, second] = [...probs.keys()].sort((a, b) => probs[b] - probs[a]);
  const at = (d) => `${d} at ${(probs[d] * 100).toFixed(1)}%`;
  return `The ten outputs: ${at(first)}, then ${at(second)}`;
}

/** Kernels' text alternative (`count` 3x3 kernels of `data` from `offset`, that make `name` map `channel`):
 * one kernel's nine weights row by row; for many, how many. */
export function kernelText(data, offset, count, name, channel) {
  if (count > 1) return `${count} kernels of 3 by 3 weights that make ${name} map ${channel}`;
  const rows = [0, 1, 2].map((r) => [0, 1, 2].map((c) => Number(data[offset + 3 * r + c]).toFixed(2)).join(", "));
  return `The 3 by 3 kernel of ${name} map ${channel}, row by row: ${rows.join("; ")}`;
}
