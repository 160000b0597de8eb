/* The element's shadow DOM. The ids are the page's test contract (tests/page/conftest.py);
 * inside a shadow root they are the element's own, so several elements never clash.
 * `part` names what a host page may style (::part(pad), ::part(digit), ...); the two
 * slots take the host's own content under the pad and under the bars. */

import { INK_BITMAP } from "./ink.js";
import { ABOUT } from "./layer-text.js";

/** The pad's accessible name in each mode (the element sets it when the mode changes; Digit mode's is the markup's). */
export const PAD_LABELS = {
  digit: "Drawing pad: draw one digit with the mouse, a pen or a finger (Escape clears, Ctrl+Z undoes)",
  number: "Drawing pad: write a number, digit after digit, with the mouse, a pen or a finger (Escape clears, Ctrl+Z undoes)",
};

export const TEMPLATE = document.createElement("template");

TEMPLATE.innerHTML = `
<div class="frame">
  <section class="pad-column" aria-label="Drawing pad">
    <div class="stack">
      <canvas id="pad" part="pad" width="${INK_BITMAP.width}" height="${INK_BITMAP.height}" tabindex="0"
              aria-label="${PAD_LABELS.digit}"></canvas>
      <canvas id="gradcam" class="heat" width="${INK_BITMAP.width}" height="${INK_BITMAP.height}" data-class="" data-source=""
              role="img" aria-label="Grad-CAM heatmap over the drawing" hidden></canvas>
    </div>
    <div class="buttons" part="buttons">
      <button id="undo" type="button" title="Undo the last stroke (Ctrl+Z)">Undo</button>
      <button id="clear" type="button" title="Clear the pad (Escape)">Clear</button>
    </div>
    <slot name="under-pad"></slot>
  </section>
  <section class="answer-column" aria-label="Prediction">
    <div id="error" class="error" part="error" role="alert" hidden></div>
    <div id="prediction" data-state="loading" data-digit="" data-probs="[]" data-strokes="0" data-verdict=""
         data-not-digit="" data-mode="digit" data-number="" data-digits="[]"
         data-adapted="false" data-remembered="0">
      <span class="digit" id="digit" part="digit">?</span>
      <span class="confidence" id="confidence" part="confidence"></span>
      <span class="verdict" id="verdict" part="verdict"></span>
    </div>
    <ol id="digits" class="digits" part="digits" aria-label="The digits found, left to right: pick one to see its bars" hidden></ol>
    <p id="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></p>
    <p id="hint" class="hint">Loading…</p>
    <div id="teach" class="teach" part="teach" hidden>
      <div class="teach-row" role="group" aria-labelledby="teach-label">
        <span id="teach-label" class="teach-label">Not right? It's a</span>
        ${Array.from({ length: 10 }, (_, d) => `<button type="button" data-digit="${d}" aria-label="It's a ${d}: remember this drawing as ${d}" disabled>${d}</button>`).join("")}
      </div>
      <p class="remembered"><span id="remembered">Your handwriting: no examples yet</span>
        <button id="forget" type="button" disabled>Forget</button></p>
    </div>
    <ol id="bars" class="bars" part="bars" aria-label="Probability of each digit"></ol>
    <slot name="under-bars"></slot>
    <figure id="input" class="model-input" part="input" hidden>
      <div class="stack">
        <canvas id="input28" width="28" height="28" data-pixels="[]" role="img"
                aria-label="What the model sees: your drawing as a 28 by 28 pixel image; empty."></canvas>
        <canvas id="gradcam28" class="heat" width="112" height="112" aria-hidden="true" hidden></canvas>
      </div>
      <figcaption>What the model sees: the 28×28 input, enlarged</figcaption>
    </figure>
    <ol id="stages" class="stages" part="stages" aria-label="Loading progress">
      <li data-stage="python">Python</li>
      <li data-stage="numpy">numpy</li>
      <li data-stage="model">Model</li>
    </ol>
    <div id="progress" class="progress" part="progress" data-done="0" data-total="0" hidden>
      <progress id="progress-bar" value="0" aria-label="Downloading Python, numpy, onnxruntime and the model"></progress>
      <span id="progress-text" class="progress-text"></span>
    </div>
  </section>
  <section id="layers" class="layers" part="layers" aria-labelledby="layers-title" data-state="empty" data-order="brightest"
           data-model="" hidden>
    <h2 id="layers-title">Inside the network</h2>
    <p id="layers-status" class="layers-status"></p>
    <div class="layers-body">
      <p class="layers-caption">Each tile is a feature map: where in the drawing one filter of the stage found its pattern.
        Brightest first sorts a stage's maps by their mean; untick it for channel order. Grey levels are per stage: every map
        is divided by the stage's strongest value, so its tiles compare; black is nothing found.
        <label class="layers-order"><input type="checkbox" id="layers-order" checked> Brightest first</label></p>
      <div id="layers-focus" class="layers-focus" data-pick-layer="" data-pick-channel="">
        <figure><canvas id="layers-input" width="28" height="28" role="img" aria-label="The input, 28 by 28"></canvas>
          <figcaption>The input, 28×28</figcaption></figure>
        <figure id="layers-picked-figure" hidden><canvas id="layers-picked" width="28" height="28" role="img" aria-label="The map picked, enlarged"></canvas>
          <figcaption id="layers-picked-caption"></figcaption></figure>
        <figure id="layers-before-figure" hidden><canvas id="layers-before" width="28" height="28" role="img" aria-label="The map before pooling"></canvas>
          <figcaption id="layers-before-caption"></figcaption></figure>
        <figure id="layers-kernels-figure" class="kernels" hidden><canvas id="layers-kernels" width="3" height="3" role="img" aria-label="The kernels of the map picked"></canvas>
          <figcaption id="layers-kernels-caption"></figcaption></figure>
        <p id="layers-about" class="layers-about"></p>
      </div>
      <div id="layers-stages" class="layers-stages"></div>
      <section class="layer-stage" data-layer="hidden">
        <h3>The hidden layer: 128 units</h3>
        <canvas id="layers-hidden" class="strip" width="128" height="1" role="img" aria-label="The 128 hidden units"></canvas>
        <p class="layer-note">${ABOUT.hidden}</p>
      </section>
      <section class="layer-stage" data-layer="outputs">
        <h3>The outputs: one per digit</h3>
        <canvas id="layers-outputs" class="strip outputs" width="10" height="1" role="img" aria-label="The ten outputs"></canvas>
        <ol class="output-labels" aria-hidden="true">${Array.from({ length: 10 }, (_, d) => `<li>${d}</li>`).join("")}</ol>
        <p class="layer-note">${ABOUT.outputs}</p>
      </section>
    </div>
  </section>
</div>`;
