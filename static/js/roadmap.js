// The Reflection Roadmap edit page: autosave, offline keeping, conflicts and word counts.
//
// Every field ([data-key]) is saved on its own through POST <data-autosave-url> with the
// version it was loaded at; the server refuses (409) a save over someone else's newer version.
// Whatever has not reached the server is kept in localStorage under
// roadmap:<user>:<id>:<key> ({value, base_version, at}) from the first keystroke, so a closed
// tab, a lost connection or an expired session loses nothing: the text is put back and sent
// when the page is next open. The key names the signed-in person (the form's data-user) so
// that on a shared computer one officer's unsent text is never sent under another's name;
// signing out clears every roadmap: key (static/js/portal.js).
// Without JavaScript the page is a plain form that the server saves field by field.
(function () {
  "use strict";

  var DEBOUNCE_MS = 800;
  var RETRY_FIRST_MS = 1000;
  var RETRY_MAX_MS = 30000;
  var PERIODIC_MS = 15000;
  var TEXT_KINDS = ["text", "long_text", "limited_text", "email"];

  var form, url, roadmapId, userId;
  var messages = {};
  var fields = {};
  var retryDelay = RETRY_FIRST_MS;
  var retryTimer = null;
  var blocked = false; // the roadmap became read-only (submitted by a colleague)
  var sending = null; // the field whose save is under way

  function msg(name, values) {
    var text = messages[name] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  // --- Reading and writing a field's value -------------------------------------------------

  function readValue(el) {
    if (el.tagName === "FIELDSET") {
      var inputs = Array.prototype.slice.call(el.querySelectorAll("input"));
      var checked = inputs.filter(function (input) { return input.checked; });
      return checked.map(function (input) { return input.value; }).join(",");
    }
    return el.value;
  }

  function writeValue(field, value) {
    var el = field.el;
    if (el.tagName === "FIELDSET") {
      var chosen = value ? value.split(",") : [];
      el.querySelectorAll("input").forEach(function (input) {
        input.checked = chosen.indexOf(input.value) !== -1;
      });
    } else {
      el.value = value;
    }
    updateWordCount(field);
  }

  function displayValue(field, value) {
    if (!value) {
      return msg("empty");
    }
    var el = field.el;
    if (el.tagName === "FIELDSET") {
      var chosen = value.split(",");
      var labels = [];
      el.querySelectorAll("input").forEach(function (input) {
        if (chosen.indexOf(input.value) !== -1) {
          var label = el.querySelector("label[for='" + input.id + "']");
          labels.push(label ? label.textContent : input.value);
        }
      });
      return labels.join(", ");
    }
    if (el.tagName === "SELECT") {
      var option = Array.prototype.find.call(el.options, function (o) { return o.value === value; });
      return option ? option.textContent : value;
    }
    return value;
  }

  // The same rule as roadmaps.template.word_count: runs of non-space characters.
  function wordCount(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }

  function updateWordCount(field) {
    var limit = field.el.getAttribute("data-word-limit");
    var counter = document.getElementById("count-" + field.key);
    if (!limit || !counter) {
      return;
    }
    var count = wordCount(field.el.value);
    counter.textContent = msg("words", { count: count, limit: limit });
    counter.classList.toggle("over", count > parseInt(limit, 10));
  }

  // --- The browser's copy of unsent text ------------------------------------------------------

  function storageKey(key) {
    return "roadmap:" + userId + ":" + roadmapId + ":" + key;
  }

  function keepLocal(field) {
    try {
      window.localStorage.setItem(storageKey(field.key), JSON.stringify({
        value: readValue(field.el), base_version: field.version, at: Date.now()
      }));
    } catch (error) {
      // Storage full or disabled: the text is still in the page and sent as usual.
    }
  }

  function readLocal(key) {
    try {
      var entry = JSON.parse(window.localStorage.getItem(storageKey(key)) || "null");
      return entry && typeof entry.value === "string" ? entry : null;
    } catch (error) {
      return null;
    }
  }

  function forgetLocal(key) {
    try {
      window.localStorage.removeItem(storageKey(key));
    } catch (error) {
      // Nothing to forget.
    }
  }

  // --- Status line and notes ----------------------------------------------------------------

  function setStatus(text) {
    document.getElementById("save-status").textContent = text;
  }

  function showNote(id, visible) {
    document.getElementById(id).hidden = !visible;
  }

  function showFieldError(field, text) {
    var box = document.getElementById("error-" + field.key);
    if (!box) {
      return;
    }
    box.textContent = "";
    if (text) {
      var p = document.createElement("p");
      p.textContent = text;
      box.appendChild(p);
    }
  }

  function setVersion(field, version) {
    field.version = version;
    field.el.setAttribute("data-version", String(version));
    var hidden = form.querySelector("input[data-version-for='" + field.key + "']");
    if (hidden) {
      hidden.value = String(version);
    }
  }

  // --- Sending ------------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = form.querySelector("input[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }

  function scheduleSend(field, delay) {
    window.clearTimeout(field.timer);
    field.timer = window.setTimeout(function () { send(field); }, delay);
  }

  function scheduleRetry() {
    if (retryTimer !== null) {
      return;
    }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
      flushAll();
    }, retryDelay);
  }

  // One save at a time per page: saves reach the server in the order they were made, and a
  // field edited again while its save is under way is sent once more, on the new version.
  function send(field) {
    window.clearTimeout(field.timer);
    field.timer = null;
    if (field.conflict || blocked) {
      return;
    }
    var value = readValue(field.el);
    if (value === field.saved) {
      field.pending = false;
      forgetLocal(field.key);
      return;
    }
    field.pending = true;
    if (sending !== null) {
      return; // sendNext() picks it up when the save under way is answered
    }
    sending = field;
    setStatus(msg("saving"));
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify({ key: field.key, value: value, base_version: field.version })
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        sending = null;
        if (handleResponse(field, value, response.status, body)) {
          sendNext();
        }
      });
    }, function () {
      // No answer at all: offline, or the server is unreachable.
      sending = null;
      showNote("offline-note", true);
      setStatus(msg("not_saved"));
      scheduleRetry();
    });
  }

  // Send the next field with unsent text, unless its debounce timer will send it anyway.
  function sendNext() {
    Object.keys(fields).some(function (key) {
      var field = fields[key];
      if (field.pending && !field.invalid && !field.conflict && field.timer === null) {
        send(field);
        return sending !== null;
      }
      return false;
    });
  }

  // Show what the server answered; true when the next field may be sent at once.
  function handleResponse(field, value, status, body) {
    showNote("offline-note", false);
    if (status === 200 && body && body.version !== undefined) {
      setVersion(field, body.version);
      field.saved = value;
      field.el.removeAttribute("data-suggested");
      if (readValue(field.el) === value) {
        field.pending = false;
        forgetLocal(field.key);
      } else {
        keepLocal(field); // typed on while the save was under way: keep it on the new base
      }
      showFieldError(field, "");
      showNote("expired-note", false);
      retryDelay = RETRY_FIRST_MS;
      setStatus(msg("saved", { time: body.saved_at_display }));
      var percent = document.querySelector("[data-percent-complete]");
      if (percent) {
        percent.textContent = String(body.percent_complete);
      }
      return true;
    }
    if (status === 409 && body && body.conflict) {
      field.conflict = body.conflict;
      showConflict(field);
      setStatus(msg("conflict"));
      return true;
    }
    var error = body && body.error ? body.error : null;
    if (status === 401) {
      showNote("expired-note", true);
      setStatus(msg("not_saved"));
      scheduleRetry();
      return false;
    }
    if ((status === 403 || status === 404) && error) {
      // The roadmap was submitted meanwhile (or access was removed): retrying cannot help.
      blocked = true;
      setStatus(error.message + " " + msg("not_saved"));
      return false;
    }
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      // A refusal: the same text would be refused again, so it is not sent again until the
      // person changes it. It stays in this browser's copy (keepLocal at each edit).
      field.invalid = true;
      var fieldMessages = error && error.fields && error.fields[field.key];
      var reason = fieldMessages ? fieldMessages[0] : error ? error.message : "";
      showFieldError(field, reason || msg("refused", { status: status }));
      setStatus(msg("invalid"));
      return true;
    }
    // A server error, a timeout or too many requests: try again later, each time waiting
    // longer, and say so.
    var seconds = Math.round(retryDelay / 1000);
    setStatus(status >= 500
      ? msg("server_error", { status: status, seconds: seconds })
      : msg("retrying", { seconds: seconds }));
    scheduleRetry();
    return false;
  }

  function flushAll() {
    if (sending === null) {
      sendNext();
    }
  }

  // --- Conflicts ----------------------------------------------------------------------------

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text !== undefined) {
      el.textContent = text;
    }
    return el;
  }

  function closeConflict(field) {
    field.conflict = null;
    var panel = document.getElementById("conflict-" + field.key);
    if (panel) {
      panel.remove();
    }
  }

  function showConflict(field) {
    var conflict = field.conflict;
    var old = document.getElementById("conflict-" + field.key);
    if (old) {
      old.remove();
    }
    var panel = element("div", "conflict-panel");
    panel.id = "conflict-" + field.key;
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-labelledby", "conflict-title-" + field.key);
    panel.setAttribute("data-conflict-for", field.key);
    var title = element("p", "conflict-title", msg("conflict_title"));
    title.id = "conflict-title-" + field.key;
    panel.appendChild(title);

    var versions = element("div", "conflict-versions");
    var mine = element("div", "conflict-version");
    mine.appendChild(element("p", "conflict-label", msg("yours")));
    var mineText = element("div", "conflict-text", displayValue(field, readValue(field.el)));
    mineText.setAttribute("data-version-of", "yours");
    mine.appendChild(mineText);
    var theirs = element("div", "conflict-version");
    // by is null when the account is gone; at_display is null when the field holds nothing
    // saved yet (the page was sent a version the field never had).
    var theirsLabel = conflict.at_display
      ? msg("theirs", { name: conflict.by || msg("someone"), time: conflict.at_display })
      : msg("theirs_unsaved");
    theirs.appendChild(element("p", "conflict-label", theirsLabel));
    var theirsText = element("div", "conflict-text", displayValue(field, conflict.theirs));
    theirsText.setAttribute("data-version-of", "theirs");
    theirs.appendChild(theirsText);
    versions.appendChild(mine);
    versions.appendChild(theirs);
    panel.appendChild(versions);

    var actions = element("div", "form-actions");
    var keepMine = element("button", "", msg("keep_mine"));
    keepMine.type = "button";
    keepMine.addEventListener("click", function () {
      // Mine replaces theirs: send it on top of their version.
      setVersion(field, conflict.their_version);
      closeConflict(field);
      field.pending = true;
      keepLocal(field);
      send(field);
    });
    var keepTheirs = element("button", "secondary", msg("keep_theirs"));
    keepTheirs.type = "button";
    keepTheirs.addEventListener("click", function () {
      writeValue(field, conflict.theirs);
      setVersion(field, conflict.their_version);
      field.saved = conflict.theirs;
      field.pending = false;
      forgetLocal(field.key);
      closeConflict(field);
      setStatus("");
    });
    actions.appendChild(keepMine);
    actions.appendChild(keepTheirs);
    panel.appendChild(actions);

    if (TEXT_KINDS.indexOf(field.el.getAttribute("data-kind")) !== -1) {
      var mergeButton = element("button", "secondary", msg("merge"));
      mergeButton.type = "button";
      actions.appendChild(mergeButton);
      var merge = element("div", "conflict-merge");
      merge.hidden = true;
      var label = element("label", "", msg("merged_label"));
      label.htmlFor = "merge-" + field.key;
      var area = element("textarea");
      area.id = "merge-" + field.key;
      area.rows = 6;
      area.value = readValue(field.el) + "\n\n" + conflict.theirs;
      var saveMerged = element("button", "", msg("save_merged"));
      saveMerged.type = "button";
      merge.appendChild(label);
      merge.appendChild(area);
      merge.appendChild(saveMerged);
      panel.appendChild(merge);
      mergeButton.addEventListener("click", function () {
        merge.hidden = false;
        area.focus();
      });
      saveMerged.addEventListener("click", function () {
        writeValue(field, area.value);
        setVersion(field, conflict.their_version);
        closeConflict(field);
        field.pending = true;
        keepLocal(field);
        send(field);
      });
    }
    var after = document.getElementById("error-" + field.key);
    after.parentNode.insertBefore(panel, after.nextSibling);
  }

  // --- Wiring -------------------------------------------------------------------------------

  function edited(field) {
    field.pending = true;
    field.invalid = false;
    if (!field.conflict) {
      showFieldError(field, "");
    }
    keepLocal(field);
    updateWordCount(field);
  }

  function setUp(el) {
    var field = {
      el: el,
      key: el.getAttribute("data-key"),
      version: parseInt(el.getAttribute("data-version"), 10) || 0,
      // A suggestion (the representative prefill) is not saved yet: the server holds "".
      saved: el.hasAttribute("data-suggested") ? "" : readValue(el),
      pending: false,
      invalid: false,
      conflict: null,
      timer: null
    };
    fields[field.key] = field;
    if (el.tagName === "FIELDSET" || el.tagName === "SELECT") {
      el.addEventListener("change", function () {
        edited(field);
        send(field);
      });
    } else {
      el.addEventListener("input", function () {
        edited(field);
        scheduleSend(field, DEBOUNCE_MS);
      });
      el.addEventListener("blur", function () {
        if (readValue(el) !== field.saved) {
          field.pending = true;
          keepLocal(field);
          send(field);
        }
      });
    }
    return field;
  }

  function restore(field) {
    // Text typed here earlier that never reached the server goes back in and is sent. If
    // someone saved the field since, the server answers 409 and both versions are shown.
    var entry = readLocal(field.key);
    if (!entry) {
      return;
    }
    var serverValue = readValue(field.el);
    if (entry.value === serverValue && !field.el.hasAttribute("data-suggested")) {
      forgetLocal(field.key);
      return;
    }
    var base = parseInt(entry.base_version, 10) || 0;
    if (base < field.version) {
      setVersion(field, base);
    }
    writeValue(field, entry.value);
    field.pending = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("roadmap-form");
    if (!form) {
      return;
    }
    url = form.getAttribute("data-autosave-url");
    roadmapId = form.getAttribute("data-roadmap");
    userId = form.getAttribute("data-user");
    document.querySelectorAll("#roadmap-messages [data-msg]").forEach(function (el) {
      messages[el.getAttribute("data-msg")] = el.textContent;
    });
    form.querySelectorAll("[data-key]").forEach(function (el) {
      restore(setUp(el));
    });
    form.addEventListener("submit", function (event) {
      // With the script, "Save" sends what is left at once instead of posting the page.
      event.preventDefault();
      Object.keys(fields).forEach(function (key) {
        var field = fields[key];
        // Pressing "Save" accepts the suggestions too (their saved value is still "").
        if (readValue(field.el) !== field.saved) {
          field.pending = true;
          field.invalid = false;
        }
      });
      retryDelay = RETRY_FIRST_MS;
      flushAll();
    });
    window.addEventListener("online", function () {
      showNote("offline-note", false);
      retryDelay = RETRY_FIRST_MS;
      flushAll();
    });
    window.addEventListener("offline", function () {
      showNote("offline-note", true);
    });
    window.setInterval(function () {
      // A retry already waiting keeps its growing delay: the periodic send does not cut it.
      if (retryTimer === null) {
        flushAll();
      }
    }, PERIODIC_MS);
    flushAll();
  });
})();
