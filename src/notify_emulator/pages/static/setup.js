/* The set-up pages: forms and buttons that call the /_emulator/ JSON routes, errors shown next
   to their fields, the new API key shown once, and the template preview as the user types.
   No inline script anywhere: the pages' Content-Security-Policy allows scripts from files. */
(function () {
  "use strict";

  var flash = document.querySelector("[data-flash]");

  // The buttons this script works come disabled, so that without it no form is sent (it would
  // go as the page's address, fields and all); switched on here.
  var scripted = "form[data-setup] [data-needs-script], [data-setup-action][data-needs-script]";
  document.querySelectorAll(scripted).forEach(function (button) {
    button.disabled = false;
  });

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
      if (!field.name || field.disabled || field.type === "submit") {
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

  // Errors by their fields and in the page's summary (forms.js).
  var forms = window.notifyEmulatorForms;

  function showError(form, answer, status) {
    if (!forms.showError(form, answer, status)) {
      say(answer.error || "The emulator answered HTTP " + status, true);
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
    // The form the focus was in is gone: it goes to the key, which is read out with its heading.
    panel.querySelector("[data-key-value]").focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-setup]");
    if (!form) {
      return;
    }
    event.preventDefault();
    forms.clearErrors(form);
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
        } else if (then === "url") {
          // The page the answer names, on this emulator only.
          var next = String(result.answer.url || "");
          if (next.charAt(0) === "/" && next.charAt(1) !== "/" && next.charAt(1) !== "\\") {
            window.location.assign(next);
          } else {
            say("Not done: the emulator answered without a page to go to.", true);
          }
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
  // The text goes to the JSON preview route as the user types; its answer gives the text to
  // show and the addresses of the email's document and the letter's page images, served by
  // the pages with the text in their query. Without this script the form's Preview button
  // sends the form as the page's query and the page shows the same preview.

  var form = document.querySelector("form[data-preview]");
  if (!form) {
    return;
  }
  var preview = document.querySelector(".template-editor__preview");
  var timer = null;
  var asked = 0;
  var PLACEHOLDER = /\(\([^()]+\)\)/g; // rules/placeholders.py PLACEHOLDER_PATTERN

  form.querySelectorAll("[data-preview-button]").forEach(function (button) {
    button.hidden = true; // the preview follows the typing
  });

  function find(selector) {
    return preview ? preview.querySelector(selector) : null;
  }

  function fill(selector, text) {
    var element = find(selector);
    if (element) {
      element.textContent = text; // always text: a template's content is never markup here
    }
  }

  // Text with its placeholders highlighted, as the admin app shows them; still only text nodes.
  function fillHighlighted(selector, text) {
    var element = find(selector);
    if (!element) {
      return;
    }
    element.textContent = "";
    var position = 0;
    var match;
    PLACEHOLDER.lastIndex = 0;
    while ((match = PLACEHOLDER.exec(text)) !== null) {
      if (match.index > position) {
        element.appendChild(document.createTextNode(text.slice(position, match.index)));
      }
      var span = document.createElement("span");
      span.className = "placeholder";
      span.textContent = match[0];
      element.appendChild(span);
      position = match.index + match[0].length;
    }
    if (position < text.length) {
      element.appendChild(document.createTextNode(text.slice(position)));
    }
  }

  function show(selector, shown) {
    var element = find(selector);
    if (element) {
      element.hidden = !shown;
    }
  }

  function showEmail(answer) {
    var frame = find("[data-preview-frame]");
    if (!frame) {
      return;
    }
    if (answer.html_url) {
      if (frame.getAttribute("src") !== answer.html_url) {
        frame.setAttribute("src", answer.html_url);
      }
      frame.hidden = false;
      show("[data-preview-too-big]", false);
    } else {
      frame.hidden = true;
      show("[data-preview-too-big]", true);
    }
  }

  function showLetter(answer) {
    var count = answer.page_count || 0;
    fill("[data-preview-page-count]", count + (count === 1 ? " page" : " pages"));
    var link = find("[data-preview-pdf]");
    if (link) {
      if (answer.pdf_url) {
        link.setAttribute("href", answer.pdf_url);
      }
      link.hidden = !answer.pdf_url;
    }
    fill("[data-preview-too-long-text]", answer.too_long || "");
    show("[data-preview-too-long]", Boolean(answer.too_long));
    var pages = find("[data-preview-pages]");
    if (!pages) {
      return;
    }
    var urls = answer.page_urls || [];
    var images = pages.querySelectorAll("img");
    urls.forEach(function (url, index) {
      var image = images[index];
      if (!image) {
        image = document.createElement("img");
        image.className = "letter-page";
        image.width = 794;
        image.height = 1123;
        pages.appendChild(image);
      }
      image.alt = "Page " + (index + 1) + " of " + urls.length;
      if (image.getAttribute("src") !== url) {
        image.setAttribute("src", url);
      }
    });
    for (var extra = urls.length; extra < images.length; extra++) {
      images[extra].remove();
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
      unsubscribe_link: data.unsubscribe_link === true,
      letter_contact_block: form.getAttribute("data-letter-contact-block") || "",
    })
      .then(function (result) {
        if (number !== asked) {
          return; // a later preview is on its way
        }
        var error = find("[data-preview-error]");
        if (!result.ok) {
          error.textContent = result.answer.error || "This template cannot be previewed.";
          error.hidden = false;
          show("[data-preview-content]", false); // no earlier text's preview left showing
          return;
        }
        error.hidden = true;
        show("[data-preview-content]", true);
        var answer = result.answer;
        var kind = form.getAttribute("data-preview");
        if (kind === "sms") {
          fillHighlighted("[data-preview-body]", answer.body);
          fill("[data-preview-fragments]", answer.count_message || "");
        } else if (kind === "email") {
          fillHighlighted("[data-preview-subject]", answer.subject || "");
          showEmail(answer);
        } else {
          showLetter(answer);
        }
        preview.setAttribute("data-previewed", String(number));
      })
      .catch(function () {
        /* the next keystroke tries again */
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later); // a checkbox (the unsubscribe link) as well as text

  refresh();
})();
