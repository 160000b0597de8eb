/* The element's styles: one constructed style sheet, shared by every element on the page
 * (no request, no flash of unstyled parts, allowed by a Content-Security-Policy that
 * forbids inline styles).
 *
 * The host page's rules cannot select anything in the shadow root, but inherited
 * properties (font, colour, line height, ...) would flow in through the host element:
 * `.frame` starts again from `all: initial`, and sizes are in px, not rem (a host may
 * change the root font size). Custom properties do inherit: --digit-pad-accent,
 * --digit-pad-ink and --digit-pad-paper theme the element. It follows the reader's
 * prefers-color-scheme (the visible pad too, pad.js reads its colours from #pad; the
 * model's ink bitmap stays black on white) and prefers-reduced-motion. On a narrow
 * screen the prediction moves above the pad (the columns become display: contents, their
 * parts ordered): what the network thinks stays in sight while a finger draws. */

export const STYLES = new CSSStyleSheet();

STYLES.replaceSync(`
:host { display: block; }
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }

.frame {
  all: initial;
  box-sizing: border-box;
  --ink: var(--digit-pad-ink, #1d2330);
  --paper: var(--digit-pad-paper, #ffffff);
  --accent: var(--digit-pad-accent, #2463eb);
  --muted: #5b6475;
  --line: #d5dae3;
  --bad: #b42318;
  --track: #e6e9ef;
  --bar: #9aa7bd;
  --picked: #eef3fe;
  --error-back: #fff4f2;
  color-scheme: light dark;
  display: flex;
  flex-wrap: wrap;
  gap: 24px;
  align-items: flex-start;
  font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink);
}

@media (prefers-color-scheme: dark) {
  .frame {
    --ink: var(--digit-pad-ink, #e6e9ef);
    --paper: var(--digit-pad-paper, #1b1f27);
    --accent: var(--digit-pad-accent, #8ab0ff);
    --muted: #a9b2c3;
    --line: #444c5c;
    --bad: #ff9585;
    --track: #2c323e;
    --bar: #6f7c94;
    --picked: #1f2b45;
    --error-back: #2e1714;
  }
}

.pad-column { flex: 1 1 288px; max-width: 448px; min-width: 0; }
.answer-column { flex: 1 1 256px; min-width: 0; }

.stack { position: relative; }

#pad {
  display: block;
  width: 100%;
  aspect-ratio: 1;
  background: var(--paper);
  color: var(--ink); /* the visible pen (pad.js): both follow the theme */
  border: 1px solid var(--line);
  border-radius: 8px;
  touch-action: none;
  cursor: crosshair;
  user-select: none;
  -webkit-user-select: none;
}
#pad:focus { outline: none; }
#pad:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }

/* A heatmap laid exactly over its canvas (Grad-CAM, heatmap-overlay.js). */
.stack .heat {
  position: absolute;
  inset: 0;
  width: 100%;
  height: 100%;
  pointer-events: none; /* strokes go to the pad underneath */
  border-radius: 8px;
}

.buttons { display: flex; gap: 8px; margin-top: 8px; }

button {
  font: inherit;
  color: inherit;
  margin: 0;
  padding: 6px 16px;
  border: 1px solid var(--line);
  border-radius: 6px;
  background: var(--paper);
  cursor: pointer;
}
button:hover { border-color: var(--accent); }

/* The same red box as the site's pages' .error (css/page.css): a host's sheet cannot reach in. */
.error { margin: 0 0 16px; padding: 12px 16px; border: 1px solid var(--bad); border-radius: 6px;
         color: var(--bad); background: var(--error-back); white-space: pre-wrap; }

#prediction { display: flex; align-items: baseline; gap: 12px; min-height: 72px; }
.digit { font-size: 64px; font-weight: 700; line-height: 1; font-variant-numeric: tabular-nums; }
/* One character, one width ("?", "–" or a digit): what follows it never moves sideways. */
:host(:not([mode="number"])) .digit { display: inline-block; width: 0.6em; text-align: center; }
.confidence { font-size: 21px; color: var(--muted); font-variant-numeric: tabular-nums; }
#prediction { flex-wrap: wrap; }
.verdict { flex-basis: 100%; font-size: 18px; font-weight: 600; min-height: 1.4em; } /* 1.4: the line height */
#prediction[data-verdict="not-digit"] .digit,
#prediction[data-verdict="not-digit"] .confidence { color: var(--muted); opacity: 0.45; }
.bars[data-verdict="not-digit"] .fill { opacity: 0.3; }
.bars[data-verdict="not-digit"] li.top .fill { background: var(--bar); }
#prediction[data-state="loading"] .digit,
#prediction[data-state="error"] .digit { color: var(--line); }

/* Number mode (the host's mode="number"): a wide pad, the number big, a chip per digit. */
#pad { --box: var(--accent); } /* the digits' boxes over the ink (pad.js) */
:host([mode="number"]) .pad-column { flex: 1 1 100%; max-width: none; }
:host([mode="number"]) #pad { aspect-ratio: 3; }
:host([mode="number"]) #prediction { flex-wrap: nowrap; }
/* The number takes the line, the count a box of its own at its end: neither moves as they change. */
:host([mode="number"]) .digit {
  flex: 1 1 0; min-width: 0; letter-spacing: 0.04em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
:host([mode="number"]) .verdict { display: none; } /* each chip says its own */
:host([mode="number"]) .confidence { flex: 0 0 auto; width: 8.5em; text-align: right; white-space: nowrap; }
/* Room for a row of chips from the start: the pad must not move while someone writes on it. */
.digits { list-style: none; display: flex; gap: 6px; margin: 4px 0 12px; padding: 0; min-height: 58px; }
.digits li { flex: 0 1 60px; min-width: 0; } /* one row: chips narrow rather than wrap */
.digits button { display: flex; flex-direction: column; text-align: center; width: 100%; padding: 4px 2px; }
.digits .read { font-size: 26px; font-weight: 700; line-height: 1.1; }
.digits .sure { font-size: 13px; color: var(--muted); }
.digits button[aria-pressed="true"] { border-color: var(--accent); background: var(--picked); }
.digits li[data-read="false"] .read { color: var(--bad); }

.hint { min-height: 1.4em; color: var(--muted); margin: 4px 0 12px; }
.teach { margin: 0 0 12px; }
.teach-row { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; }
.teach-label { margin-right: 4px; }
.teach-row button { min-width: 44px; min-height: 44px; padding: 0; font-variant-numeric: tabular-nums; }
.teach-row button:disabled, #forget:disabled { opacity: 0.45; cursor: default; }
.remembered { margin: 6px 0 0; min-height: 44px; display: flex; align-items: center; gap: 8px; flex-wrap: wrap;
              color: var(--muted); }
#forget { min-height: 44px; }

.bars { list-style: none; padding: 0; margin: 0 0 16px; }
.bars li { height: 22px; font-variant-numeric: tabular-nums; }
.bars .bar {
  display: grid;
  grid-template-columns: 19px 1fr 56px;
  align-items: center;
  gap: 8px;
  width: 100%;
  height: 100%;
  padding: 0 3px;
  border: 1px solid transparent;
  border-radius: 5px;
  background: none;
  text-align: left;
}
.bars .bar:disabled { cursor: default; color: inherit; }
.bars .track { height: 13px; background: var(--track); border-radius: 3px; overflow: hidden; }
.bars .fill { display: block; height: 100%; width: 0; background: var(--bar); transition: width 80ms ease-out; }
.bars li.top .fill { background: var(--accent); }
.bars li.top .label { font-weight: 700; }
.bars li.picked .bar { border-color: var(--accent); background: var(--picked); }
.bars .value { text-align: right; color: var(--muted); font-size: 14px; }

.model-input { margin: 0 0 16px; }
.model-input .stack { width: 112px; height: 112px; }
.model-input .stack .heat { border-radius: 4px; }
#input28 {
  display: block;
  width: 112px;
  height: 112px;
  image-rendering: pixelated;
  background: #000;
  border-radius: 4px;
}
.model-input figcaption { color: var(--muted); font-size: 14px; }

.stages { display: flex; gap: 16px; list-style: none; padding: 0; margin: 0; font-size: 14px; color: var(--muted); }
.stages li::before { content: "○ "; }
.stages li[data-status="active"] { color: var(--accent); }
.stages li[data-status="active"]::before { content: "◔ "; }
.stages li[data-status="done"]::before { content: "● "; }
/* The downloads while it loads (download-progress.js), under the stages. */
.progress { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; margin-top: 8px; font-size: 14px;
            color: var(--muted); font-variant-numeric: tabular-nums; }
.progress progress { flex: 0 1 200px; height: 8px; accent-color: var(--accent); }

/* Inside the network (the layers attribute, layers-view.js): under both columns, the whole width. Tiles
   and strips are painted at their maps' size and shown enlarged, pixel for pixel; blank ones show the track. */
.layers { flex: 1 1 100%; min-width: 0; border-top: 1px solid var(--line); padding-top: 12px; }
.layers h2 { font-size: 20px; margin: 0 0 4px; }
.layers h3 { font-size: 15px; font-weight: 600; margin: 14px 0 6px; }
.layers-status { margin: 0 0 8px; color: var(--muted); min-height: 1.4em; }
.layers[data-state="none"] .layers-body { display: none; }
.layers-caption { font-size: 14px; color: var(--muted); margin: 0 0 12px; max-width: 72ch; }
.layers-order { display: inline-flex; align-items: center; gap: 6px; margin-left: 6px; color: var(--ink); white-space: nowrap; }
.layers-focus { display: flex; flex-wrap: wrap; gap: 12px 16px; align-items: flex-start; }
.layers-focus figure { margin: 0; font-size: 13px; color: var(--muted); max-width: 200px; }
.layers canvas { display: block; image-rendering: pixelated; background: var(--track); }
.layers-focus figure:not(.kernels) canvas { width: 112px; height: 112px; border-radius: 4px; }
.layers-focus .kernels canvas { background: none; } /* the page shows between the kernels */
.layers-about { flex: 1 1 220px; margin: 0; font-size: 15px; max-width: 60ch; }
.layers .tiles { display: flex; flex-wrap: wrap; gap: 3px; }
.layers .tile { width: var(--tile-w, 42px); height: var(--tile-h, 42px); border-radius: 2px; cursor: pointer; }
.layers .tile.picked { outline: 2px solid var(--accent); outline-offset: 1px; }
.layers .tile:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.layers .strip { width: 100%; max-width: 512px; height: 20px; border-radius: 3px; box-shadow: 0 0 0 1px var(--muted); }
.layers .strip.outputs { max-width: 320px; height: 28px; }
.output-labels { list-style: none; display: grid; grid-template-columns: repeat(10, 1fr); max-width: 320px; margin: 2px 0 0;
                 padding: 0; font-size: 13px; text-align: center; color: var(--muted); font-variant-numeric: tabular-nums; }
.layer-note { font-size: 14px; color: var(--muted); margin: 6px 0 0; max-width: 72ch; }

/* Read by screen readers, not shown (the announcer, announcer.js). */
.visually-hidden {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;
}

@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { transition: none !important; animation: none !important; }
}

/* Phones (portrait): the prediction above the pad, the pad the whole width. */
@media (max-width: 599px) {
  .frame { gap: 8px 16px; }
  .pad-column, .answer-column { display: contents; }
  .frame > *, .pad-column > *, .answer-column > * { flex: 1 1 100%; min-width: 0; }
  #error { order: 0; }
  /* Above the pad, the answer keeps one height whatever it says, the verdict on a line of its own:
     the pad must not move under the finger. */
  #prediction { order: 1; height: 72px; gap: 0 12px; align-items: center; align-content: center; overflow: hidden; }
  .digit { font-size: 44px; }
  .confidence { font-size: 19px; }
  .verdict { font-size: 16px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .pad-column > .stack { order: 2; }
  .buttons { order: 3; margin-top: 0; }
  #hint { order: 4; margin: 0; min-height: 2.8em; } /* two lines kept: what follows stays put */
  .teach { order: 4; margin: 0; }
  .teach-row button { flex: 1 0 44px; }
  .pad-column > slot, .answer-column > slot { display: block; }
  .pad-column > slot { order: 5; }
  .bars { order: 6; }
  .answer-column > slot { order: 7; }
  .model-input { order: 8; }
  .digits { order: 1; margin: 0; gap: 4px; }
  :host([mode="number"]) #prediction { flex-wrap: nowrap; height: 48px; overflow: hidden; white-space: nowrap; }
  :host([mode="number"]) .digit { font-size: 36px; }
  :host([mode="number"]) .confidence { display: none; } /* the number takes the width; the chips count */
  .digits .read { font-size: 22px; }
  .stages, .progress { order: 9; }
  .layers { order: 10; }
}

/* Phones held sideways: the pad as tall as the screen allows, the answer beside it. */
@media (orientation: landscape) and (max-height: 499px) {
  .pad-column { flex: 0 1 auto; width: min(448px, calc(100vh - 24px)); }
  .answer-column { flex: 1 1 240px; }
  #prediction { min-height: 56px; }
  .digit { font-size: 48px; }
  :host([mode="number"]) .pad-column { flex: 1 1 100%; width: auto; max-width: calc(3 * (100vh - 24px)); }
}
`);
