/* The drawing pad: pointer input, strokes, and the two renderings of those strokes.
 *
 * The strokes are kept as points in a fixed 280x280 "bitmap space". From them:
 * - the visible #pad canvas is redrawn at the screen's resolution (its backing store
 *   is scaled by devicePixelRatio, so lines are crisp on high-DPI screens);
 * - an offscreen 280x280 "ink" canvas is drawn with exactly the parameters of ink.js; its
 *   RGBA pixels are what preprocessing receives. Because it does not depend on the
 *   screen, a drawing gives the same model input on every device, and an offline
 *   renderer (train/render.py: training, evaluation) reproduces it from the same numbers.
 *   Its pen is as wide as a fixed fraction of the drawing's extent (inkWidth), not the
 *   visible pen: a small digit keeps its loops open, as it would on paper.
 * The visible pad takes its paper and ink from #pad's CSS (background-color and color:
 * a dark theme gives light ink on dark paper); the ink bitmap is always black on white.
 */

import { drawStrokes, drawStrokesOver, INK_BITMAP, inkRegion, inkWidth, readRegion } from "./ink.js";

/**
 * Pointer drawing on a canvas. Events (EventTarget):
 * - "change": the ink changed (a point was added, a stroke undone or the pad cleared);
 * - "strokeend": a stroke was finished;
 * - "erase": ink was removed (undo, clear or a new bitmap shape): predictions of the older ink are stale.
 */
