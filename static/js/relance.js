// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  // <form data-confirm="Question ?"> asks once before an irreversible action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
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
