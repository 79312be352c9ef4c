/* Small progressive enhancements; every page works without them.
   - The error summary takes focus when a form comes back with errors, so a screen reader reads it
     and a keyboard user starts from it.
   - A link in the summary moves focus into the field it names (a plain fragment link only scrolls). */
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
})();
