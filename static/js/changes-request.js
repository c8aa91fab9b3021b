// Change requests (R-CHG-5): the window fields shown only for a preset window. Without JS every
// field stays visible and the server checks everything. The services list is service-picker.js.
(function () {
  "use strict";
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
