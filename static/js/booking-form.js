// The booking and details forms: tell the server the reader's time zone, move the focus to the
// error summary after a refused submit, and send each form once however often it is pressed.
(function () {
  "use strict";
  var zone = document.querySelector('input[name="time_zone"]');
  if (zone && !zone.value) {
    try {
      zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) { /* the cohort's zone is used instead */ }
  }

  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();

  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending) {
        event.preventDefault();  // a second press while the first is on its way
        return;
      }
      form.dataset.sending = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        button.dataset.label = button.textContent;
        button.textContent = "Sending…";
      });
    });
  });

  // Coming back with the browser's Back button shows the form as it was left: ready to send.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.removeAttribute("aria-disabled");
        if (button.dataset.label) button.textContent = button.dataset.label;
      });
    });
  });
})();
