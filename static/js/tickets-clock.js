// The ticket page's SLA clock (R-TT-3): the server computes every figure; this only counts the
// seconds since the page loaded. Running: elapsed goes up, remaining down. Paused: only the
// paused time and the open pause go up. Stopped (restored, cancelled): nothing moves.
(function () {
  "use strict";
  function text(seconds) {
    var s = Math.abs(Math.trunc(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }
  document.querySelectorAll("[data-ticket-clock]").forEach(function (clock) {
    var state = clock.getAttribute("data-state");
    if (state !== "running" && state !== "paused") {
      return;
    }
    var moving = state === "running" ? { elapsed: 1, remaining: -1 } : { paused: 1, "open-pause": 1 };
    var counters = [];
    clock.querySelectorAll("[data-counter]").forEach(function (node) {
      var step = moving[node.getAttribute("data-counter")];
      if (step) {
        counters.push({ node: node, step: step, start: Number(node.getAttribute("data-seconds")) || 0 });
      }
    });
    var label = clock.querySelector("[data-remaining-label]");
    var started = Date.now();
    function tick() {
      var passed = Math.floor((Date.now() - started) / 1000);
      counters.forEach(function (counter) {
        var value = counter.start + counter.step * passed;
        counter.node.textContent = text(value);
        if (counter.step < 0 && value < 0 && label && !clock.classList.contains("is-breached")) {
          clock.classList.add("is-breached");
          label.textContent = label.getAttribute("data-breached-text");
        }
      });
    }
    clock.setAttribute("data-live", "true");
    window.setInterval(tick, 1000);
  });
})();
