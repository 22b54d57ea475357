// The presenting-city rows of the session form: each row offers only the chosen city's climate
// actions. Without JavaScript every action is listed with its city's name, and the server
// refuses actions of another city with a message.

/** Return the city of a climate action's option, which reads "City: title" ("" without one). */
export function cityOfAction(label) {
  const colon = label.indexOf(": ");
  return colon === -1 ? "" : label.slice(0, colon);
}

/** Return whether an action's option belongs to the chosen city, whose option reads
 * "Name (CC)". With no city chosen ("") every action belongs. */
export function belongsTo(actionLabel, cityLabel) {
  return !cityLabel || cityLabel.startsWith(`${cityOfAction(actionLabel)} (`);
}

/** Show in `actions` (a <select multiple>) only the actions of the city chosen in `city`.
 *
 * `deselect`: the person changed the city, so the other cities' actions are unselected. Without
 * it (the page has just loaded) a selected action stays selected and visible: what the server
 * sent back, a refused choice included, is never hidden. */
export function filterActions(city, actions, { deselect }) {
  const chosen = city.value ? city.options[city.selectedIndex].text : "";
  for (const option of actions.options) {
    const visible = belongsTo(option.text, chosen);
    if (!visible && deselect) option.selected = false;
    option.hidden = !visible && !option.selected;
  }
}
