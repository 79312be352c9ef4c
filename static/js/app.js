/* Small progressive enhancements; every page works without them.
   - The error summary takes focus when a form comes back with errors, so a screen reader reads it
     and a keyboard user starts from it.
   - A link in the summary moves focus into the field it names (a plain fragment link only scrolls).
   - A "Copy link" button (hidden until this script shows it) copies the box it names and says so
     in the status line next to it; where the clipboard is refused, the text is left selected. */
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
})();
