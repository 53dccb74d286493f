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

  // The header's menu button (narrow screens): collapses the menu and toggles it. Without this
  // script the button stays hidden (CSS) and the menu open, so nothing depends on it.
  document.querySelectorAll(".menu-toggle").forEach(function (button) {
    var header = button.closest(".site-header");
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!header || !menu) {
      return;
    }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    setOpen(false);
    header.classList.add("menu-ready");
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true"
          && getComputedStyle(button).display !== "none") {
        setOpen(false);
        button.focus();
      }
    });
  });
})();
