// The request page: code entry, status and download. The request's access token lives only in this
// page's memory: it comes in the address's fragment (never sent to a server), which is removed from
// the address and the history at once, or is typed in; no cookie or storage keeps it.
import { clearProblems, date, make, readBody, showError, text, wireForm } from "./portal.js";

const STATUSES = {
  awaiting_verification: "Wacht op je code / Awaiting your code",
  verification_locked: "Geblokkeerd na te veel verkeerde codes / Locked after too many wrong codes",
  verified: "Bevestigd, wacht op een besluit / Confirmed, awaiting a decision",
  decided: "Besloten / Decided",
  awaiting_new_email_verification: "Wacht op de code voor je nieuwe e-mailadres / Awaiting the code for your new e-mail address",
  executing: "Wordt uitgevoerd / Being carried out",
  escalated: "Ligt bij onze privacyfunctionaris / With our privacy officer",
  completed: "Uitgevoerd / Completed",
};
const RIGHTS = {
  access: "Inzage / Access",
  rectification: "Correctie / Rectification",
  erasure: "Verwijdering / Erasure",
  restriction: "Beperking / Restriction",
  portability: "Overdracht / Portability",
  objection: "Bezwaar / Objection",
  withdraw_consent: "Toestemming intrekken / Withdraw consent",
};
const OUTCOMES = {
  approve: "Toegewezen / Approved",
  refuse: "Afgewezen / Refused",
  partially_refuse: "Deels afgewezen / Partly refused",
};
const PACKAGED = new Set(["access", "portability"]);

const request = { id: "", token: "" };
const opening = document.getElementById("openen");
const codeForm = document.getElementById("code");
const resendForm = document.getElementById("nieuwe-code");
const downloadForm = document.getElementById("download");
const statusSection = document.getElementById("stand");

const bearer = () => ({ authorization: `Bearer ${request.token}` });
const base = () => `/v1/rights-requests/${encodeURIComponent(request.id)}`;

function row(list, term, value) {
  if (value) list.append(make("dt", {}, term), make("dd", {}, value));
}

function showStatus(view) {
  const list = statusSection.querySelector("[data-status]");
  list.replaceChildren();
  row(list, "Verzoek / Request", RIGHTS[view.type] || view.type);
  row(list, "Stand / Status", STATUSES[view.status] || view.status);
  row(list, "Ontvangen / Received", date(view.received_at));
  row(list, "Uiterlijk beantwoord / Answered by", date(view.due_date));
  if (view.extension) {
    row(list, "Verlengd / Extended", `${view.extension.months} maand(en) / month(s)`);
    row(list, "Waarom verlengd / Why extended", view.extension.reasons);
  }
  if (view.decision) {
    row(list, "Besluit / Decision", OUTCOMES[view.decision.outcome] || view.decision.outcome);
    row(list, "Toelichting / Reasons", view.decision.reasons);
  }
  if (view.closure) row(list, "Afgesloten: waarom / Closed: why", view.closure.reasons);
  row(list, "Uitgevoerd op / Completed on", date(view.completed_at));
  statusSection.hidden = false;
  const waiting = view.status === "awaiting_verification";
  codeForm.hidden = !waiting;
  resendForm.hidden = !waiting;
  downloadForm.hidden = !(view.status === "completed" && PACKAGED.has(view.type));
}

// A request the API has just accepted may not be stored yet: for a while, not found means not yet.
async function loadStatus({ justAccepted = false } = {}) {
  let response;
  for (let attempt = 1; ; attempt += 1) {
    response = await fetch(base(), { headers: { accept: "application/json", ...bearer() } });
    if (!(justAccepted && response.status === 404 && attempt < 8)) break;
    await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
  }
  const body = await readBody(response);
  if (!response.ok) {
    opening.hidden = false;
    showError(opening, response.status, body, { 404: "request_id" });
    return false;
  }
  opening.hidden = true;
  showStatus(body);
  return true;
}

function fromTheAddress() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (!fragment.get("verzoek") || !fragment.get("toegang")) return false;
  request.id = fragment.get("verzoek");
  request.token = fragment.get("toegang");
  history.replaceState(null, "", location.pathname);
  if (fragment.get("nieuw")) {
    const notice = document.getElementById("nieuw");
    text(notice.querySelector("[data-request-id]"), request.id);
    text(notice.querySelector("[data-token]"), request.token);
    notice.hidden = false;
    notice.focus();
  }
  return true;
}

opening.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearProblems(opening);
  request.id = opening.elements.namedItem("request_id").value.trim();
  request.token = opening.elements.namedItem("access_token").value.trim();
  opening.elements.namedItem("access_token").value = "";
  await loadStatus();
});

document.getElementById("verversen").addEventListener("click", () => loadStatus());

wireForm(codeForm, {
  url: () => `${base()}/verify`,
  body: () => ({ code: codeForm.elements.namedItem("code").value.trim() }),
  fieldForStatus: { 400: "code", 404: "code", 409: "code", 429: "code" },
  accepted: async () => {
    codeForm.reset();
    await loadStatus();
    statusSection.querySelector("h2").focus();
  },
});

wireForm(resendForm, {
  url: () => `${base()}/code`,
  body: () => ({}),
  headers: bearer,
  accepted: () => {
    text(document.getElementById("nieuwe-code-gestuurd"), "Er is een nieuwe code onderweg; de vorige werkt niet meer. / A new code is on its way; the one before no longer works.");
  },
});

downloadForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearProblems(downloadForm);
  const response = await fetch(`${base()}/export`, {
    headers: { ...bearer(), "x-download-code": downloadForm.elements.namedItem("download_code").value.trim() },
  });
  if (!response.ok) {
    const answer = await readBody(response);
    showError(downloadForm, response.status, answer, { 403: "download_code", 404: "download_code", 409: "download_code", 410: "download_code" });
    return;
  }
  const disposition = response.headers.get("content-disposition") || "";
  const name = (/filename="([^"]+)"/.exec(disposition) || [])[1] || "jobport-gegevens.zip";
  const link = make("a", { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  text(document.getElementById("gedownload"), `Gedownload: ${name} / Downloaded: ${name}`);
});

if (fromTheAddress()) loadStatus({ justAccepted: true });
