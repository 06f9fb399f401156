/* The page's layout on any screen (registry.css does the rest):
   - on narrow screens the main navigation and the account's links fold behind the menu button
     (without this script nothing is folded);
   - a table wider than its place, which scrolls in its own box, can be focused, so that it can be
     scrolled from the keyboard. */
document.documentElement.classList.add("menu-folds");

function foldingMenu() {
  const button = document.querySelector(".menu-button");
  if (!button) return;
  const show = open => button.setAttribute("aria-expanded", String(open));
  button.addEventListener("click", () => show(button.getAttribute("aria-expanded") !== "true"));
  button.closest("header").addEventListener("keydown", event => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
}

function focusableWhenScrolling() {
  for (const table of document.querySelectorAll("table.list, pre")) {
    if (table.scrollWidth > table.clientWidth) table.tabIndex = 0;
    else table.removeAttribute("tabindex");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  foldingMenu();
  focusableWhenScrolling();
  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(focusableWhenScrolling);
  });
});
