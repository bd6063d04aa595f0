// The rights request form. Once the API holds the request, the request page takes over: the id
// and access token go there in the address's fragment, which no server ever receives, and that
// page removes it from the address at once.
import { filledIn, wireForm } from "./portal.js";

const form = document.getElementById("verzoek");
const corrections = document.getElementById("corrections");
const CORRECTED = ["email", "first_name", "last_name", "company"];

form.addEventListener("change", () => {
  corrections.hidden = form.elements.namedItem("type").value !== "rectification";
});

function body() {
  const request = filledIn(form, ["type", "email", "details"]);
  if (request.type === "rectification") {
    const named = filledIn(form, CORRECTED.map((name) => `corrections.${name}`));
    request.corrections = Object.fromEntries(
      Object.entries(named).map(([name, value]) => [name.slice("corrections.".length), value]),
    );
  }
  return request;
}

wireForm(form, {
  url: "/v1/rights-requests",
  body,
  accepted: (answer) => {
    const fragment = new URLSearchParams({ verzoek: answer.request_id, toegang: answer.access_token, nieuw: "1" });
    location.assign(`/privacy/verzoek#${fragment}`);
  },
});
