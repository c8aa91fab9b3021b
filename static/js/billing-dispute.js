// Disputes of invoice lines (R-BIL-1): ticking a line disputes its whole amount, typing an
// amount ticks it, an amount above the line's is brought back to the line's, the total is summed
// as you type, and choosing another invoice brings its lines without leaving the page. Without
// JS the server does all of it (and checks everything again in any case).
(function () {
  "use strict";
  var form = document.querySelector("[data-request-form]");
  if (!form) {
    return;
  }
  var holder = form.querySelector("[data-dispute-lines]");
  var invoice = form.querySelector("select[name=invoice]");
  var lang = document.documentElement.lang || "en";

  function cents(value) {
    var number = Number(String(value).replace(",", "."));
    return isFinite(number) && number > 0 ? Math.round(number * 100) : 0;
  }

  function format(amountCents, currency) {
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
    total.textContent = any ? format(sum, table.getAttribute("data-currency")) : total.getAttribute("data-empty");
  }

  function cap(input) {
    // Refuse more than the line's amount: the value goes back to the line's amount.
    var limit = cents(input.getAttribute("data-line-amount"));
    if (cents(input.value) > limit) {
      input.value = input.getAttribute("data-line-amount");
      input.setAttribute("aria-invalid", "true");
      input.classList.add("bil-capped");
    } else {
      input.removeAttribute("aria-invalid");
      input.classList.remove("bil-capped");
    }
  }

  holder.addEventListener("change", function (event) {
    var row = event.target.closest("[data-dispute-line]");
    if (!row) {
      return;
    }
    var p = parts(row);
    if (event.target === p.check && p.amount) {
      p.amount.value = p.check.checked ? (p.amount.value || p.amount.getAttribute("data-line-amount")) : "";
      cap(p.amount);
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
      cap(p.amount);
      if (p.check) {
        p.check.checked = cents(p.amount.value) > 0;
      }
    }
    refreshTotal();
  });

  if (invoice) {
    invoice.addEventListener("change", function () {
      var url = window.location.pathname + "?kind=dispute&invoice=" + encodeURIComponent(invoice.value);
      holder.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html === null) {
            return;
          }
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.querySelector("[data-dispute-lines]");
          if (fresh) {
            holder.innerHTML = fresh.innerHTML;
            refreshTotal();
          }
        })
        .catch(function () {})
        .then(function () {
          holder.removeAttribute("aria-busy");
        });
    });
  }

  refreshTotal();
})();
