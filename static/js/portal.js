// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Close header menus when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
  // On a phone the section menu starts closed; on a wide screen it is always open.
  var nav = document.querySelector("details[data-nav]");
  if (nav && window.matchMedia("(max-width: 800px)").matches) { nav.removeAttribute("open"); }
  // A box with a maxlength cuts a longer paste without a word: say so next to it
  // (tickets.forms.LongTextField), so that nobody sends half a log believing it whole.
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-limit-note][maxlength]")) { return; }
    var note = box.parentNode.querySelector("[data-limit-reached]");
    var full = box.value.length >= box.maxLength;
    if (full && !note) {
      note = document.createElement("p");
      note.className = "field-error";
      note.setAttribute("role", "status");
      note.setAttribute("data-limit-reached", "");
      note.textContent = box.getAttribute("data-limit-note");
      box.insertAdjacentElement("afterend", note);
    } else if (!full && note) {
      note.remove();
    }
  });
  // Forms that ask for confirmation before a destructive action.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
