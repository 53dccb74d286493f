// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Language switcher and filter selects submit on change; their buttons stay for keyboard
  // and no-JS users unless the form opts in to autosubmit.
  document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
    var form = select.form;
    form.querySelectorAll(".js-hide-when-autosubmit").forEach(function (button) {
      button.classList.add("visually-hidden");
    });
    select.addEventListener("change", function () {
      form.submit();
    });
  });
})();
