/* The place picker (templates/chna/_place_picker.html): Enter in the search field searches,
   rather than pressing the page's first button (which saves). Without this script the search
   button does the same; the server answers either way. */
(function () {
  "use strict";
  var input = document.getElementById("places_q");
  var button = document.getElementById("places-find");
  if (!input || !button) { return; }
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      button.click();
    }
  });
}());
