// Change requests (R-CHG-2, R-CHG-5): a filter box over the services with a count that warns
// past the limit (the server still refuses the 11th), and the window fields shown only for a
// preset window. Without JS every field stays visible and the server checks everything.
(function () {
  "use strict";
  document.querySelectorAll("[data-change-picker]").forEach(function (picker) {
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
        option.hidden = !(match || checked);
        shown += option.hidden ? 0 : 1;
        chosen += checked ? 1 : 0;
      });
      none.hidden = shown !== 0;
      var over = max && chosen > max;
      count.textContent = chosen ? count.getAttribute("data-label") + " " + chosen +
        (max ? "/" + max : "") + (over ? " · " + count.getAttribute("data-over") : "") : "";
      count.classList.toggle("change-count-over", Boolean(over));
    }
    input.addEventListener("input", refresh);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
    picker.addEventListener("change", refresh);
    refresh();
  });
  document.querySelectorAll("[data-execution]").forEach(function (block) {
    var windowBlock = block.querySelector("[data-window]");
    function refresh() {
      var chosen = block.querySelector("input[type=radio]:checked");
      windowBlock.hidden = !(chosen && chosen.value === "preset");
    }
    block.addEventListener("change", refresh);
    refresh();
  });
})();
