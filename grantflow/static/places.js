/* The place picker (templates/chna/_place_picker.html): Enter in the search field searches,
   rather than pressing the page's first button (which saves); back from a search (the address
   ends in #places_q), the search field has the focus, next to its results. Without this script
   the search button does the same and the page scrolls to the field. */
(function () {
  "use strict";
  var input = document.getElementById("places_q");
  var button = document.getElementById("places-find");
  if (!input || !button) { return; }
  if (window.location.hash === "#places_q") { input.focus(); }
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      button.click();
    }
  });
}());
