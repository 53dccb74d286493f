/* The project form, enhanced: a searchable commune picker and places set by clicking the map.
 *
 * Without this script the form works as served: a multi-select of communes plus a text field for
 * names or REFNIS codes, and for each place a commune or coordinates. With it, the multi-select
 * becomes an ARIA 1.2 combobox (input + listbox, arrow keys, Enter, Escape) with the chosen
 * communes listed as removable items; it still submits the same hidden <select>. Labels come
 * from data- attributes the template translated. No inline code: the page's CSP stays strict.
 */
(function () {
  "use strict";

  /* The same folding as territory/names.py: no accents, case-folded, punctuation as spaces. */
  function fold(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  /* --- the commune picker ------------------------------------------------------------------ */

  function score(option, query) {
    var keys = (option.dataset.names || "").split(" | ");
    var best = 0;
    keys.forEach(function (key) {
      if (key === query) best = Math.max(best, 3);
      else if (key.indexOf(query) === 0) best = Math.max(best, 2);
      else if (key.indexOf(" " + query) >= 0) best = Math.max(best, 1);
    });
    return best;
  }

  function Picker(root) {
    this.root = root;
    this.labels = root.dataset;
    this.select = root.querySelector("select[multiple]");
    this.fallback = root.querySelector("[data-picker-fallback]");
    this.options = Array.prototype.slice.call(this.select.options);
    this.matches = [];
    this.active = -1;
    this.build();
    this.renderChosen();
  }

  Picker.prototype.build = function () {
    var id = this.select.id + "-picker";
    var group = this.root.querySelector("[data-picker-select]");
    var errors = group.querySelector(".errorlist");
    var field = element("div", { class: "field picker-field" });
    var label = element("label", { for: id }, this.labels.searchLabel);
    var help = element("p", { id: id + "-help", class: "helptext" }, this.labels.searchHelp);
    this.input = element("input", {
      id: id,
      type: "text",
      role: "combobox",
      autocomplete: "off",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": id + "-list",
      "aria-describedby": id + "-help",
    });
    this.list = element("ul", { id: id + "-list", role: "listbox", class: "picker-list" });
    this.list.setAttribute("aria-label", this.labels.searchLabel);
    this.list.hidden = true;
    this.status = element("p", { class: "visually-hidden", role: "status" });
    this.chosenHeading = element("p", { id: id + "-chosen", class: "picker-chosen-label" },
      this.labels.chosenLabel);
    this.chosen = element("ul", { class: "picker-chosen", "aria-labelledby": id + "-chosen" });
    field.append(label, help);
    if (errors) {
      errors.id = errors.id || id + "-errors";
      this.input.setAttribute("aria-describedby", id + "-help " + errors.id);
      this.input.setAttribute("aria-invalid", "true");
      field.append(errors);
    }
    field.append(this.input, this.list, this.status, this.chosenHeading, this.chosen);
    group.hidden = true;
    var typed = this.fallback.querySelector("input");
    if (!typed.value && !this.fallback.querySelector(".errorlist")) this.fallback.hidden = true;
    this.root.insertBefore(field, group);
    this.input.addEventListener("input", this.search.bind(this));
    this.input.addEventListener("keydown", this.key.bind(this));
    this.input.addEventListener("blur", this.close.bind(this));
  };

  Picker.prototype.search = function () {
    var query = fold(this.input.value);
    if (!query) {
      this.close();
      return;
    }
    this.matches = this.options
      .map(function (option) { return { option: option, score: score(option, query) }; })
      .filter(function (match) { return match.score > 0; })
      .sort(function (a, b) {
        return b.score - a.score || a.option.text.localeCompare(b.option.text);
      })
      .slice(0, 12)
      .map(function (match) { return match.option; });
    this.active = this.matches.length ? 0 : -1;
    this.renderList();
    this.status.textContent = this.matches.length
      ? this.matches.length + " " + this.labels.matches
      : this.labels.noMatch;
  };

  Picker.prototype.renderList = function () {
    var self = this;
    this.list.replaceChildren();
    this.matches.forEach(function (option, index) {
      var item = element("li", {
        id: self.input.id + "-option-" + option.value,
        role: "option",
        "aria-selected": index === self.active ? "true" : "false",
        class: option.selected ? "is-chosen" : "",
      }, option.text + " (" + option.dataset.names.split(" | ").pop() + ")"
        + (option.selected ? " — " + self.labels.already : ""));
      item.addEventListener("mousedown", function (event) {
        event.preventDefault(); /* keep the focus in the input */
        self.choose(option);
      });
      self.list.append(item);
    });
    var open = this.matches.length > 0;
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (this.active >= 0) {
      var current = this.list.children[this.active];
      this.input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Picker.prototype.key = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) {
        this.search();
        return;
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.matches.length) % this.matches.length;
      this.renderList();
    } else if (event.key === "Enter") {
      event.preventDefault(); /* Enter adds a commune here, it never submits the form */
      if (open && this.active >= 0) this.choose(this.matches[this.active]);
    } else if (event.key === "Escape") {
      if (open) event.preventDefault();
      this.input.value = "";
      this.close();
    }
  };

  Picker.prototype.close = function () {
    this.matches = [];
    this.active = -1;
    this.renderList();
  };

  Picker.prototype.choose = function (option) {
    option.selected = !option.selected;
    this.status.textContent = option.text + " " + (option.selected ? this.labels.added : this.labels.removed);
    this.input.value = "";
    this.close();
    this.renderChosen();
  };

  Picker.prototype.renderChosen = function () {
    var self = this;
    this.chosen.replaceChildren();
    var chosen = this.options.filter(function (option) { return option.selected; });
    if (!chosen.length) {
      this.chosen.append(element("li", { class: "helptext" }, this.labels.noneChosen));
    }
    chosen.forEach(function (option) {
      var item = element("li", {}, option.text + " ");
      var remove = element("button", { type: "button", class: "picker-remove" }, "×");
      remove.setAttribute("aria-label", self.labels.removeLabel + " " + option.text);
      remove.addEventListener("click", function () {
        option.selected = false;
        self.status.textContent = option.text + " " + self.labels.removed;
        self.renderChosen();
        self.input.focus();
      });
      item.append(remove);
      self.chosen.append(item);
    });
  };

  /* --- places: a click on the map sets the selected place's coordinates --------------------- */

  function PlaceMap(figure, form) {
    this.figure = figure;
    this.svg = figure.querySelector("svg[data-place-map]");
    this.markers = this.svg.querySelector(".markers");
    this.target = figure.querySelector("[data-place-target]");
    this.frame = {
      minLon: parseFloat(this.svg.dataset.minLon),
      maxLat: parseFloat(this.svg.dataset.maxLat),
      xScale: parseFloat(this.svg.dataset.xScale),
      scale: parseFloat(this.svg.dataset.scale),
    };
    this.rows = Array.prototype.slice
      .call(form.querySelectorAll("fieldset.row"))
      .filter(function (row) { return row.querySelector("input[name$='-latitude']"); });
    this.current = this.firstEmpty();
    figure.hidden = false;
    this.listen();
    this.draw();
  }

  PlaceMap.prototype.fields = function (row) {
    return {
      legend: row.querySelector("legend").textContent,
      latitude: row.querySelector("input[name$='-latitude']"),
      longitude: row.querySelector("input[name$='-longitude']"),
      municipality: row.querySelector("input[name$='-municipality']"),
    };
  };

  PlaceMap.prototype.firstEmpty = function () {
    var self = this;
    var empty = this.rows.filter(function (row) { return !self.fields(row).latitude.value; });
    return empty[0] || this.rows[this.rows.length - 1];
  };

  PlaceMap.prototype.listen = function () {
    var self = this;
    this.rows.forEach(function (row) {
      row.addEventListener("focusin", function () {
        self.current = row;
        self.draw();
      });
      row.addEventListener("input", function () { self.draw(); });
    });
    this.svg.addEventListener("click", function (event) { self.place(event); });
  };

  PlaceMap.prototype.place = function (event) {
    if (!this.current) return;
    var point = this.svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    var at = point.matrixTransform(this.svg.getScreenCTM().inverse());
    var lon = this.frame.minLon + at.x / (this.frame.xScale * this.frame.scale);
    var lat = this.frame.maxLat - at.y / this.frame.scale;
    var fields = this.fields(this.current);
    fields.latitude.value = lat.toFixed(5);
    fields.longitude.value = lon.toFixed(5);
    if (fields.municipality) fields.municipality.value = "";
    this.draw();
    this.target.textContent = fields.legend + " " + this.figure.dataset.placedLabel + " "
      + fields.latitude.value + ", " + fields.longitude.value + ".";
  };

  PlaceMap.prototype.draw = function () {
    var self = this;
    this.markers.replaceChildren();
    this.rows.forEach(function (row) {
      var fields = self.fields(row);
      var lat = parseFloat((fields.latitude.value || "").replace(",", "."));
      var lon = parseFloat((fields.longitude.value || "").replace(",", "."));
      if (isNaN(lat) || isNaN(lon)) return;
      var circle = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      circle.setAttribute("cx", ((lon - self.frame.minLon) * self.frame.xScale * self.frame.scale).toFixed(1));
      circle.setAttribute("cy", ((self.frame.maxLat - lat) * self.frame.scale).toFixed(1));
      circle.setAttribute("r", "8");
      circle.setAttribute("class", row === self.current ? "marker is-current" : "marker");
      self.markers.append(circle);
    });
    if (this.current) {
      this.target.textContent = this.figure.dataset.targetLabel + " " + this.fields(this.current).legend + ".";
    }
  };

  /* Each place's commune field suggests the region's communes (a native datalist). */
  function suggestCommunes(form, select) {
    var list = element("datalist", { id: "commune-names" });
    Array.prototype.forEach.call(select.options, function (option) {
      list.append(element("option", { value: option.text }));
    });
    form.append(list);
    form.querySelectorAll("input[name$='-municipality']").forEach(function (input) {
      input.setAttribute("list", "commune-names");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-commune-picker]");
    if (!root) return;
    var form = root.closest("form");
    var picker = new Picker(root);
    suggestCommunes(form, picker.select);
    var figure = form.querySelector("[data-place-map-figure]");
    if (figure) new PlaceMap(figure, form);
  });
})();
