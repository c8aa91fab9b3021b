// Opening a ticket (R-TT-2): a filter box over the list of services. Without JS the list
// simply scrolls; with it, typing part of the id, the site or the product narrows the list.
(function () {
  "use strict";
  document.querySelectorAll("[data-service-picker]").forEach(function (picker) {
    var box = picker.querySelector("[data-service-filter]");
    var input = box.querySelector("input");
    var count = picker.querySelector("[data-service-count]");
    var none = picker.querySelector("[data-service-none]");
    var options = Array.prototype.slice.call(picker.querySelectorAll("[data-service-list] label"));
    box.hidden = false;
    function refresh() {
      var wanted = input.value.trim().toLowerCase();
      var shown = 0, chosen = 0;
      options.forEach(function (option) {
        var checked = option.querySelector("input").checked;
        var match = !wanted || option.textContent.toLowerCase().indexOf(wanted) !== -1;
        option.hidden = !(match || checked);
        shown += option.hidden ? 0 : 1;
        chosen += checked ? 1 : 0;
      });
      none.hidden = shown !== 0;
      count.textContent = chosen ? count.getAttribute("data-label") + " " + chosen : "";
    }
    input.addEventListener("input", refresh);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // Enter filters; it does not send the form half filled
      }
    });
    picker.addEventListener("change", refresh);
    refresh();
  });
})();
