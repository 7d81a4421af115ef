// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  // <form data-confirm="Question ?"> asks once before an irreversible action. With
  // data-confirm-field="name", the answer is sent as name=1: without JS, the server asks itself.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // A button that posts another action (formaction) asks its own question.
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (!question) {
      return;
    }
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    var field = form.getAttribute("data-confirm-field");
    if (field && !form.querySelector('input[type="hidden"][name="' + field + '"]')) {
      var answer = document.createElement("input");
      answer.type = "hidden";
      answer.name = field;
      answer.value = "1";
      form.appendChild(answer);
    }
  }, true);

  // <button data-print> opens the browser's print dialog.
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-print]");
    if (target) {
      event.preventDefault();
      window.print();
    }
  });

  // Print views open the dialog by themselves once loaded.
  window.addEventListener("load", function () {
    if (document.body.hasAttribute("data-autoprint")) {
      window.print();
    }
  });
})();

// accounts: on a phone the settings sections scroll sideways; bring the current one into view.
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var current = document.querySelector(".settings-nav [aria-current='page']");
    if (current && current.scrollIntoView && window.matchMedia("(max-width: 768px)").matches) {
      current.scrollIntoView({ block: "nearest", inline: "center" });
    }
  });
})();

// ledger: <form data-single-client> reminds the invoices checked for it (inputs with form="<its id>"):
// one reminder covers one client, so a selection across clients is refused before it is sent.
(function () {
  "use strict";

  function checkedFor(form) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[name="invoice_ids"][form="' + form.id + '"]:checked')
    );
  }

  function problem(form) {
    var boxes = checkedFor(form);
    if (boxes.length === 0) {
      return "Cochez au moins une facture à relancer.";
    }
    var clients = {};
    boxes.forEach(function (box) { clients[box.getAttribute("data-client")] = true; });
    if (Object.keys(clients).length > 1) {
      return "Une relance ne concerne qu’un seul client : cochez uniquement des factures du même client.";
    }
    return "";
  }

  function show(form, text) {
    var output = form.querySelector("[data-selection-message]");
    if (output) {
      output.textContent = text;
      output.hidden = !text;
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-single-client")) {
      return;
    }
    var text = problem(form);
    if (text) {
      event.preventDefault();
      event.stopPropagation();
      show(form, text);
    }
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    var formId = box && box.getAttribute && box.getAttribute("form");
    var form = formId && document.getElementById(formId);
    if (form && form.hasAttribute("data-single-client")) {
      var text = problem(form);
      show(form, text.indexOf("seul client") >= 0 ? text : "");
    }
  });
})();

// Reminder texts (dunning): a click on a placeholder chip inserts it where the cursor was
// last, in the last text field focused inside <form data-placeholder-target>.
(function () {
  "use strict";
  var lastField = null;

  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if ((field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && field.type === "text")) &&
        field.closest("[data-placeholder-target]")) {
      lastField = field;
    }
  });

  document.addEventListener("click", function (event) {
    var chip = event.target.closest && event.target.closest("[data-placeholder]");
    if (!chip) {
      return;
    }
    event.preventDefault();
    var field = lastField || document.querySelector("[data-placeholder-target] textarea");
    if (!field) {
      return;
    }
    var text = chip.getAttribute("data-placeholder");
    var start = field.selectionStart == null ? field.value.length : field.selectionStart;
    var end = field.selectionEnd == null ? field.value.length : field.selectionEnd;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
