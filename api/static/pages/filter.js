// Progressive enhancement of long pick lists (firms, institutions): a search box above the list hides
// the entries that do not match what is typed (by name, short name, NIP or REGON) and says how many are
// left. Without JavaScript the plain list (a <select multiple> or checkboxes) works as it is.
(function () {
  "use strict";
  var lang = document.documentElement.lang === "en" ? "en" : "pl";
  var words = {
    pl: { label: "Szukaj na liście: ", shown: function (n) { return "Widocznych pozycji: " + n + "."; } },
    en: { label: "Search the list: ", shown: function (n) { return n + " shown."; } }
  };
  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ł/g, "l");
  }
  function enhance(list, items, nameOf) {
    var wrapper = document.createElement("div");
    wrapper.className = "govuk-form-group splot-filter";
    var id = list.id + "-filter";
    var label = document.createElement("label");
    label.className = "govuk-label";
    label.htmlFor = id;
    label.textContent = words[lang].label + nameOf;
    var input = document.createElement("input");
    input.className = "govuk-input govuk-!-width-two-thirds";
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "govuk-body-s govuk-visually-hidden";
    status.setAttribute("aria-live", "polite");
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    wrapper.appendChild(status);
    list.parentNode.insertBefore(wrapper, list);
    input.addEventListener("input", function () {
      var wanted = normalise(input.value.trim());
      var shown = 0;
      items.forEach(function (item) {
        var match = !wanted || normalise(item.text).indexOf(wanted) !== -1 || item.selected();
        item.show(match);
        if (match) { shown += 1; }
      });
      status.textContent = words[lang].shown(shown);
    });
  }
  document.querySelectorAll("select[multiple]").forEach(function (select) {
    if (select.options.length < 8) { return; }
    var label = document.querySelector("label[for='" + select.id + "']");
    enhance(select, Array.prototype.map.call(select.options, function (option) {
      return { text: option.text, selected: function () { return option.selected; },
               show: function (on) { option.hidden = !on; } };
    }), label ? label.textContent.trim() : "");
  });
  document.querySelectorAll(".splot-checkboxes-scroll").forEach(function (box, n) {
    var entries = box.querySelectorAll(".govuk-checkboxes__item");
    if (entries.length < 8) { return; }
    if (!box.id) { box.id = "checkbox-list-" + n; }
    var legend = box.closest("fieldset") && box.closest("fieldset").querySelector("legend");
    enhance(box, Array.prototype.map.call(entries, function (entry) {
      var input = entry.querySelector("input");
      return { text: entry.textContent, selected: function () { return input.checked; },
               show: function (on) { entry.hidden = !on; } };
    }), legend ? legend.textContent.trim() : "");
  });
})();
