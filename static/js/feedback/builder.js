// The survey builder's edit page: deleting a section or a question asks first (the form's
// data-confirm, translated by the template). Without JavaScript the form goes unasked; the
// service still refuses to delete anything that has answers.
import { confirmBeforeSubmit } from "../sessions/confirm.js";

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    confirmBeforeSubmit(form, (question) => window.confirm(question));
  }
});
