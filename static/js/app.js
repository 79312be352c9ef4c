/* Small progressive enhancements; every page works without them.
   - The error summary takes focus when a form comes back with errors, so a screen reader reads it
     and a keyboard user starts from it.
   - A link in the summary moves focus into the field it names (a plain fragment link only scrolls).
   - A "Copy link" button (hidden until this script shows it) copies the box it names and says so
     in the status line next to it; where the clipboard is refused, the text is left selected.
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
  function say(button, text) {
    var status = button.closest("section, form, main").querySelector(".copy-status");
    if (status) { status.textContent = text; }
  }
  function copyFrom(button) {
    var box = document.getElementById(button.getAttribute("data-copy"));
    if (!box) { return; }
    box.focus();
    box.select();
    var done = function () { say(button, "Copied. Paste it into your calendar app."); };
    var fallback = function () {
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      say(button, copied ? "Copied. Paste it into your calendar app." :
        "The link is selected: copy it with your device's copy command.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value).then(done, fallback);
    } else {
      fallback();
    }
  }
  ready(function () {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copyFrom(button); });
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
