// The statement page: the version asked for (?versie=) or the current one, and every version with
// its hash. The hash is checked again in the browser where it can be.
import { date, make, text } from "./portal.js";

const status = document.getElementById("laden");

async function json(url) {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

const CANNOT_LOAD = "De privacyverklaring kon niet worden geladen; probeer het later opnieuw. / The privacy statement could not be loaded; please try again later.";
const NO_SUCH_VERSION = "Die versie bestaat niet; hieronder staan alle versies. / There is no such version; every version is listed below.";

async function sha256(value) {
  if (!(window.crypto && crypto.subtle)) return null;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Numbered sections ("2. Welke gegevens…") and their lettered parts ("b. Als je…") become
// headings, so a screen reader can move through the statement by section.
function block(paragraph) {
  const line = paragraph.trim();
  if (!line.includes("\n") && /^\d+\.\s/.test(line)) return make("h3", {}, line);
  if (!line.includes("\n") && /^[a-z]\.\s/.test(line)) return make("h4", {}, line);
  return make("p", {}, line);
}

function showText(container, statement) {
  container.replaceChildren(...statement.text.split(/\n\s*\n/).map(block));
}

async function show() {
  const asked = new URLSearchParams(location.search).get("versie");
  const versions = await json("/v1/privacy-statement/versions");
  let statement;
  try {
    statement = await json(asked ? `/v1/privacy-statement?version=${encodeURIComponent(asked)}` : "/v1/privacy-statement");
  } catch (error) {
    if (!asked || error.message !== "404") throw error;
    status.textContent = NO_SUCH_VERSION;
    listVersions(versions, null);
    return;
  }
  const current = versions[versions.length - 1];
  const isCurrent = current && current.version === statement.version;
  const section = document.getElementById("verklaring");
  text(section.querySelector("[data-version]"), statement.version);
  text(section.querySelector("[data-current]"), isCurrent ? "(geldt nu / current)" : "(eerdere versie / earlier version)");
  section.querySelector("[data-to-current]").hidden = isCurrent;
  text(section.querySelector("[data-published]"), date(statement.published_on));
  text(section.querySelector("[data-sha256]"), statement.sha256);
  const computed = await sha256(statement.text);
  if (computed !== null) {
    text(
      section.querySelector("[data-hash-check]"),
      computed === statement.sha256
        ? "Je browser berekende dezelfde hash. / Your browser computed the same hash."
        : "Let op: je browser berekende een andere hash. / Note: your browser computed a different hash.",
    );
  }
  showText(section.querySelector("[data-text]"), statement);
  section.hidden = false;

  listVersions(versions, statement.version);
  status.hidden = true;
}

function listVersions(versions, shown) {
  document.querySelector("[data-versions]").replaceChildren(
    ...versions.map((version) => {
      const link = make("a", { href: `/privacy?versie=${encodeURIComponent(version.version)}` }, version.version);
      if (version.version === shown) link.setAttribute("aria-current", "page");
      return make(
        "tr",
        {},
        make("td", {}, link),
        make("td", {}, date(version.published_on)),
        make("td", {}, version.language),
        make("td", {}, version.material ? "ja / yes" : "nee / no"),
        make("td", {}, make("code", {}, version.sha256)),
        make("td", {}, version.summary_of_changes || ""),
      );
    }),
  );
}

show().catch(() => {
  status.textContent = CANNOT_LOAD;
});
