// Disputes of invoice lines (R-BIL-1): ticking a line disputes its whole amount, typing an
// amount ticks it, the total is summed as you type (written like every other amount of the page)
// and choosing another invoice brings its lines without leaving the page (htmx). An amount above the
// line's is never changed behind the person's back: the line says so in the server's own words
// (data-too-much), the field is marked invalid and the form is not sent until it is corrected.
// Without JS the server does all of it (and checks everything again in any case); the lines of
// another invoice then come with the form sent back.
(function () {
  "use strict";
  var form = document.querySelector("[data-request-form]");
  if (!form) {
    return;
  }
  var holder = form.querySelector("[data-dispute-lines]");
  var lang = document.documentElement.lang || "en";

  function cents(value) {
    var number = Number(String(value).replace(",", "."));
    return isFinite(number) && number > 0 ? Math.round(number * 100) : 0;
  }

  // The server writes 1234567 in the invoice's currency (data-money-sample, e.g. "$1.234.567,00",
  // "US$ 1.234.567,00", "ARS 1,234,567.00", "$1.234.567"): its symbol, separators and decimals.
  var SAMPLE = /^(\D*)1(\D?)234\D?567(?:(\D)(\d+))?(\D*)$/;

  function groups(digits, separator) {
    var out = "";
    while (digits.length > 3) {
      out = separator + digits.slice(-3) + out;
      digits = digits.slice(0, -3);
    }
    return digits + out;
  }

  function format(amountCents, table) {
    var currency = table.getAttribute("data-currency");
    var match = SAMPLE.exec(table.getAttribute("data-money-sample") || "");
    if (match) {
      var decimals = match[4] ? match[4].length : 0;
      var fixed = (amountCents / 100).toFixed(decimals).split(".");
      var text = groups(fixed[0], match[2]);
      if (decimals) {
        text += match[3] + fixed[1];
      }
      return match[1] + text + match[5];
    }
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency: currency }).format(amountCents / 100);
    } catch (error) {
      return (amountCents / 100).toFixed(2) + " " + currency;
    }
  }

  function rows() {
    return Array.prototype.slice.call(holder.querySelectorAll("[data-dispute-line]"));
  }

  function parts(row) {
    return {
      check: row.querySelector("input[name=lines]"),
      amount: row.querySelector("input[data-line-amount]")
    };
  }

  function tooMuch(input) {
    return cents(input.value) > cents(input.getAttribute("data-line-amount"));
  }

  function check(row) {
    // The line's own verdict: what the person typed stays; a stale server error goes.
    var p = parts(row);
    if (!p.amount) {
      return true;
    }
    Array.prototype.forEach.call(row.querySelectorAll("[data-server-error], [data-js-error]"), function (node) {
      node.parentNode.removeChild(node);
    });
    row.classList.remove("bil-line-error");
    if (!tooMuch(p.amount)) {
      p.amount.setCustomValidity("");
      p.amount.removeAttribute("aria-invalid");
      p.amount.removeAttribute("aria-describedby");
      return true;
    }
    var message = p.amount.getAttribute("data-too-much");
    var error = document.createElement("p");
    error.className = "field-error";
    error.id = p.amount.id + "-error";
    error.setAttribute("data-testid", "line-error");
    error.setAttribute("data-js-error", "");
    error.textContent = message;
    p.amount.parentNode.appendChild(error);
    p.amount.setCustomValidity(message);
    p.amount.setAttribute("aria-invalid", "true");
    p.amount.setAttribute("aria-describedby", error.id);
    row.classList.add("bil-line-error");
    return false;
  }

  function refreshTotal() {
    var table = holder.querySelector("table[data-currency]");
    var total = holder.querySelector("[data-dispute-total]");
    if (!table || !total) {
      return;
    }
    var sum = 0;
    var any = false;
    rows().forEach(function (row) {
      var p = parts(row);
      if (p.check && p.check.checked && p.amount) {
        sum += cents(p.amount.value || p.amount.getAttribute("data-line-amount"));
        any = true;
      }
    });
    total.textContent = any ? format(sum, table) : total.getAttribute("data-empty");
  }

  holder.addEventListener("change", function (event) {
    var row = event.target.closest("[data-dispute-line]");
    if (!row) {
      return;
    }
    var p = parts(row);
    if (event.target === p.check && p.amount) {
      p.amount.value = p.check.checked ? (p.amount.value || p.amount.getAttribute("data-line-amount")) : "";
      check(row);
    }
    refreshTotal();
  });

  holder.addEventListener("input", function (event) {
    var row = event.target.closest("[data-dispute-line]");
    if (!row) {
      return;
    }
    var p = parts(row);
    if (event.target === p.amount) {
      check(row);
      if (p.check) {
        p.check.checked = cents(p.amount.value) > 0;
      }
    }
    refreshTotal();
  });

  form.addEventListener("submit", function (event) {
    // Only a dispute sends its lines (the server ignores them for the other kinds).
    var kind = form.querySelector("input[name=kind]:checked");
    if (kind && kind.value !== "dispute") {
      return;
    }
    var wrong = rows().filter(function (row) {
      var p = parts(row);
      return p.amount && tooMuch(p.amount) && !check(row);
    });
    if (wrong.length) {
      event.preventDefault();
      var first = parts(wrong[0]).amount;
      first.focus();
      first.reportValidity();
    }
  });

  // Choosing another invoice: htmx (hx-get on the invoice field, request_form.html) swaps in
  // that invoice's lines; the block is busy meanwhile and its total starts again from them.
  form.addEventListener("htmx:beforeRequest", function () {
    holder.setAttribute("aria-busy", "true");
  });
  form.addEventListener("htmx:afterRequest", function () {
    holder.removeAttribute("aria-busy");
  });
  holder.addEventListener("htmx:afterSwap", refreshTotal);

  rows().forEach(function (row) {
    var p = parts(row);
    if (p.amount && tooMuch(p.amount)) {
      check(row);
    }
  });
  refreshTotal();
})();
