/* The report form: start at the error or conflict summary, follow its links to the fields,
   warn before leaving with unsaved changes, and group a typed figure's digits the
   Vietnamese way (123456789012 → 123.456.789.012). No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function groupDigits(text) {
    var match = /^\s*(\d+)(,\d+)?\s*$/.exec(text);
    if (!match || match[1].length < 4) {
      return text;
    }
    return match[1].replace(/\B(?=(\d{3})+(?!\d))/g, ".") + (match[2] || "");
  }

  function start() {
    var summary = document.querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
    }
    // A summary link puts the cursor in its field, not only the page at it.
    document.querySelectorAll(".error-summary a, #conflict a").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        event.preventDefault();
        var field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
        target.scrollIntoView({ block: "center" });
        (field || target).focus({ preventScroll: true });
      });
    });

    var form = document.getElementById("report-form");
    if (!form) {
      return;
    }
    // A proposal's award select offers the catalogue's forms for the kind chosen on its row
    // (the server checks it all the same); the form already chosen always stays visible.
    function offerAwards(row) {
      var kind = row.querySelector("select[name$='-kind']");
      var award = row.querySelector("select[name$='-award_form']");
      if (!kind || !award) {
        return;
      }
      Array.prototype.forEach.call(award.options, function (option) {
        var forKinds = option.dataset.for;
        var other = forKinds && forKinds.split(" ").indexOf(kind.value) < 0;
        option.hidden = Boolean(kind.value && other && !option.selected);
      });
    }
    document.querySelectorAll(".commendation-row").forEach(function (row) {
      offerAwards(row);
      row.addEventListener("change", function (event) {
        if (event.target.matches("select[name$='-kind']")) {
          offerAwards(row);
        }
      });
    });
    // Dirty from the start when the page came back with typed work that is not saved yet.
    var dirty = form.dataset.dirty === "true";
    form.addEventListener("input", function () {
      dirty = true;
    });
    form.addEventListener("change", function () {
      dirty = true;
    });
    form.addEventListener("submit", function () {
      dirty = false;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    form.addEventListener("focusout", function (event) {
      var field = event.target;
      if (field.matches("input.num")) {
        var grouped = groupDigits(field.value);
        if (grouped !== field.value) {
          field.value = grouped;
        }
      }
    });
  }

  // A file over the portal's size limit is answered 413 with the message to show at the top of
  // the evidence section (emulation/request_limits.py); htmx leaves error answers unshown.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 413) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
