// Search-select widgets (portal/widgets.py, templates/widgets/search_select.html).
// The <select> holds only the chosen options. This script hides it, lists what is chosen with
// "Remove" buttons, and lets a person search: typing asks the endpoint in data-search-url for
// {"results": [{"id": 1, "label": "Braga (PT)"}], "more": false}; choosing a result adds its
// option to the select (a single select replaces its choice), so the form submits as before.
// Without this file the select alone shows and submits what was chosen.
(function () {
  "use strict";

  var DELAY_MS = 250;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function setUp(root) {
    var select = root.querySelector("select");
    var input = root.querySelector("[data-search-input]");
    var results = root.querySelector("[data-results]");
    var status = root.querySelector("[data-status]");
    var chosenList = root.querySelector("[data-chosen]");
    var texts = root.dataset;
    var minLength = parseInt(texts.minLength, 10) || 2;
    var limit = parseInt(texts.limit, 10) || 20;
    var timer = null;
    var request = null;

    function announce(message) {
      status.textContent = message;
    }

    function chosenOptions() {
      return Array.prototype.filter.call(select.options, function (option) {
        return option.value !== "" && option.selected;
      });
    }

    function renderChosen() {
      var options = chosenOptions();
      chosenList.replaceChildren();
      if (!options.length) {
        var none = document.createElement("li");
        none.className = "empty";
        none.textContent = texts.nothingChosen;
        chosenList.appendChild(none);
        return;
      }
      options.forEach(function (option) {
        var item = document.createElement("li");
        var label = document.createElement("span");
        label.textContent = option.text;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "small secondary";
        button.textContent = texts.remove;
        // Read out as "Remove Braga (PT)": a list of identical "Remove" buttons says nothing.
        var name = document.createElement("span");
        name.className = "visually-hidden";
        name.textContent = " " + option.text;
        button.appendChild(name);
        button.addEventListener("click", function () {
          unchoose(option);
        });
        item.append(label, " ", button);
        chosenList.appendChild(item);
      });
    }

    function clearResults() {
      results.replaceChildren();
    }

    function cancelSearch() {
      window.clearTimeout(timer);
      if (request) {
        request.abort();
        request = null;
      }
    }

    function choose(value, label) {
      var option = Array.prototype.find.call(select.options, function (candidate) {
        return candidate.value === value;
      });
      if (!select.multiple) {
        Array.prototype.slice.call(select.options).forEach(function (other) {
          if (other.value !== "" && other.value !== value) {
            other.remove();
          }
        });
      }
      if (!option) {
        option = new Option(label, value);
        select.add(option);
      }
      option.selected = true;
      cancelSearch();
      clearResults();
      input.value = "";
      renderChosen();
      announce(format(texts.chose, { label: label }));
      input.focus();
    }

    function unchoose(option) {
      var label = option.text;
      option.remove();
      if (!select.multiple) {
        select.value = "";
      }
      renderChosen();
      announce(format(texts.removed, { label: label }));
      input.focus();
    }

    function showResults(rows, more) {
      clearResults();
      rows.slice(0, limit).forEach(function (row) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = row.label;
        button.addEventListener("click", function () {
          choose(String(row.id), row.label);
        });
        item.appendChild(button);
        results.appendChild(item);
      });
      var count = Math.min(rows.length, limit);
      var message =
        count === 0 ? texts.noneFound
        : count === 1 ? texts.oneFound
        : format(texts.manyFound, { count: count });
      announce(more ? message + " " + texts.moreFound : message);
    }

    function search(query) {
      cancelSearch();
      var url = new URL(texts.searchUrl, window.location.href);
      url.searchParams.set("q", query);
      request = new AbortController();
      fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: request.signal,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("search answered " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          request = null;
          showResults(data.results, data.more);
        })
        .catch(function (error) {
          if (error.name === "AbortError") {
            return; // a newer search replaced this one
          }
          request = null;
          clearResults();
          announce(texts.failed);
        });
    }

    function query() {
      return input.value.trim();
    }

    function resultButtons() {
      return Array.prototype.slice.call(results.querySelectorAll("button"));
    }

    input.addEventListener("input", function () {
      cancelSearch();
      if (query().length < minLength) {
        clearResults();
        announce(query() ? texts.tooShort : "");
        return;
      }
      timer = window.setTimeout(function () {
        search(query());
      }, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter in the search box searches at once; it must not submit the form half-filled.
        event.preventDefault();
        if (query().length >= minLength) {
          search(query());
        }
      } else if (event.key === "ArrowDown") {
        var first = resultButtons()[0];
        if (first) {
          event.preventDefault();
          first.focus();
        }
      } else if (event.key === "Escape" && results.children.length) {
        event.preventDefault();
        cancelSearch();
        clearResults();
        announce("");
      }
    });

    // Tab and Enter work on the result buttons as on any button; the arrow keys are a shortcut.
    results.addEventListener("keydown", function (event) {
      var buttons = resultButtons();
      var index = buttons.indexOf(document.activeElement);
      if (index === -1) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = index + (event.key === "ArrowDown" ? 1 : -1);
        if (next < 0) {
          input.focus();
        } else if (next < buttons.length) {
          buttons[next].focus();
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        input.focus();
      }
    });

    root.querySelector("[data-native]").hidden = true;
    root.querySelector("[data-chosen-area]").hidden = false;
    root.querySelector("[data-search-area]").hidden = false;
    renderChosen();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-search-select]").forEach(setUp);
  });
})();
