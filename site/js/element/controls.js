/* The element's controls besides drawing: its Undo and Clear buttons, and Escape and Ctrl+Z (Cmd+Z)
 * pressed inside it. Drawing focuses the pad, so that the keys work on the element just drawn on. */

/** Wires the controls in `element`'s shadow `root` to its clear() and undo(); `pad` is its DrawingPad. */
export function addControls(element, root, pad) {
  root.getElementById("clear").addEventListener("click", () => element.clear());
  root.getElementById("undo").addEventListener("click", () => element.undo());
  // Drawing focuses the pad: its pointerdown cancels the mouse's own focusing.
  pad.canvas.addEventListener("pointerdown", () => pad.canvas.focus({ preventScroll: true, focusVisible: false }));
  element.addEventListener("keydown", (event) => shortcut(element, event));
}

/** Escape and Ctrl/Cmd+Z, pressed inside the element (not in the host's slotted content). */
function shortcut(element, event) {
  if (event.target !== element) return;
  if (event.key === "Escape") {
    element.clear();
  } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
    event.preventDefault();
    element.undo();
  }
}