export class DrawingPad extends EventTarget {
  constructor(canvas) {
    super();
    this.canvas = canvas;
    this.bitmap = INK_BITMAP; // INK_BITMAP (Digit mode) or NUMBER_BITMAP (see setBitmap)
    this.strokes = []; // finished strokes
    this.current = null; // the stroke being drawn, or null
    this.pointerId = null;
    this.strokeRect = null; // the pad's box while a stroke is drawn (#toBitmap); null: read it at the next point
    this.boxMoved = () => (this.strokeRect = null); // mid-stroke: the window turned or resized, or the page scrolled
    this.boxes = []; // boxes drawn over the ink ([x, y, w, h] in bitmap pixels), see setBoxes
    this.selectedBox = -1;
    this.ink = document.createElement("canvas");
    this.inkContext = this.ink.getContext("2d", { willReadFrequently: true });
    this.inkDirty = true;
    this.inkErased = 0; // counts erases: a snapshot of older ink is stale
    this.finishedInk = null; // {pixels, strokes, lineWidth, erased}: the ink bitmap with the first `strokes` strokes
    this.screenDirty = true;
    this.frame = 0;
    this.screenColours = null; // the visible pad's pen (#screenStyle), once read

    canvas.dataset.lineWidth = String(INK_BITMAP.lineWidth);
    canvas.dataset.inkWidthRatio = String(INK_BITMAP.widthRatio);
    canvas.dataset.inkMinWidth = String(INK_BITMAP.minWidth);
    canvas.style.touchAction = "none";
    canvas.addEventListener("pointerdown", (e) => this.#down(e));
    canvas.addEventListener("pointermove", (e) => this.#move(e));
    canvas.addEventListener("pointerup", (e) => this.#up(e));
    // The browser took the pointer over (a gesture, a palm): the stroke is kept as drawn so far, as on screen;
    // Undo removes it (tests/page/test_storms.py).
    canvas.addEventListener("pointercancel", (e) => this.#up(e));
    canvas.addEventListener("lostpointercapture", (e) => this.#up(e)); // e.g. the window lost focus
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    new ResizeObserver(() => this.#resize()).observe(canvas);
    matchMedia(`(resolution: ${devicePixelRatio}dppx)`).addEventListener("change", () => this.#resize());
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => this.#resize()); // new colours
    this.setBitmap(INK_BITMAP);
  }

  /** Draws on a bitmap of this shape from now on (INK_BITMAP or NUMBER_BITMAP): the pad is cleared. */
  setBitmap(bitmap) {
    const changed = bitmap !== this.bitmap || this.ink.width !== bitmap.width;
    this.bitmap = bitmap;
    this.ink.width = bitmap.width;
    this.ink.height = bitmap.height;
    Object.assign(this.canvas.dataset, {
      bitmapSize: String(bitmap.width), // the square bitmap's side in Digit mode (kept for its tests)
      bitmapWidth: String(bitmap.width),
      bitmapHeight: String(bitmap.height),
    });
    this.boxes = [];
    if (changed && !this.isEmpty) {
      this.strokes = [];
      this.current = null;
      this.pointerId = null;
      this.#watchBox(false);
      this.#changed("erase");
    }
    this.inkDirty = true;
    this.#resize();
  }

  /** Number of finished strokes. */
  get finishedStrokes() {
    return this.strokes.length;
  }

  get isEmpty() {
    return this.strokes.length === 0 && this.current === null;
  }

  get isDrawing() {
    return this.current !== null;
  }

  /** Every stroke, the one being drawn included (arrays of [x, y] in bitmap pixels). */
  get allStrokes() {
    return this.current ? [...this.strokes, this.current] : this.strokes;
  }

  /** RGBA pixels of the ink bitmap's region that holds the ink (a fresh copy). */
  readPixels() {
    const strokes = this.allStrokes;
    const lineWidth = inkWidth(strokes);
    if (this.inkDirty) {
      this.#drawInk(lineWidth);
      this.inkDirty = false;
    }
    return readRegion(this.inkContext, inkRegion(strokes, lineWidth, this.bitmap));
  }

  /** Draws every stroke on the ink bitmap, from a snapshot of the finished strokes when one at this pen width
   * is kept: only the strokes since then are drawn over it. Redrawing them all at every read took about 60 ms
   * a frame with 120 strokes of 250 points (issue 39's storm of 1,000 pointer events a second, bench/storms.py).
   * The pixels are the same: strokes are drawn in order over opaque paper, and the copy is exact. */
  #drawInk(lineWidth) {
    const ctx = this.inkContext;
    const kept = this.finishedInk;
    const usable = kept && kept.erased === this.inkErased && kept.lineWidth === lineWidth &&
      kept.strokes <= this.strokes.length && kept.pixels.width === this.ink.width && kept.pixels.height === this.ink.height;
    if (usable) {
      ctx.putImageData(kept.pixels, 0, 0);
      drawStrokesOver(ctx, this.strokes.slice(kept.strokes), lineWidth, this.bitmap);
    } else {
      drawStrokes(ctx, this.strokes, lineWidth, this.bitmap);
    }
    if (this.strokes.length > 0 && (!usable || kept.strokes < this.strokes.length)) {
      const pixels = ctx.getImageData(0, 0, this.ink.width, this.ink.height);
      this.finishedInk = { pixels, strokes: this.strokes.length, lineWidth, erased: this.inkErased };
    }
    if (this.current) drawStrokesOver(ctx, [this.current], lineWidth, this.bitmap);
  }

  /** Boxes ([x, y, w, h] in bitmap pixels: the digits found in a number) drawn over the ink;
   * the `selected` one stands out. [] draws none. */
  setBoxes(boxes, selected = -1) {
    this.boxes = boxes;
    this.selectedBox = selected;
    this.screenDirty = true;
    this.#scheduleRedraw();
  }

  undo() {
    if (this.current !== null) return; // not in the middle of a stroke
    if (this.strokes.pop() === undefined) return;
    this.#changed("erase");
  }

  clear() {
    if (this.isEmpty) return;
    this.strokes = [];
    this.current = null;
    this.pointerId = null;
    this.#watchBox(false);
    this.boxes = [];
    this.#changed("erase");
  }

  /** The event's point in bitmap space, by the pad's box when its stroke began (`strokeRect`):
   * one layout read per stroke rather than per move (a forced layout while answers update). The box is
   * read again when it may have moved mid-stroke (a phone turned, a window resized, a scroll): with the
   * old one, the points drawn after it would land elsewhere in the bitmap than on the screen. */
  #toBitmap(event) {
    const rect = (this.strokeRect ??= this.canvas.getBoundingClientRect());
    return [
      ((event.clientX - rect.left) * this.bitmap.width) / rect.width,
      ((event.clientY - rect.top) * this.bitmap.height) / rect.height,
    ];
  }

  #down(event) {
    if (this.current !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    this.canvas.setPointerCapture(event.pointerId);
    this.pointerId = event.pointerId;
    this.strokeRect = null;
    this.#watchBox(true);
    this.current = [this.#toBitmap(event)];
    this.#changed();
  }

  #move(event) {
    if (event.pointerId !== this.pointerId || this.current === null) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of events.length ? events : [event]) this.current.push(this.#toBitmap(e));
    this.#changed();
  }

  #up(event) {
    if (event.pointerId !== this.pointerId || this.current === null) return;
    this.strokes.push(this.current);
    this.current = null;
    this.pointerId = null;
    this.strokeRect = null;
    this.#watchBox(false);
    this.#changed("strokeend");
  }

  /** Listens for the window's resizes and scrolls during a stroke only: a pad taken out of the page
   * leaves nothing of its own on the window. */
  #watchBox(on) {
    const listen = on ? "addEventListener" : "removeEventListener";
    window[listen]("resize", this.boxMoved);
    window[listen]("scroll", this.boxMoved, { capture: true, passive: true });
  }

  #changed(kind) {
    this.inkDirty = this.screenDirty = true;
    if (kind === "erase") this.inkErased++;
    this.#scheduleRedraw();
    if (kind) this.dispatchEvent(new Event(kind));
    this.dispatchEvent(new Event("change"));
  }

  /** The visible pad's pen: the ink bitmap's, in #pad's colours (its CSS color and background). */
  #screenStyle() {
    const css = getComputedStyle(this.canvas);
    return {
      ...this.bitmap,
      ink: css.color || INK_BITMAP.ink,
      paper: css.backgroundColor || INK_BITMAP.paper,
      box: css.getPropertyValue("--box").trim() || "#2463eb",
    };
  }

  #resize() {
    this.screenColours = null;
    this.strokeRect = null; // (mid-stroke: the pad changed size)
    const rect = this.canvas.getBoundingClientRect();
    const width = Math.max(1, Math.round(rect.width * devicePixelRatio));
    const height = Math.max(1, Math.round((width * this.bitmap.height) / this.bitmap.width));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.screenDirty = true;
    this.#scheduleRedraw();
  }

  #scheduleRedraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (!this.screenDirty) return;
      this.screenDirty = false;
      const ctx = this.canvas.getContext("2d");
      const scale = this.canvas.width / this.bitmap.width;
      ctx.setTransform(scale, 0, 0, scale, 0, 0);
      ctx.clearRect(0, 0, this.bitmap.width, this.bitmap.height); // a transparent paper shows the canvas's background
      this.screenColours ??= this.#screenStyle(); // read again after a resize or a change of theme
      drawStrokes(ctx, this.allStrokes, INK_BITMAP.lineWidth, this.screenColours);
      drawBoxes(ctx, this.boxes, this.selectedBox, this.screenColours.box);
    });
  }
}

/** The digits' boxes over the visible pad: dashed, the selected one solid and thicker. */
function drawBoxes(ctx, boxes, selected, colour) {
  ctx.strokeStyle = colour;
  boxes.forEach(([x, y, w, h], i) => {
    ctx.lineWidth = i === selected ? 3 : 1.5;
    ctx.setLineDash(i === selected ? [] : [6, 4]);
    ctx.strokeRect(x, y, w, h);
  });
  ctx.setLineDash([]);
}
