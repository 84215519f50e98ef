// Saves each mark at once. If a save fails (no connection), the person stays marked
// "not saved" and the page says so, so no mark is lost silently; tapping again retries.
(function () {
  "use strict";
  var status = document.querySelector("[data-attendance-status]");
  function updateStatus() {
    var unsaved = document.querySelectorAll("[data-person][data-unsaved]").length;
    status.textContent = unsaved ? unsaved + " mark(s) not saved. Check your connection and tap them again." : "";
  }
  document.querySelectorAll("[data-attendance-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter;
      var person = form.closest("[data-person]");
      var data = new FormData(form);
      data.set("mark", button.value);
      form.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
      person.setAttribute("data-unsaved", "");
      updateStatus();
      fetch(window.location.pathname, { method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
        .then(function () { person.removeAttribute("data-unsaved"); updateStatus(); })
        .catch(function () { updateStatus(); });
    });
  });
})();
