// Starts GOV.UK Frontend's components (character counts, exclusive checkboxes, error summary
// focus). Frontend's own page template marks the body with an inline script, which the
// Content-Security-Policy forbids, so the classes are added here. Browsers that cannot run
// module scripts skip this file and get the plain, fully working HTML forms.
import { initAll } from "/assets/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
