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
    if (resumable.wants(file)) {
      return resumable.send(file, row);
    }
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

  function succeed(row, url) {
    row.progress.value = 100;
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.href = url;
    link.textContent = text.textDone;
    row.status.className = "app-upload-list__status";
    row.status.replaceChildren(link);
  }

  const resumable = resumableUploads(form, token, text, { fail, succeed });
}

// Large files (over the form's data-resumable-threshold) go up in parts
// through a resumable upload session: a dropped connection costs one part,
// a part that fails is sent again after a pause (1, 2, 4 ... 30 seconds),
// and after a reload, choosing the same file again carries on from the
// parts the server already has (the session's id is kept in localStorage
// under the file's name, size and modification time).
function resumableUploads(form, token, text, { fail, succeed }) {
  const beginUrl = form.dataset.resumableBegin;
  const sessionsUrl = form.dataset.resumableSessions;
  const RETRY_SECONDS = [1, 2, 4, 8, 15, 30, 30, 30];

  function wants(file) {
    const threshold = Number(form.dataset.resumableThreshold || 0);
    return Boolean(beginUrl && sessionsUrl && threshold > 0 && file.size > threshold);
  }

  function storageKey(file) {
    return `portal-upload:${beginUrl}:${file.name}:${file.size}:${file.lastModified}`;
  }

  function remembered(file) {
    try {
      return window.localStorage.getItem(storageKey(file));
    } catch {
      return null; // storage disabled: no resuming after a reload
    }
  }

  function remember(file, id) {
    try {
      if (id) {
        window.localStorage.setItem(storageKey(file), id);
      } else {
        window.localStorage.removeItem(storageKey(file));
      }
    } catch {
      // storage disabled or full: the upload still works, without resuming
    }
  }

  // One request; resolves with {status, body} (status 0: no answer at all).
  function call(method, url, { json, blob, onProgress } = {}) {
    return new Promise((resolve) => {
      const request = new XMLHttpRequest();
      request.open(method, url);
      request.setRequestHeader("Accept", "application/json");
      request.setRequestHeader("X-CSRFToken", token);
      if (onProgress) {
        request.upload.addEventListener("progress", (event) => onProgress(event.loaded));
      }
      request.addEventListener("load", () => {
        let body = null;
        try {
          body = request.responseText ? JSON.parse(request.responseText) : null;
        } catch {
          body = null;
        }
        resolve({ status: request.status, body });
      });
      for (const failure of ["error", "abort", "timeout"]) {
        request.addEventListener(failure, () => resolve({ status: 0, body: null }));
      }
      if (json !== undefined) {
        request.setRequestHeader("Content-Type", "application/json");
        request.send(JSON.stringify(json));
      } else if (blob !== undefined) {
        request.setRequestHeader("Content-Type", "application/octet-stream");
        request.send(blob);
      } else {
        request.send();
      }
    });
  }

  function problemOf(answer) {
    return answer.body && answer.body.error ? answer.body.error.message : text.textError;
  }

  // Worth trying again: no answer, a server or proxy failure, too many requests.
  function transient(answer) {
    return answer.status === 0 || answer.status === 408 || answer.status === 429
      || answer.status >= 500;
  }

  function pause(seconds, row) {
    row.status.textContent = text.textRetrying.replace("{seconds}", String(seconds));
    return new Promise((resolve) => {
      setTimeout(resolve, seconds * 1000);
    });
  }

  async function withRetries(attempt, row) {
    let answer = await attempt();
    for (const seconds of RETRY_SECONDS) {
      if (!transient(answer)) {
        return answer;
      }
      await pause(seconds, row);
      answer = await attempt();
    }
    return answer;
  }

  async function begin(file, row) {
    row.status.textContent = text.textPreparing;
    const hash = await sha256OfFile(file, (fraction) => {
      row.status.textContent = `${text.textPreparing} (${Math.floor(fraction * 100)}%)`;
    });
    return withRetries(
      () => call("POST", beginUrl, { json: { filename: file.name, size: file.size, sha256: hash } }),
      row,
    );
  }

  function formFields() {
    const fields = {};
    for (const [name, value] of new FormData(form).entries()) {
      if (typeof value === "string" && name !== "csrf_token" && !(name in fields)) {
        fields[name] = value;
      }
    }
    return fields;
  }

  async function send(file, row) {
    let session = null;
    const saved = remembered(file);
    if (saved) {
      const state = await withRetries(() => call("GET", sessionsUrl + saved), row);
      if (state.status === 200 && state.body) {
        session = state.body;
        row.status.textContent = text.textResuming;
      } else {
        remember(file, null); // expired, finished or cancelled: start again
      }
    }
    if (!session) {
      const begun = await begin(file, row);
      if (begun.status !== 201 || !begun.body) {
        fail(row, problemOf(begun));
        return;
      }
      session = begun.body;
      session.received = [];
      remember(file, session.id);
    }
    const partSize = session.part_size;
    const count = Math.ceil(file.size / partSize);
    const have = new Set(session.received);
    let sent = 0;
    for (const number of have) {
      sent += Math.min(partSize, file.size - (number - 1) * partSize);
    }
    const show = (bytes) => {
      row.progress.value = Math.floor((bytes / file.size) * 99);
    };
    show(sent);
    // Two parts in flight: one uploads while the server stores the other.
    const waiting = [];
    for (let number = 1; number <= count; number += 1) {
      if (!have.has(number)) {
        waiting.push(number);
      }
    }
    const loading = new Map();
    const showAll = () => {
      let bytes = sent;
      for (const loaded of loading.values()) {
        bytes += loaded;
      }
      show(bytes);
    };
    let refused = null;
    const sendParts = async () => {
      while (waiting.length && !refused) {
        const number = waiting.shift();
        const part = file.slice((number - 1) * partSize, Math.min(number * partSize, file.size));
        const answer = await withRetries(
          () => call("PUT", `${sessionsUrl}${session.id}/parts/${number}`, {
            blob: part,
            onProgress: (loaded) => {
              loading.set(number, loaded);
              showAll();
            },
          }),
          row,
        );
        loading.delete(number);
        if (answer.status !== 200) {
          refused = refused || answer;
          return;
        }
        sent += part.size;
        showAll();
        row.status.textContent = `${row.progress.value}%`;
      }
    };
    await Promise.all([sendParts(), sendParts()]);
    if (refused) {
      if (refused.status === 404) {
        remember(file, null);
      }
      fail(row, transient(refused) ? text.textResumeLater : problemOf(refused));
      return;
    }
    let lost = false;
    const done = await withRetries(async () => {
      const answer = await call("POST", `${sessionsUrl}${session.id}/complete`, {
        json: { fields: formFields() },
      });
      lost = lost || answer.status === 0;
      return answer;
    }, row);
    if (done.status === 201 && done.body) {
      remember(file, null);
      succeed(row, done.body.url);
    } else if (done.status === 400 || (done.status === 404 && !lost)) {
      remember(file, null); // nothing kept (a wrong checksum): upload it again
      fail(row, problemOf(done));
    } else if (lost && (done.status === 404 || done.status === 409)) {
      remember(file, null);
      fail(row, text.textMaybeDone);
    } else {
      fail(row, transient(done) ? text.textResumeLater : problemOf(done));
    }
  }

  return { wants, send };
}

