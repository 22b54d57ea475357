// Session pages. On the form, each presenting-city row offers only the chosen city's climate
// actions.
// Without JavaScript every action is listed with its city's name, and the server refuses
// actions of another city with a message.
(function () {
  "use strict";

  function cityOf(label) {
    var colon = label.indexOf(": ");
    return colon === -1 ? "" : label.slice(0, colon);
  }

  function filterRow(row, deselect) {
    var city = row.querySelector("select[name$='-city']");
    var actions = row.querySelector("select[data-filter-by-city]");
    if (!city || !actions) {
      return;
    }
    var chosen = city.value ? city.options[city.selectedIndex].text : "";
    Array.prototype.forEach.call(actions.options, function (option) {
      // A city's option reads "Name (CC)"; an action's reads "Name: title".
      var visible = !chosen || chosen.indexOf(cityOf(option.text) + " (") === 0;
      if (!visible && deselect) {
        option.selected = false;
      }
      option.hidden = !visible && !option.selected;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Cancelling emails everyone registered: ask once before the form goes.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
    document.querySelectorAll("[data-presentation-row]").forEach(function (row) {
      var city = row.querySelector("select[name$='-city']");
      if (city) {
        // On load, keep what the server sent back (a refused choice stays visible).
        city.addEventListener("change", function () { filterRow(row, true); });
        filterRow(row, false);
      }
    });
  });
})();
