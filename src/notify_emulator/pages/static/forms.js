/* Errors of the forms that call the /_emulator/ JSON routes, shown as GOV.UK shows them: the
   message by its field (which names it in its aria-describedby) and a summary at the top of the
   page linking to each field. The routes answer {"error": message, "field": name}; inbox.js and
   setup.js show what they refuse through this file. No inline script anywhere: the pages'
   Content-Security-Policy allows scripts from files. */
(function () {
  "use strict";

  var summary = document.querySelector("[data-error-summary]");

  function describedBy(input, id, shown) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (one) {
      return one && one !== id;
    });
    if (shown) {
      ids.push(id);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (element) {
      element.textContent = "";
      element.hidden = true;
    });
    form.querySelectorAll(".field--error").forEach(function (element) {
      element.classList.remove("field--error");
      if (element.hasAttribute("data-error-id")) {
        describedBy(element, element.getAttribute("data-error-id"), false);
        element.removeAttribute("data-error-id");
      }
    });
    if (summary) {
      summary.hidden = true;
      summary.querySelector("[data-error-summary-list]").textContent = "";
    }
  }

  function summarise(message, input) {
    if (!summary) {
      return;
    }
    var item = document.createElement("li");
    if (input && input.id) {
      var link = document.createElement("a");
      link.href = "#" + input.id;
      link.textContent = message;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        input.focus();
      });
      item.appendChild(link);
    } else {
      item.textContent = message;
    }
    summary.querySelector("[data-error-summary-list]").appendChild(item);
    summary.hidden = false;
    summary.focus();
  }

  // Shows the refusal by its field (or the form's own place for errors of no one field) and
  // in the summary; returns false when the form has no place for it, for the caller to say it
  // another way.
  function showError(form, answer, status) {
    var message = answer.error || "The emulator answered HTTP " + status;
    var field = answer.field || "";
    var place = form.querySelector('[data-error-for="' + CSS.escape(field) + '"]');
    var input = field ? form.querySelector('[name="' + CSS.escape(field) + '"]') : null;
    if (!place) {
      place = form.querySelector('[data-error-for=""]');
    }
    if (!place) {
      return false;
    }
    place.textContent = "";
    var prefix = document.createElement("span");
    prefix.className = "visually-hidden";
    prefix.textContent = "Error: ";
    place.appendChild(prefix);
    place.appendChild(document.createTextNode(message));
    place.hidden = false;
    if (input) {
      input.classList.add("field--error");
      if (!place.id && input.id) {
        place.id = input.id + "-error";
      }
      if (place.id) {
        input.setAttribute("data-error-id", place.id);
        describedBy(input, place.id, true);
      }
    }
    summarise(message, input);
    return true;
  }

  window.notifyEmulatorForms = { clearErrors: clearErrors, showError: showError };
})();