// SHA-256 of a File, read in slices so that a file of several GB is never
// held whole (WebCrypto's digest takes only one buffer).
async function sha256OfFile(file, onProgress) {
  const hash = new Sha256();
  const slice = 4 * 1024 * 1024;
  for (let start = 0; start < file.size; start += slice) {
    const bytes = new Uint8Array(await file.slice(start, start + slice).arrayBuffer());
    hash.update(bytes);
    onProgress(Math.min(1, (start + bytes.length) / file.size));
  }
  return hash.hex();
}

const SHA256_K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 SHA-256, fed in pieces.
class Sha256 {
  constructor() {
    // Int32Array: V8 keeps 32-bit signed values as small integers, while
    // unsigned ones over 2^31 become doubles (four times slower here).
    this.state = new Int32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    this.pending = new Uint8Array(64);
    this.pendingLength = 0;
    this.length = 0;
    this.words = new Int32Array(64);
  }

  update(bytes) {
    let offset = 0;
    this.length += bytes.length;
    if (this.pendingLength > 0) {
      const take = Math.min(64 - this.pendingLength, bytes.length);
      this.pending.set(bytes.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      offset = take;
      if (this.pendingLength < 64) {
        return;
      }
      this.block(this.pending, 0);
      this.pendingLength = 0;
    }
    for (; offset + 64 <= bytes.length; offset += 64) {
      this.block(bytes, offset);
    }
    this.pending.set(bytes.subarray(offset), 0);
    this.pendingLength = bytes.length - offset;
  }

  block(bytes, offset) {
    const w = this.words;
    for (let i = 0; i < 16; i += 1) {
      const at = offset + i * 4;
      w[i] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
    }
    for (let i = 16; i < 64; i += 1) {
      const x = w[i - 15];
      const y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    const s = this.state;
    let a = s[0];
    let b = s[1];
    let c = s[2];
    let d = s[3];
    let e = s[4];
    let f = s[5];
    let g = s[6];
    let h = s[7];
    for (let i = 0; i < 64; i += 1) {
      const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7)))
        + ((e & f) ^ (~e & g)) + SHA256_K[i] + w[i]) | 0;
      const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10)))
        + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    s[0] = (s[0] + a) | 0;
    s[1] = (s[1] + b) | 0;
    s[2] = (s[2] + c) | 0;
    s[3] = (s[3] + d) | 0;
    s[4] = (s[4] + e) | 0;
    s[5] = (s[5] + f) | 0;
    s[6] = (s[6] + g) | 0;
    s[7] = (s[7] + h) | 0;
  }

  hex() {
    const bits = new Uint8Array(8);
    const high = Math.floor(this.length / 0x20000000);
    const low = (this.length % 0x20000000) * 8;
    new DataView(bits.buffer).setUint32(0, high);
    new DataView(bits.buffer).setUint32(4, low);
    const padding = new Uint8Array(((this.pendingLength < 56 ? 56 : 120) - this.pendingLength));
    padding[0] = 0x80;
    const length = this.length;
    this.update(padding);
    this.update(bits);
    this.length = length;
    return Array.from(this.state, (word) => (word >>> 0).toString(16).padStart(8, "0"))
      .join("");
  }
}
