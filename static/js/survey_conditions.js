// Answering a survey: a question shown only if an option of the same page is chosen is
// hidden until it is (progressive enhancement: without this script the question shows with a
// note, and the server drops its answer when the condition is not met).
(function () {
  "use strict";
  var form = document.querySelector("[data-survey-page]");
  if (!form) return;
  var dependants = form.querySelectorAll("[data-shown-if]");
  if (!dependants.length) return;
  function update() {
    dependants.forEach(function (question) {
      var option = form.querySelector('[data-option="' + question.dataset.shownIf + '"]');
      question.hidden = !(option && option.checked);
    });
  }
  form.addEventListener("change", update);
  update();
})();
