/* The main menu is a <details> that is open in the page, so it works without this script. On
   narrow screens the script closes it, so the page title comes first and "Menu" opens the list. */
(function () {
  "use strict";
  if (!window.matchMedia || !document.querySelector) {
    return;
  }
  var menu = document.querySelector("details[data-menu]");
  if (!menu) {
    return;
  }
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  function fit() {
    menu.open = !narrow.matches;
  }
  fit();
  if (narrow.addEventListener) {
    narrow.addEventListener("change", fit);
  }
})();
