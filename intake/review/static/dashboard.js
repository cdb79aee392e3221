// Keeps the wall screen current without reloading it: every minute the page is fetched again
// and its figures swapped in, so nothing flickers and focus stays where it is. A button stops
// and restarts the updates (WCAG 2.2.2 Pause, Stop, Hide). Loaded as a file because the
// Content-Security-Policy allows no inline script; without JavaScript the page offers a link.
const region = document.getElementById("figures");
const controls = document.getElementById("refresh-controls");

if (region && controls) {
  const seconds = Number(region.dataset.refreshSeconds) || 60;
  let timer = null;

  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
  button.dataset.module = "govuk-button";

  const refresh = async () => {
    try {
      // Marked as the page's own refresh, so it does not count as someone at the desk: the
      // idle sign-out still happens on an unattended screen.
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        headers: { "X-Frontdoor-Background": "refresh" },
      });
      if (!response.ok || new URL(response.url).pathname !== window.location.pathname) {
        // Signed out (the session ended) or the page has gone: show what the server says.
        window.location.reload();
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("figures");
      if (fresh) {
        region.replaceChildren(...fresh.childNodes);
      }
    } catch {
      // Offline for a moment: keep the figures shown and try again next time.
    }
  };

  const start = () => {
    timer = window.setInterval(refresh, seconds * 1000);
    button.textContent = "Stop updating";
  };
  const stop = () => {
    window.clearInterval(timer);
    timer = null;
    button.textContent = "Start updating again";
  };

  button.addEventListener("click", () => (timer === null ? start() : stop()));
  controls.replaceChildren(button);
  start();
}
