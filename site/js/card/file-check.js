/* Module scripts do not run from file://: say so instead of showing an empty page. A file of
 * its own, as a classic script, because the page's policy allows no inline script. */
if (location.protocol === "file:") {
  var box = document.getElementById("card-error");
  box.textContent = "This page was opened as a file, and browsers do not let a file load its data. " +
    "Serve the folder instead: run `python build.py serve` in the project, or `python -m http.server` " +
    "in this folder, and open the address it prints.";
  box.hidden = false;
  document.getElementById("card").dataset.state = "error";
  document.getElementById("card").classList.add("failed");
}
