/* The inbox's live updates, JSON forms, tabs and copy buttons. No inline script anywhere:
   the pages' Content-Security-Policy allows scripts from this file only. */
(function () {
  "use strict";

  var body = document.body;
  var liveKinds = (body.getAttribute("data-live-on") || "").split(" ").filter(Boolean);
  var liveId = body.getAttribute("data-live-id");
  var indicator = document.querySelector("[data-live-indicator]");
  var flash = document.querySelector("[data-flash]");

  // --- buttons that need this script ------------------------------------------------------
  // They come disabled: a form sent without a script would go to its page as an address
  // with its fields in the query (or as a form body the /_emulator/ routes refuse).

  function enableButtons(root) {
    root
      .querySelectorAll("form[data-json-post] [data-needs-script], [data-copy][data-needs-script]")
      .forEach(function (button) {
        button.disabled = false;
      });
  }
  enableButtons(document);

  // --- live regions: re-read this page and swap in what changed ---------------------------

  var refreshing = false;
  var pending = false;
  var timer = null;

  function refresh() {
    if (refreshing) {
      pending = true;
      return;
    }
    refreshing = true;
    fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (response) {
        if (response.status === 404 && liveId) {
          show("This message no longer exists: it has been cleared.", true);
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html");
        document.querySelectorAll("[data-live-region]").forEach(function (region) {
          var replacement = fresh.getElementById(region.id);
          if (replacement) {
            var imported = document.importNode(replacement, true);
            region.replaceWith(imported);
            enableButtons(imported);
          }
        });
        body.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () {
        /* the next event tries again */
      })
      .then(function () {
        refreshing = false;
        if (pending) {
          pending = false;
          schedule();
        }
      });
  }

  function schedule() {
    if (timer === null) {
      timer = window.setTimeout(function () {
        timer = null;
        refresh();
      }, 100);
    }
  }

  // --- the event stream: one per page, closed when the page goes away ---------------------

  var source = null;

  function onEvent(event) {
    if (liveId && event.type !== "reset") {
      var data = {};
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      // A notification event names the notification; a callback event the one it is about.
      var about = event.type === "callback" ? data.notification_id : data.id;
      if (about !== liveId) {
        return;
      }
    }
    schedule();
  }

  function openStream() {
    if (source !== null || liveKinds.length === 0 || !window.EventSource) {
      return;
    }
    source = new EventSource("/_emulator/events");
    liveKinds.concat(["reset"]).forEach(function (kind) {
      source.addEventListener(kind, onEvent);
    });
    source.addEventListener("open", function () {
      if (indicator) {
        indicator.hidden = false;
      }
      // Back after losing the stream: the emulator may have restarted over another database,
      // whose change log does not hold what this page missed, so read the page again.
      if (body.getAttribute("data-live") === "reconnecting") {
        schedule();
      }
      body.setAttribute("data-live", "open");
    });
    source.addEventListener("error", function () {
      if (indicator) {
        indicator.hidden = true;
      }
      body.setAttribute("data-live", "reconnecting");
    });
  }

  function closeStream() {
    if (source !== null) {
      source.close();
      source = null;
      body.setAttribute("data-live", "closed");
    }
  }

  // Browsers allow six connections per host: a page that is hidden or left frees its stream.
  window.addEventListener("pagehide", closeStream);
  window.addEventListener("pageshow", function (event) {
    openStream();
    if (event.persisted) {
      schedule(); // back from the back-forward cache: catch up on what happened meanwhile
    }
  });
  openStream();

  // --- forms that send JSON to the /_emulator/ routes --------------------------------------

  function show(message, isError) {
    if (!flash) {
      return;
    }
    flash.textContent = message;
    flash.classList.toggle("flash--error", Boolean(isError));
    flash.hidden = false;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-json-post]");
    if (!form) {
      return;
    }
    event.preventDefault();
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      return;
    }
    var forms = window.notifyEmulatorForms;
    forms.clearErrors(form);
    var data = {};
    new FormData(form).forEach(function (value, name) {
      data[name] = value;
    });
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    fetch(form.getAttribute("data-json-post"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data),
      credentials: "same-origin",
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (answer) {
            if (response.ok) {
              show(form.getAttribute("data-done") || "Done.", false);
              var keep = (form.getAttribute("data-keep") || "").split(" ");
              form.querySelectorAll("textarea, input").forEach(function (field) {
                if (keep.indexOf(field.name) === -1 && !field.readOnly) {
                  field.value = "";
                }
              });
              schedule();
            } else if (!(answer && answer.field && forms.showError(form, answer, response.status))) {
              // A refusal of no one field, or a form with no place for it: said in the flash.
              var reason = answer && answer.error ? answer.error : "HTTP " + response.status;
              if (response.status === 404 || response.status === 405) {
                reason = answer && answer.error ? answer.error : "this emulator cannot do that yet";
              }
              show("Not done: " + reason, true);
            }
          });
      })
      .catch(function () {
        show("Not done: the emulator did not answer.", true);
      })
      .then(function () {
        if (button) {
          button.disabled = false;
        }
      });
  });

  // --- tabs ----------------------------------------------------------------------------------

  document.querySelectorAll("[data-tabs]").forEach(function (tabs) {
    var links = Array.prototype.slice.call(tabs.querySelectorAll(".tabs__tab"));
    function select(link) {
      links.forEach(function (other) {
        var panel = document.getElementById(other.getAttribute("href").slice(1));
        var chosen = other === link;
        other.setAttribute("aria-selected", chosen ? "true" : "false");
        other.classList.toggle("tabs__tab--selected", chosen);
        if (panel) {
          panel.hidden = !chosen;
        }
      });
    }
    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        select(link);
      });
    });
    if (links.length) {
      select(links[0]);
    }
  });

  // --- copy buttons ------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    var text = target.textContent;
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    var done = function () {
      button.textContent = "Copied";
      window.setTimeout(function () {
        button.textContent = label;
      }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {
        selectText(target);
      });
    } else {
      selectText(target);
    }
  });

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
})();
