/* Small progressive enhancements; every page works without them.
   - The error summary takes focus when a form comes back with errors, so a screen reader reads it
     and a keyboard user starts from it.
   - A link in the summary moves focus into the field it names (a plain fragment link only scrolls).
   - A document upload form (data-max-bytes) refuses a file over the limit before sending it, with
     the browser's own message on the file field; the server checks the size again whatever happens here. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
      (field || target).focus();
      (target.closest(".field") || target).scrollIntoView({ block: "center" });
    });
  });
  ready(function () {
    document.querySelectorAll("form[data-max-bytes]").forEach(function (form) {
      var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
      var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type='file']"));
      function tooBig(input) { return input.files && input.files[0] && input.files[0].size > limit; }
      inputs.forEach(function (input) {
        input.addEventListener("change", function () {
          input.setCustomValidity(tooBig(input) ? "This file is larger than the limit of " +
            Math.round(limit / 1048576) + " MB: choose a smaller one." : "");
          if (tooBig(input)) { input.reportValidity(); }
        });
      });
      form.addEventListener("submit", function (event) {
        var refused = inputs.filter(tooBig)[0];
        if (refused) { event.preventDefault(); refused.reportValidity(); }
      });
    });
  });
})();
