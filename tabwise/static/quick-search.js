// The top bar's quick search (base.html): arrow keys move between the input and the results htmx shows as the
// clerk types; Escape closes them. Enter in the input goes to the customer list filtered by the query (a plain
// form submit). No inline scripts (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("topbar-search");
  const input = document.getElementById("topbar-q");
  const results = document.getElementById("topbar-results");
  if (!form || !input || !results) return;
  const links = () => Array.from(results.querySelectorAll("a"));
  const close = () => { results.replaceChildren(); input.setAttribute("aria-expanded", "false"); };
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target === results) input.setAttribute("aria-expanded", String(links().length > 0));
  });
  form.addEventListener("keydown", (event) => {
    const all = links();
    const at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      (at === 0 ? input : all[at - 1]).focus();
    } else if (event.key === "Escape") {
      close();
      input.focus();
    }
  });
  document.addEventListener("click", (event) => { if (!form.contains(event.target)) close(); });
});
