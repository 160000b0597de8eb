/* One stage of the layers view (layers-view.js): its heading, and one small canvas per feature map.
 *
 * The tiles are made once per stage shape; each prediction only paints into them (one ImageData per
 * stage, reused) — no markup, no layout. Ordered brightest first, a tile's place keeps its canvas
 * and the channel it shows changes (its data-channel says which): focus stays put and nothing moves
 * in the DOM. Grey levels are per stage: every map divided by the stage's strongest value, so that
 * the tiles of a stage compare; a map that is all zero is black.
 *
 * Keyboard: the tiles are buttons in network order, one tab stop per stage (a roving tabindex);
 * the arrow keys, Home and End move within the stage, Enter or Space picks. */

import { greyImage, paintGrey, peakOf } from "./layer-paint.js";
import { stageHeading, stageSummary, tileName } from "./layer-text.js";

const STRONGEST_SAID = 3; // channels named in the text alternative
const TILE_PX = 40; // a tile is shown at least this big, at a whole multiple of its map's size

export class StageGroup {
  /** Stage `index` of the network, shaped as `stage` ({name, channels, height, width}); `onPick(name,
   * channel)` is told when a tile is picked. */
  constructor(index, stage, onPick) {
    const { name, channels, height, width } = stage;
    Object.assign(this, { index, name, channels, height, width });
    this.section = document.createElement("section");
    this.section.className = "layer-stage";
    this.section.dataset.layer = name;
    const heading = document.createElement("h3");
    heading.textContent = stageHeading(index, stage);
    this.group = document.createElement("div");
    this.group.className = "tiles";
    this.group.setAttribute("role", "group");
    const scale = Math.max(1, Math.ceil(TILE_PX / Math.max(height, width)));
    this.group.style.setProperty("--tile-w", `${width * scale}px`);
    this.group.style.setProperty("--tile-h", `${height * scale}px`);
    this.tiles = Array.from({ length: channels }, (_, channel) => this.#tile(channel));
    this.group.append(...this.tiles);
    this.section.append(heading, this.group);
    this.contexts = this.tiles.map((tile) => tile.getContext("2d"));
    this.image = greyImage(this.contexts[0], width, height);
    this.means = new Float64Array(channels);
    this.order = Array.from({ length: channels }, (_, c) => c); // the channel shown at each place
    this.scale = 0; // 255 / the stage's strongest value, as last painted
    this.picked = null; // the channel picked in this stage, or null
    this.summary = "";
    this.group.addEventListener("click", (event) => {
      if (!this.tiles.includes(event.target)) return;
      this.#tabStop(event.target);
      onPick(name, Number(event.target.dataset.channel));
    });
    this.group.addEventListener("keydown", (event) => this.#key(event, onPick));
    this.clear();
  }

  #tile(channel) {
    const tile = document.createElement("canvas");
    tile.className = "tile";
    tile.width = this.width;
    tile.height = this.height;
    tile.dataset.layer = this.name;
    tile.dataset.channel = String(channel);
    tile.tabIndex = channel === 0 ? 0 : -1;
    tile.setAttribute("role", "button");
    tile.setAttribute("aria-pressed", "false");
    tile.setAttribute("aria-label", tileName(this.name, channel));
    return tile;
  }

  /** Whether this group shows stage `index` shaped as `stage`. */
  fits(index, { name, channels, height, width }) {
    return index === this.index && name === this.name && channels === this.channels &&
      height === this.height && width === this.width;
  }

  /** Paints `stage.data` (channels * height * width, C,H,W), brightest first (by each map's mean)
   * or in channel order. */
  draw(stage, brightestFirst) {
    const { data } = stage;
    const size = this.height * this.width;
    const peak = peakOf(data, 0, this.channels * size);
    this.scale = peak > 0 ? 255 / peak : 0;
    for (let c = 0; c < this.channels; c++) {
      let sum = 0;
      for (let i = c * size; i < (c + 1) * size; i++) sum += data[i];
      this.means[c] = sum / size;
    }
    const ranked = this.order.slice().sort((a, b) => this.means[b] - this.means[a] || a - b);
    if (brightestFirst) this.order = ranked;
    else this.order.sort((a, b) => a - b);
    this.order.forEach((channel, place) => {
      paintGrey(this.image, data, channel * size, size, this.scale);
      this.contexts[place].putImageData(this.image, 0, 0);
      this.#show(place, channel);
    });
    this.#say(stageSummary(this.index, this, ranked.filter((c) => this.means[c] > 0).slice(0, STRONGEST_SAID)));
  }

  /** Nothing drawn: the tiles blank (the stage's background shows), in channel order. */
  clear() {
    this.order.sort((a, b) => a - b);
    this.order.forEach((channel, place) => {
      const context = this.contexts[place];
      context.clearRect(0, 0, this.width, this.height);
      this.#show(place, channel);
    });
    this.scale = 0;
    this.#say(stageSummary(this.index, this, null));
  }

  /** Marks `channel`'s tile picked (null: none). */
  setPicked(channel) {
    this.picked = channel;
    this.order.forEach((shown, place) => this.#pressed(this.tiles[place], shown === channel));
  }

  /** The tile at `place` shows `channel` now: its data-channel and name follow. */
  #show(place, channel) {
    const tile = this.tiles[place];
    if (tile.dataset.channel === String(channel)) return;
    tile.dataset.channel = String(channel);
    tile.setAttribute("aria-label", tileName(this.name, channel));
    this.#pressed(tile, channel === this.picked);
  }

  #pressed(tile, on) {
    if ((tile.getAttribute("aria-pressed") === "true") === on) return;
    tile.setAttribute("aria-pressed", String(on));
    tile.classList.toggle("picked", on);
  }

  #say(summary) {
    if (summary === this.summary) return;
    this.summary = summary;
    this.group.setAttribute("aria-label", summary);
  }

  #key(event, onPick) {
    const place = this.tiles.indexOf(event.target);
    if (place < 0) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onPick(this.name, Number(event.target.dataset.channel));
      return;
    }
    const last = this.tiles.length - 1;
    const moves = {
      ArrowLeft: place - 1, ArrowRight: place + 1, Home: 0, End: last,
      ArrowUp: place - this.#columns(), ArrowDown: place + this.#columns(),
    }; // fmt: skip
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = this.tiles[Math.max(0, Math.min(last, moves[event.key]))];
    this.#tabStop(next);
    next.focus();
  }

  /** `tile` is the stage's one tab stop (a roving tabindex). */
  #tabStop(tile) {
    for (const each of this.tiles) each.tabIndex = each === tile ? 0 : -1;
  }

  /** Tiles per row, as laid out now (read on a key press only, never while painting). */
  #columns() {
    const top = this.tiles[0].offsetTop;
    const row = this.tiles.findIndex((tile) => tile.offsetTop !== top);
    return row < 0 ? this.tiles.length : row;
  }
}
