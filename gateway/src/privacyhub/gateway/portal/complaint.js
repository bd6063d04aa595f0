// The complaint form: a complaint or a suspected data breach, each error beside its field.
import { filledIn, text, wireForm } from "./portal.js";

const form = document.getElementById("klacht");

wireForm(form, {
  url: "/v1/complaints",
  body: () => filledIn(form, ["kind", "email", "message"]),
  accepted: (answer) => {
    const done = document.getElementById("ontvangen");
    text(done.querySelector("[data-reference]"), answer.reference);
    form.hidden = true;
    done.hidden = false;
    done.focus();
  },
});
