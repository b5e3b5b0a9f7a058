/* The set-up pages: forms and buttons that call the /_emulator/ JSON routes, errors shown next
   to their fields, the new API key shown once, and the template preview as the user types.
   No inline script anywhere: the pages' Content-Security-Policy allows scripts from files. */
(function () {
  "use strict";

  var flash = document.querySelector("[data-flash]");

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data),
      credentials: "same-origin",
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (answer) {
          return { ok: response.ok, status: response.status, answer: answer || {} };
        });
    });
  }

  function say(message, isError) {
    if (flash) {
      flash.textContent = message;
      flash.classList.toggle("flash--error", Boolean(isError));
      flash.hidden = false;
    }
  }

  // --- what a form sends: each field as its data-kind says --------------------------------

  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled) {
        return;
      }
      var kind = field.getAttribute("data-kind");
      if (field.type === "radio") {
        if (field.checked) {
          data[field.name] = field.value;
        }
      } else if (kind === "bool") {
        data[field.name] = field.checked;
      } else if (kind === "int") {
        var text = field.value.trim();
        // Digits are sent as a number; anything else as it is, for the route to refuse.
        data[field.name] = /^[0-9]+$/.test(text) ? parseInt(text, 10) : text;
      } else if (kind === "lines") {
        data[field.name] = field.value
          .split("\n")
          .map(function (line) {
            return line.trim();
          })
          .filter(Boolean);
      } else {
        data[field.name] = field.value;
      }
    });
    return data;
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (element) {
      element.textContent = "";
      element.hidden = true;
    });
    form.querySelectorAll(".field--error").forEach(function (element) {
      element.classList.remove("field--error");
    });
  }

  function showError(form, answer, status) {
    var message = answer.error || "The emulator answered HTTP " + status;
    var field = answer.field || "";
    var place = form.querySelector('[data-error-for="' + CSS.escape(field) + '"]');
    if (!place) {
      place = form.querySelector('[data-error-for=""]');
    }
    if (place) {
      place.textContent = message;
      place.hidden = false;
      var input = form.querySelector('[name="' + CSS.escape(field) + '"]');
      if (input) {
        input.classList.add("field--error");
        input.focus();
      }
    } else {
      say(message, true);
    }
  }

  function showKey(answer) {
    var panel = document.querySelector("[data-key-created]");
    if (!panel) {
      return;
    }
    panel.querySelector("[data-key-value]").textContent = answer.key;
    panel.querySelector("[data-key-name]").textContent = answer.name;
    panel.hidden = false;
    document.querySelectorAll("[data-create-key], .api-keys, .empty").forEach(function (other) {
      other.hidden = true;
    });
    panel.scrollIntoView();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-setup]");
    if (!form) {
      return;
    }
    event.preventDefault();
    clearErrors(form);
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    post(form.getAttribute("data-setup"), collect(form))
      .then(function (result) {
        if (!result.ok) {
          showError(form, result.answer, result.status);
          return;
        }
        var then = form.getAttribute("data-then");
        if (then === "key") {
          form.reset();
          showKey(result.answer);
        } else if (then === "go") {
          window.location.assign(
            form.getAttribute("data-go").replace("{id}", encodeURIComponent(result.answer.id))
          );
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        say("Not done: the emulator did not answer.", true);
      })
      .then(function () {
        if (button) {
          button.disabled = false;
        }
      });
  });

  // --- buttons that change one thing, after a question when they cannot be undone ---------

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-setup-action]");
    if (!button) {
      return;
    }
    var question = button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      return;
    }
    button.disabled = true;
    var body = JSON.parse(button.getAttribute("data-body") || "{}");
    post(button.getAttribute("data-setup-action"), body)
      .then(function (result) {
        if (result.ok) {
          window.location.reload();
        } else {
          say("Not done: " + (result.answer.error || "HTTP " + result.status), true);
          button.disabled = false;
        }
      })
      .catch(function () {
        say("Not done: the emulator did not answer.", true);
        button.disabled = false;
      });
  });

  // --- the live preview of a template being written ---------------------------------------

  var form = document.querySelector("form[data-preview]");
  if (!form) {
    return;
  }
  var preview = document.querySelector(".template-editor__preview");
  var timer = null;
  var asked = 0;

  function fill(selector, text) {
    var element = preview.querySelector(selector);
    if (element) {
      element.textContent = text; // always text: a template's content is never markup here
    }
  }

  function refresh() {
    var number = ++asked;
    var data = collect(form);
    post("/_emulator/templates/preview", {
      type: form.getAttribute("data-preview"),
      service_id: form.getAttribute("data-service-id"),
      subject: data.subject || "",
      body: data.body || "",
    })
      .then(function (result) {
        if (number !== asked) {
          return; // a later preview is on its way
        }
        var error = preview.querySelector("[data-preview-error]");
        if (!result.ok) {
          error.textContent = result.answer.error || "No preview";
          error.hidden = false;
          return;
        }
        error.hidden = true;
        fill("[data-preview-body]", result.answer.body);
        fill("[data-preview-subject]", result.answer.subject || "");
        if (result.answer.fragment_count) {
          var count = result.answer.fragment_count;
          fill(
            "[data-preview-fragments]",
            "Will be charged as " + count + " text message" + (count === 1 ? "" : "s")
          );
        }
        preview.setAttribute("data-previewed", String(number));
      })
      .catch(function () {
        /* the next keystroke tries again */
      });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  });
  refresh();
})();
