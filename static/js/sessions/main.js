// The session pages: the presenting-city rows of the form (presentations.js), the question
// before cancelling (confirm.js) and the attendance form's walk-in rows (walk-ins.js); only
// this module looks the page up. Without JavaScript, or in a browser without modules, every
// climate action is listed, the form goes unasked and "Add another walk-in" sends the form.
import { confirmBeforeSubmit } from "./confirm.js";
import { filterActions } from "./presentations.js";
import { setUpAttendance } from "./walk-ins.js";

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
  for (const form of root.querySelectorAll("form[data-attendance]")) setUpAttendance(form);
}

document.addEventListener("DOMContentLoaded", () => setUp(document));
