/* What the element needs of the browser, checked before anything loads, so that a browser
 * without it gets a plain-words reason instead of a silent failure. */

/** The reason this browser cannot run the element, in plain words, or null. */
export function missingFeature() {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
    return (
      "This browser cannot run WebAssembly, which the digit pad needs to run Python and " +
      "the network. Try a current Chrome, Edge, Firefox or Safari, or turn off the " +
      "setting that disables WebAssembly."
    );
  }
  if (typeof Worker !== "function") return "This browser cannot run web workers, which the digit pad needs.";
  return null;
}
