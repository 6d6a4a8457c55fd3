/* The search picker (zhaoyin/core/pickers.py, templates/includes/picker.html).
   htmx asks the suggestion endpoint as the user types (the query goes as ?q=, whatever the
   box's own name); this file makes the answer a listbox the keyboard can use:
     ArrowDown / ArrowUp   move through the options (aria-activedescendant on the box)
     Enter                 choose the active option, else the first (the form is not submitted then)
     Escape                close the list
     Backspace             in an empty box of a multiple picker: remove the last chip
   Choosing puts the value in the hidden input (single) or adds a chip (multiple); typing
   again clears the hidden value, so what is posted is always what the box shows. */
(function () {
  "use strict";

  function pickerOf(el) { return el instanceof Element ? el.closest("[data-zy-picker]") : null; }
  function boxOf(picker) { return picker.querySelector("[data-zy-picker-input]"); }
  function listOf(picker) { return picker.querySelector("[role=listbox]"); }
  function options(picker) { return Array.prototype.slice.call(listOf(picker).querySelectorAll("[role=option]")); }

  function close(picker) {
    var list = listOf(picker);
    list.hidden = true;
    boxOf(picker).setAttribute("aria-expanded", "false");
    boxOf(picker).removeAttribute("aria-activedescendant");
  }

  function activate(picker, index) {
    var all = options(picker);
    if (!all.length) { return; }
    index = (index + all.length) % all.length;
    all.forEach(function (opt, i) { opt.setAttribute("aria-selected", i === index ? "true" : "false"); opt.classList.toggle("active", i === index); });
    boxOf(picker).setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function activeIndex(picker) {
    var id = boxOf(picker).getAttribute("aria-activedescendant");
    return options(picker).findIndex(function (opt) { return opt.id === id; });
  }

  function chosenValues(picker) {
    return Array.prototype.map.call(picker.querySelectorAll("[data-zy-chip] input[type=hidden]"), function (i) { return i.value; });
  }

  function addChip(picker, value, label) {
    if (chosenValues(picker).indexOf(value) !== -1) { return; }
    var chip = document.createElement("span");
    chip.className = "zy-chip";
    chip.setAttribute("data-zy-chip", "");
    var text = document.createElement("span");
    text.className = "zy-chip-label";
    text.textContent = label;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = picker.getAttribute("data-zy-picker-name");
    hidden.value = value;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "zy-chip-remove";
    remove.setAttribute("data-zy-chip-remove", "");
    remove.setAttribute("aria-label", (picker.getAttribute("data-zy-remove-label") || "Remove") + " " + label);
    remove.textContent = "\u00d7";
    chip.append(text, hidden, remove);
    picker.querySelector("[data-zy-picker-chips]").append(chip);
  }

  function choose(picker, option) {
    var box = boxOf(picker);
    var value = option.getAttribute("data-value");
    var label = option.getAttribute("data-label");
    if (picker.hasAttribute("data-zy-picker-multiple")) {
      addChip(picker, value, label);
      box.value = "";
    } else {
      picker.querySelector("[data-zy-picker-value]").value = value;
      box.value = label;
    }
    close(picker);
    /* Focusing the box again must not ask for suggestions again (the list would reopen). */
    picker.zyQuiet = true;
    box.focus();
    picker.zyQuiet = false;
  }

  /* The query goes as q, not under the box's form name (<field>__text). */
  document.body.addEventListener("htmx:configRequest", function (event) {
    var box = event.detail.elt;
    if (!(box instanceof HTMLElement) || !box.hasAttribute("data-zy-picker-input")) { return; }
    if (pickerOf(box).zyQuiet) { event.preventDefault(); return; }
    var params = event.detail.parameters;
    delete params[box.name];
    params.q = box.value;
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    var picker = pickerOf(list);
    if (!picker || list !== listOf(picker)) { return; }
    var taken = chosenValues(picker);
    options(picker).forEach(function (opt, i) {
      opt.id = list.id + "_" + i;
      if (taken.indexOf(opt.getAttribute("data-value")) !== -1) { opt.classList.add("zy-picker-taken"); }
    });
    var open = list.children.length > 0 && document.activeElement === boxOf(picker);
    list.hidden = !open;
    boxOf(picker).setAttribute("aria-expanded", open ? "true" : "false");
    boxOf(picker).removeAttribute("aria-activedescendant");
  });

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLElement) || !box.hasAttribute("data-zy-picker-input")) { return; }
    var hidden = pickerOf(box).querySelector("[data-zy-picker-value]");
    if (hidden) { hidden.value = ""; }
  });

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLElement) || !box.hasAttribute("data-zy-picker-input")) { return; }
    var picker = pickerOf(box);
    var open = !listOf(picker).hidden && options(picker).length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) { return; }
      event.preventDefault();
      var at = activeIndex(picker);
      activate(picker, event.key === "ArrowDown" ? at + 1 : (at < 0 ? -1 : at - 1));
    } else if (event.key === "Enter") {
      if (!open) { return; }
      var index = activeIndex(picker);
      event.preventDefault();
      /* Nothing highlighted yet: the first option (the best match, in name order). */
      choose(picker, options(picker)[index >= 0 ? index : 0]);
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); close(picker); }
    } else if (event.key === "Backspace" && box.value === "" && picker.hasAttribute("data-zy-picker-multiple")) {
      var chips = picker.querySelectorAll("[data-zy-chip]");
      if (chips.length) { chips[chips.length - 1].remove(); }
    }
  });

  /* mousedown, not click: the box would lose focus (and the list close) before a click. */
  document.addEventListener("mousedown", function (event) {
    var option = event.target instanceof Element ? event.target.closest("[role=option]") : null;
    var picker = pickerOf(option);
    if (option && picker) {
      event.preventDefault();
      choose(picker, option);
    }
  });

  document.addEventListener("click", function (event) {
    var remove = event.target instanceof Element ? event.target.closest("[data-zy-chip-remove]") : null;
    if (remove) {
      var picker = pickerOf(remove);
      remove.closest("[data-zy-chip]").remove();
      if (picker) { boxOf(picker).focus(); }
    }
  });

  document.addEventListener("focusout", function (event) {
    var picker = pickerOf(event.target);
    if (picker && !picker.contains(event.relatedTarget)) { close(picker); }
  });
})();
