/* What sw.js reports to the page, said in plain words:
 * - a file of the site arrived damaged even fetched again from the server (sw.js refused it, so
 *   what needed it did not load): said in the <digit-pad> elements' error display, naming the
 *   file, and kept there when the element then reports the load that failed in its own words;
 * - the browser cannot keep the site for offline use (storage full or turned off): a quiet
 *   notice, once per page; the site works on from the network. */

const QUIET_NOTICE_ID = "offline-notice";

export const damagedMessage = (path) =>
  `The site's file ${path} arrived damaged (it is not the file this version of the site was built ` +
  "with), even when fetched again from the server, so the page cannot start. Please reload later; " +
  "if it stays so, the copy on the server is broken.";

export const NOT_KEPT_MESSAGE =
  "This site cannot be kept for offline use here: the browser's storage is full or turned off. " +
  "It works as long as you are online.";

/** A notice at the foot of the page (role status, not an error) with `text` and a button `label` that runs
 * `onClick`: shown once per `id`. (The "new version" notice, notice.js, is one too.) */
export function showNotice(id, text, label, onClick) {
  if (document.getElementById(id)) return;
  const notice = document.createElement("div");
  notice.id = id;
  notice.className = "update-notice";
  notice.setAttribute("role", "status");
  notice.append(text);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.addEventListener("click", () => onClick(notice));
  notice.append(button);
  document.body.append(notice);
}

/** A quiet notice (not an error), shown once per page; "OK" puts it away. */
export function showQuietNotice(text) {
  showNotice(QUIET_NOTICE_ID, text + " ", "OK", (notice) => (notice.hidden = true));
}

/** Listens to sw.js's reports for as long as the page runs. */
export function showReports(container) {
  let damaged = null; // the message naming the damaged file, once one was reported
  const showDamaged = (element) => element.showError?.(damaged);
  container.addEventListener("message", (event) => {
    if (event.data?.type === "digit-pad:damaged") {
      damaged = damagedMessage(event.data.path);
      const elements = document.querySelectorAll("digit-pad");
      if (elements.length) elements.forEach(showDamaged);
      else showQuietNotice(damaged);
    }
    if (event.data?.type === "digit-pad:storage-refused") showQuietNotice(NOT_KEPT_MESSAGE);
  });
  // The element then reports the load that failed without the file's name: the name stays shown.
  document.addEventListener("digit-pad:error", (event) => {
    if (damaged && event.detail?.message !== damaged) showDamaged(event.target);
  });
}
