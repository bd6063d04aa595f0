// What every portal page shares: posting a form to the JSON API and showing each error the API
// gives beside the field it names. Dutch first, English beside it.

const BOTH = (message) => `${message.nl} / ${message.en}`;

export function text(element, value) {
  element.textContent = value;
  return element;
}

export function make(tag, properties = {}, ...children) {
  const element = document.createElement(tag);
  Object.assign(element, properties);
  element.append(...children);
  return element;
}

// The paragraph beside a field that says what is wrong with it, tied to it for screen readers.
function problemOf(field) {
  const id = `${field.id}-probleem`;
  let problem = document.getElementById(id);
  if (!problem) {
    problem = make("p", { id, className: "problem" });
    const anchor = field.type === "radio" ? field.closest("fieldset") : field;
    anchor.after(problem);
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
  }
  return problem;
}

export function clearProblems(form) {
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  for (const problem of form.querySelectorAll(".problem")) problem.textContent = "";
  const summary = form.querySelector(".problems");
  summary.hidden = true;
  summary.replaceChildren();
}

// The API's field problems are in English (the sensitive-data ones in both languages); the common
// ones get their Dutch in front, the API's own words stay beside it.
const DUTCH = [
  [/^Field required$/, () => "Dit veld is verplicht."],
  [/^value is not a valid email address/, () => "Dit is geen geldig e-mailadres."],
  [/^String should have at least 1 character/, () => "Vul dit veld in."],
  [/^String should have at most (\d+) characters?/, (n) => `Te lang: hoogstens ${n} tekens.`],
  [/^Input should be /, () => "Kies een van de mogelijkheden."],
];

function inDutch(problem) {
  if (problem.includes(" / ")) return problem;
  for (const [pattern, dutch] of DUTCH) {
    const match = pattern.exec(problem);
    if (match) return `${dutch(match[1])} / ${problem}`;
  }
  return problem;
}

// `field` is the API's name of a field (`email`, `corrections.email`): the form's control of that name.
export function showProblem(form, field, problem) {
  const control = form.elements.namedItem(field);
  const first = control instanceof RadioNodeList ? control[0] : control;
  if (!first) return false;
  first.setAttribute("aria-invalid", "true");
  const paragraph = problemOf(first);
  const said = inDutch(problem);
  paragraph.textContent = paragraph.textContent ? `${paragraph.textContent} ${said}` : said;
  return true;
}

// The API's error body: its message at the top of the form, each field's problem beside the field.
export function showError(form, status, body, fieldForStatus = {}) {
  const summary = form.querySelector(".problems");
  const message = body && body.message ? BOTH(body.message) : `Er ging iets mis (${status}). / Something went wrong (${status}).`;
  const list = make("ul");
  for (const { field, problem } of (body && body.errors) || []) {
    if (!showProblem(form, field, problem)) list.append(make("li", {}, `${field}: ${problem}`));
  }
  const field = fieldForStatus[status];
  if (field && body && body.message) showProblem(form, field, message);
  summary.replaceChildren(make("p", {}, message));
  if (list.children.length) summary.append(list);
  summary.hidden = false;
  const invalid = form.querySelector("[aria-invalid=true]");
  (invalid || summary).focus();
}

export async function readBody(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// Posts what `body` makes of the form as JSON; `accepted` gets the answer of a 2xx, the rest is
// shown at the fields. `headers` and `fieldForStatus` as the route needs.
export function wireForm(form, { url, body, accepted, headers = () => ({}), fieldForStatus = {} }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(typeof url === "function" ? url() : url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...headers() },
        body: JSON.stringify(body(form)),
      });
      const answer = await readBody(response);
      if (response.ok) await accepted(answer, form);
      else showError(form, response.status, answer, fieldForStatus);
    } catch {
      showError(form, 0, { message: { nl: "Geen verbinding; probeer het opnieuw.", en: "No connection; please try again." } });
    } finally {
      button.disabled = false;
    }
  });
}

// The form's filled-in fields by name, empty ones left out (the API takes absent as not given).
export function filledIn(form, names) {
  const values = {};
  for (const name of names) {
    const value = (form.elements.namedItem(name).value || "").trim();
    if (value) values[name] = value;
  }
  return values;
}

export function date(value) {
  return value ? new Date(value).toLocaleDateString("nl-NL", { day: "numeric", month: "long", year: "numeric" }) : "";
}
