/* embed.html: the snippet with this server's own path, and the elements' events as they come. */

const script = new URL("element/digit-pad.js", import.meta.url);
document.getElementById("snippet-here").textContent =
  `<script type="module" src="${script.pathname}"></script>\n<digit-pad></digit-pad>`;

const log = document.getElementById("event-log");

/** An event's detail in one short line: numbers rounded, strokes counted. */
function summary(detail) {
  if (detail === null) return "null";
  const shown = { ...detail };
  if (Array.isArray(shown.probs)) shown.probs = shown.probs.map((p) => Number(p.toFixed(3)));
  if (Array.isArray(shown.strokes)) shown.strokes = `[${shown.strokes.length} strokes]`;
  return JSON.stringify(shown);
}

for (const type of ["digit-pad:ready", "digit-pad:prediction", "digit-pad:error"]) {
  document.addEventListener(type, (event) => {
    const line = `#${event.target.id}  ${type}  ${summary(event.detail)}`;
    log.textContent = [line, ...log.textContent.split("\n").filter((l) => l.startsWith("#"))].slice(0, 6).join("\n");
  });
}
