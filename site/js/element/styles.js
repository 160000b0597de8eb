/* The element's styles: one constructed style sheet, shared by every element on the page
 * (no request, no flash of unstyled parts, allowed by a Content-Security-Policy that
 * forbids inline styles).
 *
 * The host page's rules cannot select anything in the shadow root, but inherited
 * properties (font, colour, line height, ...) would flow in through the host element:
 * `.frame` starts again from `all: initial`, and sizes are in px, not rem (a host may
 * change the root font size). Custom properties do inherit: --digit-pad-accent,
 * --digit-pad-ink and --digit-pad-paper theme the element. */

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
  display: flex;
  flex-wrap: wrap;
  gap: 24px;
  align-items: flex-start;
  font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink);
}

.pad-column { flex: 1 1 288px; max-width: 448px; min-width: 0; }
.answer-column { flex: 1 1 256px; min-width: 0; }

.stack { position: relative; }

#pad {
  display: block;
  width: 100%;
  aspect-ratio: 1;
  background: var(--paper);
  border: 1px solid var(--line);
  border-radius: 8px;
  touch-action: none;
  cursor: crosshair;
  user-select: none;
  -webkit-user-select: none;
}
#pad:focus { outline: none; }
#pad:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }

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
         color: var(--bad); background: #fff4f2; white-space: pre-wrap; }

#prediction { display: flex; align-items: baseline; gap: 12px; min-height: 72px; }
.digit { font-size: 64px; font-weight: 700; line-height: 1; }
.confidence { font-size: 21px; color: var(--muted); }
#prediction { flex-wrap: wrap; }
.verdict { flex-basis: 100%; font-size: 18px; font-weight: 600; min-height: 1.3em; }
#prediction[data-verdict="not-digit"] .digit,
#prediction[data-verdict="not-digit"] .confidence { color: var(--muted); opacity: 0.45; }
.bars[data-verdict="not-digit"] .fill { opacity: 0.3; }
.bars[data-verdict="not-digit"] li.top .fill { background: var(--bar); }
#prediction[data-state="loading"] .digit,
#prediction[data-state="error"] .digit { color: var(--line); }

.hint { min-height: 1.3em; color: var(--muted); margin: 4px 0 12px; }

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
.bars .fill { display: block; height: 100%; width: 0; background: var(--bar); }
.bars li.top .fill { background: var(--accent); }
.bars li.top .label { font-weight: 700; }
.bars li.picked .bar { border-color: var(--accent); background: #eef3fe; }
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
`);
