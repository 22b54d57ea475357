// Search-select widgets (portal/widgets.py, templates/widgets/search_select.html); widget.js
// sets each one up. Without JavaScript, or in a browser without modules, the select alone
// shows and submits what was chosen.
import { setUp } from "./widget.js";

document.addEventListener("DOMContentLoaded", () => {
  for (const root of document.querySelectorAll("[data-search-select]")) setUp(root);
});
