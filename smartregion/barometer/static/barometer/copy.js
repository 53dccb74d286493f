// Copy buttons of the respondent links page: shown only when the Clipboard API is available;
// without it (or without JavaScript) the read-only field can be selected and copied by hand.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  var status = document.getElementById("copy-status");
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = status.getAttribute("data-copied");
      });
    });
  });
})();
