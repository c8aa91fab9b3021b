// The services checklist of a form (opening a ticket, R-TT-2; a change request, R-CHG-2): a
// filter box over the list, a count of the services chosen and, with data-max on the picker, a
// warning past that many (the server still refuses them). Without JS every service stays listed
// (the list scrolls) and the server checks everything.
(function () {
  "use strict";
  document.querySelectorAll("[data-service-picker]").forEach(function (picker) {
    var box = picker.querySelector("[data-service-filter]");
    var input = box.querySelector("input");
    var count = picker.querySelector("[data-service-count]");
    var none = picker.querySelector("[data-service-none]");
    var max = parseInt(picker.getAttribute("data-max") || "0", 10);
    var options = Array.prototype.slice.call(picker.querySelectorAll("[data-service-list] label"));
    box.hidden = false;
    function refresh() {
      var wanted = input.value.trim().toLowerCase();
      var shown = 0, chosen = 0;
      options.forEach(function (option) {
        var checked = option.querySelector("input").checked;
        var match = !wanted || option.textContent.toLowerCase().indexOf(wanted) !== -1;
        // A chosen service stays visible, so the filter never hides what will be sent.
        option.hidden = !(match || checked);
        shown += option.hidden ? 0 : 1;
        chosen += checked ? 1 : 0;
      });
      none.hidden = shown !== 0;
      var over = max && chosen > max;
      count.textContent = chosen ? count.getAttribute("data-label") + " " + chosen +
        (max ? "/" + max : "") + (over ? " · " + count.getAttribute("data-over") : "") : "";
      count.classList.toggle("service-count-over", Boolean(over));
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
