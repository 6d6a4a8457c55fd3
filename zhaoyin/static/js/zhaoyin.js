/* Zhaoyin page behaviour shared by every page. Loaded at the end of <body>, after
   Bootstrap and htmx. No inline handlers exist anywhere (strict CSP), so behaviour is bound
   here through data- attributes:
     data-zy-autosubmit        on a select/checkbox: submit its form on change
     data-zy-confirm="text"    on a form or a submit button: ask before submitting
*/
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLElement && el.hasAttribute("data-zy-autosubmit") && el.form) {
      if (typeof el.form.requestSubmit === "function") {
        el.form.requestSubmit();
      } else {
        el.form.submit();
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var text = (submitter && submitter.getAttribute("data-zy-confirm")) ||
      (form instanceof HTMLElement && form.getAttribute("data-zy-confirm"));
    if (text && !window.confirm(text)) {
      event.preventDefault();
    }
  }, true);

  /* A request htmx could not complete (network or server error) must not fail silently. */
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    var box = document.querySelector(".zy-messages") || document.querySelector(".zy-content");
    if (!box) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    /* The text comes translated from the template (body data-zy-msg-request-failed). */
    var text = document.body.getAttribute("data-zy-msg-request-failed") || "Request failed";
    alert.textContent = text + " (" + status + ")";
    box.prepend(alert);
  });
})();
