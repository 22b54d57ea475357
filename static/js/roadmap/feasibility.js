// Phase 2.2 is not required after a Low desirability (roadmaps/template.py): show why as soon
// as the officer chooses Low, and hide it again for High or Medium. The server renders the
// same note from the saved value, so the page says it without JavaScript too.
document.addEventListener("DOMContentLoaded", () => {
  const note = document.querySelector("[data-not-asked='phase2_2']");
  const choices = document.querySelectorAll("input[name='phase2_1.desirability']");
  if (!note || choices.length === 0) return;
  for (const choice of choices) {
    choice.addEventListener("change", () => {
      if (choice.checked) note.hidden = choice.value !== "low";
    });
  }
});
