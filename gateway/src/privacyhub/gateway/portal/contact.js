// The contact form: a message with sensitive data is refused by the API, which names the field.
import { filledIn, text, wireForm } from "./portal.js";

const FIELDS = ["email", "first_name", "last_name", "company", "found_us_via", "message"];
const form = document.getElementById("contact");

wireForm(form, {
  url: "/v1/contact",
  body: () => filledIn(form, FIELDS),
  accepted: (answer) => {
    const done = document.getElementById("ontvangen");
    text(done.querySelector("[data-reference]"), answer.reference);
    form.hidden = true;
    done.hidden = false;
    done.focus();
  },
});
