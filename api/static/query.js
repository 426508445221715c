// The query page's editor: YASQE (served from /static/vendor/, installed by `make vendor`) in
// place of the text area. The form still submits the query; nothing is fetched from elsewhere:
// no prefix.cc, no LOV, no share links, nothing kept in the browser's storage.
(function () {
  "use strict";
  var textarea = document.getElementById("query");
  var form = document.getElementById("query-form");
  if (!window.Yasqe || !textarea || !form) return;
  var config = JSON.parse(document.getElementById("query-config").textContent);
  var holder = document.createElement("div");
  holder.id = "editor";
  textarea.parentNode.insertBefore(holder, textarea);
  textarea.hidden = true;
  // The prefix autocompleter reads a JSON object {prefix: namespace} from this URL: ours, inline.
  var prefixes = "data:application/json," + encodeURIComponent(JSON.stringify(config.prefixes));
  // YASQE merges its defaults into the options element by element, so a shorter list would keep
  // the defaults' "property" and "class" completers (they ask lov.linkeddata.es): set the list.
  window.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  var yasqe = new window.Yasqe(holder, {
    value: textarea.value,
    persistenceId: null,
    showQueryButton: false,
    createShareableLink: null,
    consumeShareLink: null,
    syntaxErrorCheck: false,
    autocompleters: ["prefixes", "variables"],
    prefixCcApi: prefixes,
    resizeable: true,
    editorHeight: "16rem",
    lineWrapping: true,  // a long line stays on a phone screen
    screenReaderLabel: config.label,
    inputStyle: "contenteditable",  // the text itself takes the focus: readable by screen readers
    requestConfig: { endpoint: "/sparql" }
  });
  var run = function () {
    textarea.value = yasqe.getValue();
    form.requestSubmit();
    return Promise.resolve();
  };
  yasqe.query = run;  // Ctrl+Enter submits the form, as the Run button does
  form.addEventListener("submit", function () { textarea.value = yasqe.getValue(); });
  var insert = document.getElementById("insert-prefixes");
  if (insert) {
    insert.hidden = false;
    insert.addEventListener("click", function () {
      yasqe.addPrefixes(config.prefixes);
      yasqe.focus();
    });
  }
  // The server's parser error: mark its line and put the cursor where it points.
  var error = document.getElementById("query-error");
  if (error && error.dataset.line) {
    var line = parseInt(error.dataset.line, 10) - 1;
    var column = parseInt(error.dataset.column, 10) - 1;
    yasqe.addLineClass(line, "background", "query-error-line");
    yasqe.setCursor({ line: line, ch: column });
    yasqe.scrollIntoView({ line: line, ch: column }, 80);
  }
  window.agrikgQuery = yasqe;
})();
