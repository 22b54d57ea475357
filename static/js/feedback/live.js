// Live mode: after the participant's answer is sent (htmx swaps the area), the keyboard focus
// goes to the message that says it is saved, or to the question's first field when it was
// refused, rather than being lost with the form it was in.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var area = document.getElementById("live-area");
    if (!area || event.detail.requestConfig.verb !== "post") return;
    var target =
      area.querySelector("[data-live-saved]") ||
      area.querySelector("[data-live-error]") ||
      area.querySelector(".field-error");
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });
})();
