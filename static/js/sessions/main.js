// The session pages: the presenting-city rows of the form (presentations.js) and the question
// before cancelling (confirm.js); only this module reads the document. Without JavaScript, or
// in a browser without modules, every climate action is listed and the form goes unasked.
import { confirmBeforeSubmit } from "./confirm.js";
import { filterActions } from "./presentations.js";

function setUp(root) {
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    confirmBeforeSubmit(form, (question) => window.confirm(question));
  }
  for (const row of root.querySelectorAll("[data-presentation-row]")) {
    const city = row.querySelector("select[name$='-city']");
    const actions = row.querySelector("select[data-filter-by-city]");
    if (!city || !actions) continue;
    city.addEventListener("change", () => filterActions(city, actions, { deselect: true }));
    filterActions(city, actions, { deselect: false });
  }
}

document.addEventListener("DOMContentLoaded", () => setUp(document));
