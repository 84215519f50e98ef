// Tells the server the reader's time zone, so emails and the booking page use it.
(function () {
  "use strict";
  var field = document.querySelector('input[name="time_zone"]');
  if (!field || field.value) return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) { /* the cohort's zone is used instead */ }
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
