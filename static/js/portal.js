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
  // Forms that ask for confirmation before a destructive action.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
