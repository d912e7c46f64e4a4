// The portal's scripts: GOV.UK Frontend's components, and uploads with a
// progress bar. Everything here is an enhancement: every page and form works
// without JavaScript.
import { initAll } from "../dist/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();

// GOV.UK Frontend's enhanced file upload puts its status ("No file chosen")
// right against the button text, so the visible label reads "No file
// chosenChoose files" and no longer matches the accessible name (WCAG 2.5.3,
// axe-core's label-content-name-mismatch). A space between them fixes both;
// the component only ever rewrites the status element's own text.
for (const status of document.querySelectorAll(".govuk-file-upload-button__status")) {
  status.after(document.createTextNode(" "));
}

// Uploads: one request per file, so each gets its own progress bar and its
// own result. The form's CSRF token goes with every request as a header.
for (const form of document.querySelectorAll('form[data-module="app-upload"]')) {
  const input = form.querySelector('input[type="file"]');
  const panel = form.querySelector(".app-upload-progress");
  const list = form.querySelector(".app-upload-list");
  const finished = form.querySelector(".app-upload-finished");
  const token = form.querySelector('input[name="csrf_token"]').value;
  const text = list.dataset;

  form.addEventListener("submit", async (event) => {
    const files = Array.from(input.files || []);
    if (files.length === 0) {
      return; // let the server say that no file was chosen
    }
    event.preventDefault();
    const button = form.querySelector('button[type="submit"], .govuk-button');
    if (button) {
      button.disabled = true;
    }
    panel.hidden = false;
    finished.hidden = true;
    list.replaceChildren();
    const rows = files.map((file) => addRow(file.name));
    for (const [index, file] of files.entries()) {
      await send(file, rows[index]);
    }
    finished.hidden = false;
    if (button) {
      button.disabled = false;
    }
    input.value = "";
    input.dispatchEvent(new Event("change")); // the chooser says "No file chosen"
    finished.querySelector("a").focus();
  });

  function addRow(name) {
    const item = document.createElement("li");
    item.className = "app-upload-list__item";
    const label = document.createElement("span");
    label.textContent = name;
    const progress = document.createElement("progress");
    progress.className = "app-upload-list__progress";
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", `${text.textProgress}: ${name}`);
    const status = document.createElement("span");
    status.className = "app-upload-list__status";
    status.textContent = text.textWaiting;
    item.append(label, progress, status);
    list.append(item);
    return { item, progress, status };
  }

  function send(file, row) {
    return new Promise((resolve) => {
      const body = new FormData();
      body.append("csrf_token", token);
      body.append("file", file, file.name);
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.setRequestHeader("X-CSRFToken", token);
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) {
          row.progress.value = Math.round((event.loaded / event.total) * 100);
        }
      });
      request.addEventListener("load", () => {
        let result = null;
        try {
          result = JSON.parse(request.responseText);
        } catch {
          result = null;
        }
        const outcome = result && result.files ? result.files[0] : null;
        if (request.status === 200 && outcome && outcome.ok) {
          row.progress.value = 100;
          const link = document.createElement("a");
          link.className = "govuk-link";
          link.href = outcome.url;
          link.textContent = text.textDone;
          row.status.replaceChildren(link);
        } else {
          const problem = outcome && outcome.problem
            ? outcome.problem
            : result && result.error ? result.error.message : text.textError;
          fail(row, problem);
        }
        resolve();
      });
      request.addEventListener("error", () => {
        fail(row, text.textError);
        resolve();
      });
      request.send(body);
    });
  }

  function fail(row, problem) {
    row.status.className = "app-upload-list__status app-upload-list__status--error";
    row.status.textContent = `${text.textFailed}: ${problem}`;
  }
}
