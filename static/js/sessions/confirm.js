// A form that asks before it goes: cancelling a session emails everyone registered. The
// question is the form's data-confirm attribute, translated by the template.

/** Ask `ask(question)` when `form` is submitted; a "no" keeps the form from going. */
export function confirmBeforeSubmit(form, ask) {
  form.addEventListener("submit", (event) => {
    if (!ask(form.dataset.confirm)) event.preventDefault();
  });
}
