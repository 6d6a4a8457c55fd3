/* The eligibility editor (policies/form.html): a tree of groups (all / any) and conditions
 * (enterprise field, yearly figure, ratio of two figures, qualification) edited with select
 * boxes and inputs, written back as JSON into the form's textarea[data-eligibility-editor].
 *
 * Progressive enhancement: without this script the textarea is the editor. What the editor
 * offers comes from the server (<script type="application/json" id="eligibility-options">);
 * the server re-validates on save and its errors, keyed by node path
 * ("eligibility.all[1].op", in #eligibility-errors), are shown beside the nodes.
 * No inline code, no innerHTML with data (strict CSP).
 */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; }
      else if (key === "className") { node.className = attrs[key]; }
      else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function select(options, value, label, className) {
    var s = el("select", { className: "form-select form-select-sm " + (className || ""), "aria-label": label });
    options.forEach(function (pair) {
      var o = el("option", { value: String(pair[0]), text: pair[1] });
      if (String(pair[0]) === String(value)) { o.selected = true; }
      s.appendChild(o);
    });
    return s;
  }

  function numberOrText(text) {
    var t = String(text).trim();
    if (t !== "" && /^[0-9]+(\.[0-9]+)?$/.test(t)) { return Number(t); }
    return t;
  }

  function Editor(textarea, options, errors) {
    this.textarea = textarea;
    this.o = options;
    this.errors = errors || {};
    this.fields = {};
    var self = this;
    options.fields.forEach(function (f) { self.fields[f.code] = f; });
    this.root = el("div", { className: "zy-elig", id: "eligibility-editor" });
    textarea.parentNode.insertBefore(this.root, textarea);
    this.tree = null;
    this.broken = false;
    var raw = textarea.value.trim();
    if (raw !== "") {
      try { this.tree = JSON.parse(raw); } catch (e) { this.broken = true; }
      if (this.tree !== null && (typeof this.tree !== "object" || Array.isArray(this.tree))) { this.broken = true; }
      if (this.tree && Object.keys(this.tree).length === 0) { this.tree = null; }
    }
    if (!this.broken) { textarea.classList.add("d-none"); }
    this.render();
  }

  Editor.prototype.t = function (key) { return this.o.text[key] || key; };

  Editor.prototype.save = function () {
    this.textarea.value = this.tree ? JSON.stringify(this.tree) : "";
  };

  Editor.prototype.changed = function (rerender) {
    this.save();
    if (rerender) { this.render(); }
  };

  Editor.prototype.render = function () {
    var self = this;
    this.root.textContent = "";
    if (this.broken) {
      this.root.appendChild(el("div", { className: "alert alert-warning py-1 small", text: this.t("broken") }));
      return;
    }
    var toolbar = el("div", { className: "zy-elig-toolbar" });
    if (this.tree === null) {
      this.root.appendChild(el("p", { className: "text-body-secondary small mb-2", text: this.t("empty") }));
      this.o.groups.forEach(function (g) {
        var b = el("button", { type: "button", className: "btn btn-sm btn-outline-primary me-2", "data-start": g[0],
          text: g[0] === "all" ? self.t("start_all") : self.t("start_any") });
        b.addEventListener("click", function () {
          var tree = {}; tree[g[0]] = [self.newLeaf("field")];
          self.tree = tree; self.changed(true);
        });
        toolbar.appendChild(b);
      });
    } else {
      this.root.appendChild(this.renderNode(this.tree, "eligibility", null, null));
      var clear = el("button", { type: "button", className: "btn btn-sm btn-link text-danger", text: this.t("clear") });
      clear.addEventListener("click", function () { self.tree = null; self.changed(true); });
      toolbar.appendChild(clear);
    }
    var toggle = el("button", { type: "button", className: "btn btn-sm btn-link", text: this.t("show_json"),
      "aria-controls": this.textarea.id });
    toggle.addEventListener("click", function () { self.textarea.classList.toggle("d-none"); });
    toolbar.appendChild(toggle);
    this.root.appendChild(toolbar);
    this.save();
  };

  Editor.prototype.kindOf = function (node) {
    if (node && typeof node === "object") {
      if (Array.isArray(node.all)) { return "all"; }
      if (Array.isArray(node.any)) { return "any"; }
      if ("field" in node) { return "field"; }
      if ("figure" in node) { return "figure"; }
      if ("ratio" in node) { return "ratio"; }
      if ("qualification" in node) { return "qualification"; }
    }
    return "unknown";
  };

  Editor.prototype.defaultValue = function (field, op) {
    if (field.kind === "bool") { return true; }
    if (field.kind === "set") { return op === "in" ? [] : (field.options[0] ? field.options[0][0] : ""); }
    return "";
  };

  Editor.prototype.newLeaf = function (kind) {
    var o = this.o;
    if (kind === "figure") { return { figure: o.figures[0][0], year: o.default_year, op: "gte", value: "" }; }
    if (kind === "ratio") { return { ratio: ["rd_wan", "revenue_wan"], year: o.default_year, op: "gte", value: "" }; }
    if (kind === "qualification") { return { qualification: o.qualifications[0] || "" }; }
    var f = o.fields[0];
    return { field: f.code, op: f.ops[f.ops.length - 1], value: this.defaultValue(f, f.ops[f.ops.length - 1]) };
  };

  /* Errors of this node itself (its keys), not of its children. */
  Editor.prototype.nodeErrors = function (path) {
    var out = [];
    var self = this;
    Object.keys(this.errors).forEach(function (key) {
      if (key === path) { out.push(self.errors[key]); return; }
      if (key.indexOf(path + ".") === 0) {
        var rest = key.slice(path.length + 1);
        if (rest.indexOf("all[") !== 0 && rest.indexOf("any[") !== 0) {
          var base = rest.split("[")[0];
          var name = (self.o.keys && self.o.keys[base]) || rest;
          out.push(name + ": " + self.errors[key]);
        }
      }
    });
    return out;
  };

  Editor.prototype.errorBox = function (path, box) {
    var messages = this.nodeErrors(path);
    if (messages.length) {
      box.classList.add("zy-elig-invalid");
      var list = el("ul", { className: "zy-elig-errors text-danger small mb-0" });
      messages.forEach(function (m) { list.appendChild(el("li", { text: m })); });
      box.appendChild(list);
    }
  };

  Editor.prototype.renderNode = function (node, path, parent, index) {
    var kind = this.kindOf(node);
    if (kind === "all" || kind === "any") { return this.renderGroup(node, kind, path, parent, index); }
    return this.renderLeaf(node, kind, path, parent, index);
  };

  Editor.prototype.removeButton = function (parent, index) {
    var self = this;
    var b = el("button", { type: "button", className: "btn btn-sm btn-outline-danger zy-elig-remove",
      title: this.t("remove"), "aria-label": this.t("remove") }, [el("i", { className: "bi bi-x-lg", "aria-hidden": "true" })]);
    b.addEventListener("click", function () {
      if (parent === null) { self.tree = null; } else { parent.splice(index, 1); }
      self.changed(true);
    });
    return b;
  };

  Editor.prototype.renderGroup = function (node, kind, path, parent, index) {
    var self = this;
    var box = el("div", { className: "zy-elig-group", "data-path": path });
    var head = el("div", { className: "zy-elig-head" });
    var kindSelect = select(this.o.groups, kind, this.t("kind"), "zy-elig-group-kind");
    kindSelect.addEventListener("change", function () {
      var children = node[kind];
      delete node[kind];
      node[kindSelect.value] = children;
      self.changed(true);
    });
    head.appendChild(kindSelect);
    var addLeaf = el("button", { type: "button", className: "btn btn-sm btn-outline-primary zy-elig-add-condition" },
      [el("i", { className: "bi bi-plus-lg", "aria-hidden": "true" }), document.createTextNode(" " + this.t("add_condition"))]);
    addLeaf.addEventListener("click", function () { node[kind].push(self.newLeaf("field")); self.changed(true); });
    var addGroup = el("button", { type: "button", className: "btn btn-sm btn-outline-secondary zy-elig-add-group" },
      [el("i", { className: "bi bi-diagram-3", "aria-hidden": "true" }), document.createTextNode(" " + this.t("add_group"))]);
    addGroup.addEventListener("click", function () {
      var other = kind === "all" ? "any" : "all";
      var g = {}; g[other] = [self.newLeaf("field")];
      node[kind].push(g); self.changed(true);
    });
    head.appendChild(addLeaf);
    head.appendChild(addGroup);
    head.appendChild(this.removeButton(parent, index));
    box.appendChild(head);
    this.errorBox(path, box);
    var list = el("div", { className: "zy-elig-children" });
    node[kind].forEach(function (child, i) {
      list.appendChild(self.renderNode(child, path + "." + kind + "[" + i + "]", node[kind], i));
    });
    box.appendChild(list);
    return box;
  };

  Editor.prototype.opSelect = function (ops, value, onChange) {
    var self = this;
    var s = select(ops.map(function (op) { return [op, self.t(op)]; }), value, "op", "zy-elig-op");
    s.addEventListener("change", function () { onChange(s.value); });
    return s;
  };

  Editor.prototype.yearInput = function (node) {
    var self = this;
    var input = el("input", { type: "number", className: "form-control form-control-sm zy-elig-year", min: this.o.year_min,
      max: this.o.year_max, step: "1", value: node.year === undefined ? "" : String(node.year), "aria-label": this.t("year") });
    input.addEventListener("input", function () {
      var n = parseInt(input.value, 10);
      node.year = isNaN(n) ? input.value : n;
      self.changed(false);
    });
    return el("span", { className: "zy-elig-part" }, [el("span", { className: "small text-body-secondary", text: this.t("year") }), input]);
  };

  Editor.prototype.numberInput = function (node, unit, hint) {
    var self = this;
    var input = el("input", { type: "text", inputmode: "decimal", className: "form-control form-control-sm zy-elig-value",
      value: node.value === undefined || node.value === null ? "" : String(node.value), "aria-label": this.t("value") });
    if (hint) { input.setAttribute("placeholder", hint); }
    input.addEventListener("input", function () { node.value = numberOrText(input.value); self.changed(false); });
    return el("span", { className: "zy-elig-part" }, [input, unit ? el("span", { className: "small text-body-secondary", text: unit }) : null]);
  };

  Editor.prototype.renderLeaf = function (node, kind, path, parent, index) {
    var self = this;
    var box = el("div", { className: "zy-elig-leaf", "data-path": path, "data-kind": kind });
    var row = el("div", { className: "zy-elig-row" });
    var kinds = (this.o.leaf_kinds || ["field", "figure", "ratio", "qualification"]).map(function (k) { return [k, self.t(k)]; });
    var kindSelect = select(kinds, kind, this.t("kind"), "zy-elig-kind");
    kindSelect.addEventListener("change", function () {
      var fresh = self.newLeaf(kindSelect.value);
      Object.keys(node).forEach(function (k) { delete node[k]; });
      Object.keys(fresh).forEach(function (k) { node[k] = fresh[k]; });
      self.changed(true);
    });
    row.appendChild(kindSelect);

    if (kind === "field") {
      var field = this.fields[node.field] || this.o.fields[0];
      var fieldSelect = select(this.o.fields.map(function (f) { return [f.code, f.label]; }), node.field, "field", "zy-elig-field");
      fieldSelect.addEventListener("change", function () {
        var f = self.fields[fieldSelect.value];
        node.field = f.code;
        node.op = f.ops.indexOf(node.op) >= 0 ? node.op : f.ops[f.ops.length - 1];
        node.value = self.defaultValue(f, node.op);
        self.changed(true);
      });
      row.appendChild(fieldSelect);
      row.appendChild(this.opSelect(field.ops, node.op, function (op) {
        var was = node.op;
        node.op = op;
        if (field.kind === "set") {
          if (op === "in" && !Array.isArray(node.value)) { node.value = node.value ? [node.value] : []; }
          if (op !== "in" && Array.isArray(node.value)) { node.value = node.value[0] || self.defaultValue(field, op); }
        }
        self.changed(was === "in" || op === "in");
      }));
      if (field.kind === "set" && node.op === "in") {
        var multi = el("select", { multiple: "multiple", className: "form-select form-select-sm zy-elig-multi",
          size: String(Math.min(8, Math.max(2, field.options.length))), "aria-label": field.label, title: this.t("multi_hint") });
        var chosen = Array.isArray(node.value) ? node.value.map(String) : [];
        field.options.forEach(function (pair) {
          var o = el("option", { value: pair[0], text: pair[1] });
          if (chosen.indexOf(String(pair[0])) >= 0) { o.selected = true; }
          multi.appendChild(o);
        });
        multi.addEventListener("change", function () {
          node.value = Array.prototype.filter.call(multi.options, function (o) { return o.selected; })
            .map(function (o) { return o.value; });
          self.changed(false);
        });
        row.appendChild(multi);
      } else if (field.kind === "set") {
        var single = select(field.options, node.value, field.label, "zy-elig-value");
        single.addEventListener("change", function () { node.value = single.value; self.changed(false); });
        row.appendChild(single);
      } else if (field.kind === "bool") {
        var yesNo = select([["true", this.t("yes")], ["false", this.t("no")]], String(node.value !== false), field.label, "zy-elig-value");
        yesNo.addEventListener("change", function () { node.value = yesNo.value === "true"; self.changed(false); });
        row.appendChild(yesNo);
      } else {
        row.appendChild(this.numberInput(node, field.unit));
      }
    } else if (kind === "figure") {
      var figures = this.o.figures.map(function (f) { return [f[0], f[1]]; });
      var unitOf = {};
      this.o.figures.forEach(function (f) { unitOf[f[0]] = f[2]; });
      var figureSelect = select(figures, node.figure, "figure", "zy-elig-figure");
      figureSelect.addEventListener("change", function () { node.figure = figureSelect.value; self.changed(true); });
      row.appendChild(figureSelect);
      row.appendChild(this.yearInput(node));
      row.appendChild(this.opSelect(this.o.figure_ops, node.op, function (op) { node.op = op; self.changed(false); }));
      row.appendChild(this.numberInput(node, unitOf[node.figure] || ""));
    } else if (kind === "ratio") {
      var pair = Array.isArray(node.ratio) ? node.ratio : ["", ""];
      var names = this.o.figures.map(function (f) { return [f[0], f[1]]; });
      var num = select(names, pair[0], "numerator", "zy-elig-numerator");
      var den = select(names, pair[1], "denominator", "zy-elig-denominator");
      num.addEventListener("change", function () { node.ratio = [num.value, den.value]; self.changed(false); });
      den.addEventListener("change", function () { node.ratio = [num.value, den.value]; self.changed(false); });
      row.appendChild(num);
      row.appendChild(el("span", { className: "zy-elig-part", text: this.t("divided_by") }));
      row.appendChild(den);
      row.appendChild(this.yearInput(node));
      row.appendChild(this.opSelect(this.o.figure_ops, node.op, function (op) { node.op = op; self.changed(false); }));
      row.appendChild(this.numberInput(node, "", this.t("ratio_hint")));
    } else if (kind === "qualification") {
      var quals = this.o.qualifications.map(function (q) { return [q, q]; });
      if (this.o.qualifications.indexOf(node.qualification) < 0) { quals.unshift([node.qualification, node.qualification]); }
      var q = select(quals, node.qualification, this.t("qualification"), "zy-elig-qualification");
      q.addEventListener("change", function () { node.qualification = q.value; self.changed(false); });
      row.appendChild(q);
    } else {
      row.appendChild(el("code", { className: "small", text: JSON.stringify(node) }));
    }
    row.appendChild(this.removeButton(parent, index));
    box.appendChild(row);
    this.errorBox(path, box);
    return box;
  };

  function init() {
    var textarea = document.querySelector("textarea[data-eligibility-editor]");
    var options = readJson("eligibility-options");
    if (!textarea || !options) { return; }
    /* A talent policy's tree has other fields (a person's) and field leaves only: the options
     * of the chosen beneficiary replace the enterprise ones (options.subjects). */
    var beneficiary = textarea.form.querySelector("select[name=beneficiary]");
    function subject(o) {
      var code = beneficiary ? beneficiary.value : "enterprise";
      var s = (o.subjects || {})[code];
      if (s) { o.fields = s.fields; o.leaf_kinds = s.leaf_kinds; o.text.field = s.field_text; }
      return o;
    }
    var editor = new Editor(textarea, subject(options), readJson("eligibility-errors") || {});
    if (beneficiary) {
      beneficiary.addEventListener("change", function () {
        subject(editor.o);
        editor.fields = {};
        editor.o.fields.forEach(function (f) { editor.fields[f.code] = f; });
        editor.render();
      });
    }
    textarea.form.addEventListener("submit", function () { if (!editor.broken) { editor.save(); } });
    /* JSON typed into the box (shown with "Show JSON") is taken over by the tree. */
    textarea.addEventListener("change", function () {
      var raw = textarea.value.trim();
      try {
        var tree = raw === "" ? null : JSON.parse(raw);
        editor.broken = tree !== null && (typeof tree !== "object" || Array.isArray(tree));
        editor.tree = tree && Object.keys(tree).length ? tree : null;
      } catch (e) { editor.broken = true; }
      editor.errors = {};
      editor.render();
      if (editor.broken) { textarea.value = raw; }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
