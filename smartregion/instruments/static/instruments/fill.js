/* Questionnaire (diagnostic, barometer): save each answer as it is given.
 *
 * Progressive enhancement of an ordinary form (which also saves the whole section without
 * JavaScript). Saves of one question are sent one after another with the revision the page holds,
 * so the server can tell a colleague's change (409) from ours. A failed save keeps the answer on
 * the page, says so, and is retried when the browser is back online or after a short delay.
 */
(function () {
  "use strict";
  var form = document.getElementById("fill-form");
  if (!form || !window.fetch || !window.Promise) return;
  var url = form.dataset.answerUrl;
  var text = form.dataset;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var warning = document.getElementById("save-warning");
  var SPECIALS = ["dont_know", "not_applicable"];
  var DEBOUNCE = 800, RETRY = 15000;
  var chains = {}, timers = {}, unsaved = {}, failed = {}, lastSaved = {};
  var retryTimer = null;

  function questions() { return form.querySelectorAll(".question"); }
  function byCode(code) { return document.getElementById("q-" + code); }
  function isText(el) { return el.matches("textarea, input[type=text]"); }

  function checked(q, name) {
    var inputs = q.querySelectorAll('input[name="' + name + '"]:checked');
    return Array.prototype.map.call(inputs, function (i) { return i.value; });
  }

  function scaleValue(v) { return /^-?\d+$/.test(v) ? parseInt(v, 10) : v; }

  function valueOf(q) {
    var code = q.dataset.code, type = q.dataset.type, name = "q-" + code, values;
    if (type === "single_choice" || type === "yes_no" || type === "scale") {
      values = checked(q, name);
      if (!values.length) return null;
      return type === "scale" ? scaleValue(values[0]) : values[0];
    }
    if (type === "multiple_choice") {
      values = checked(q, name);
      return values.length === 1 && SPECIALS.indexOf(values[0]) >= 0 ? values[0] : values;
    }
    if (type === "number") {
      values = checked(q, "s-" + code);
      if (values.length) return values[0];
      var raw = q.querySelector('input[name="' + name + '"]').value.replace(/\s/g, "").replace(",", ".");
      if (!raw) return null;
      return isNaN(Number(raw)) ? raw : Number(raw);
    }
    if (type === "matrix") {
      var rows = {}, any = false;
      q.querySelectorAll("input[type=radio]:checked").forEach(function (i) {
        rows[i.name.slice(name.length + 1)] = scaleValue(i.value);
        any = true;
      });
      return any ? rows : null;
    }
    var value = q.querySelector('[name="' + name + '"]').value;
    return value.trim() ? value : null;
  }

  function setValue(q, value) {
    var name = "q-" + q.dataset.code, matrix = q.dataset.type === "matrix";
    q.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (i) {
      if (matrix) {
        var row = i.name.slice(name.length + 1);
        i.checked = !!value && typeof value === "object" && String(value[row]) === i.value;
      } else if (Array.isArray(value)) {
        i.checked = value.indexOf(i.value) >= 0;
      } else {
        i.checked = value !== null && value !== undefined && String(value) === i.value;
      }
    });
    var field = q.querySelector('textarea[name="' + name + '"], input[type=text][name="' + name + '"]');
    if (field) {
      var plain = value === null || value === undefined || SPECIALS.indexOf(value) >= 0;
      field.value = plain ? "" : String(value);
    }
  }

  function setStatus(q, message, kind) {
    var status = q.querySelector(".q-status");
    status.textContent = message;
    status.className = "q-status" + (kind ? " q-status-" + kind : "");
  }

  function setRevision(q, revision) {
    q.dataset.revision = revision;
    q.querySelector(".q-revision").value = revision;
  }

  function updateWarning() {
    warning.hidden = Object.keys(failed).length === 0;
  }

  function updateProgress(progress) {
    if (!progress) return;
    var bar = document.getElementById("progress-bar");
    bar.max = progress.total;
    bar.value = progress.answered;
    bar.textContent = progress.percent + " %";
    document.getElementById("progress-text").textContent = text.msgProgress
      .replace("%(answered)s", progress.answered)
      .replace("%(total)s", progress.total)
      .replace("%(percent)s", progress.percent);
  }

  function updateHidden(hidden) {
    if (!hidden) return;
    questions().forEach(function (q) { q.hidden = hidden.indexOf(q.dataset.code) >= 0; });
  }

  function clearConflict(q) {
    var box = q.querySelector(".q-conflict-box");
    if (box) box.remove();
  }

  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button button-secondary button-small";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  // The chosen button disappears with the conflict box: give the focus back to the answer,
  // or keyboard and screen reader users are thrown back to the top of the page.
  function focusAnswer(q) {
    var field = q.querySelector("input:checked") ||
      q.querySelector("input:not([type=hidden]), textarea");
    if (field) field.focus();
  }

  function showConflict(q, data) {
    clearConflict(q);
    setStatus(q, data.message, "conflict");
    var box = document.createElement("div");
    box.className = "q-conflict-box actions";
    box.appendChild(button(text.msgKeepTheirs, function () {
      setValue(q, data.conflict.value);
      setRevision(q, data.conflict.revision);
      updateHidden(data.hidden);
      lastSaved[q.dataset.code] = JSON.stringify(valueOf(q));
      focusAnswer(q);
      clearConflict(q);
      setStatus(q, text.msgKeptTheirs, "saved");
    }));
    box.appendChild(button(text.msgUseMine, function () {
      setRevision(q, data.conflict.revision);
      focusAnswer(q);
      clearConflict(q);
      save(q, true);
    }));
    q.querySelector(".q-status").after(box);
  }

  function settled(code) {
    delete unsaved[code];
    delete failed[code];
    updateWarning();
  }

  function handle(q, status, data, sent) {
    var code = q.dataset.code;
    if (status === 200) {
      settled(code);
      lastSaved[code] = sent;
      setRevision(q, data.revision);
      clearConflict(q);
      setStatus(q, text.msgSaved + " " + (data.saved_at_display || ""), "saved");
      updateProgress(data.progress);
      updateHidden(data.hidden);
    } else if (status === 409 && data.conflict) {
      settled(code);
      showConflict(q, data);
    } else if (status === 401) {
      failed[code] = true;
      updateWarning();
      setStatus(q, text.msgSignedOut, "error");
    } else if ([403, 404, 409, 410, 422].indexOf(status) >= 0) {
      // Refusals that a retry cannot change (e.g. the barometer's 410 once its wave has closed).
      settled(code);
      setStatus(q, text.msgError + " " + (data.errors || []).join(" "), "error");
    } else {
      networkProblem(q);
    }
  }

  function networkProblem(q) {
    failed[q.dataset.code] = true;
    updateWarning();
    setStatus(q, text.msgOffline, "error");
    if (!retryTimer) retryTimer = setTimeout(retry, RETRY);
  }

  function retry() {
    retryTimer = null;
    Object.keys(failed).forEach(function (code) {
      var q = byCode(code);
      if (q) save(q);
    });
  }

  function send(q, force) {
    var value = valueOf(q), sent = JSON.stringify(value);
    if (!force && sent === lastSaved[q.dataset.code] && !failed[q.dataset.code]) {
      settled(q.dataset.code);
      return Promise.resolve();
    }
    var body = { question: q.dataset.code, value: value, base_revision: parseInt(q.dataset.revision || "0", 10) };
    if (force) body.force = true;
    setStatus(q, text.msgSaving, "saving");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        handle(q, response.status, data, sent);
      });
    }, function () { networkProblem(q); });
  }

  function save(q, force) {
    var code = q.dataset.code;
    clearTimeout(timers[code]);
    unsaved[code] = true;
    chains[code] = (chains[code] || Promise.resolve()).then(function () { return send(q, force); });
  }

  function exclusive(q, input) {
    if (input.type === "checkbox" && input.checked) {
      var alone = input.hasAttribute("data-exclusive");
      q.querySelectorAll("input[type=checkbox]").forEach(function (other) {
        if (other !== input && (alone || other.hasAttribute("data-exclusive"))) other.checked = false;
      });
      if (alone && q.dataset.type === "number") q.querySelector("input[type=text]").value = "";
    }
    if (q.dataset.type === "number" && input.type === "text" && input.value.trim()) {
      q.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
    }
  }

  form.addEventListener("change", function (event) {
    var q = event.target.closest(".question");
    if (!q) return;
    exclusive(q, event.target);
    save(q);
  });

  form.addEventListener("input", function (event) {
    var q = event.target.closest(".question");
    if (!q || !isText(event.target)) return;
    exclusive(q, event.target);
    unsaved[q.dataset.code] = true;
    clearTimeout(timers[q.dataset.code]);
    timers[q.dataset.code] = setTimeout(function () { save(q); }, DEBOUNCE);
  });

  window.addEventListener("online", retry);
  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(unsaved).length === 0) return undefined;
    event.preventDefault();
    event.returnValue = text.msgLeave;
    return text.msgLeave;
  });
  form.addEventListener("submit", function () { unsaved = {}; });

  questions().forEach(function (q) { lastSaved[q.dataset.code] = JSON.stringify(valueOf(q)); });
})();
