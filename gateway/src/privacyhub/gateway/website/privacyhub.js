/*! privacyhub.js: the cookie banner, consent choice and page-view beacon of a privacyhub gateway.
 * One file, no dependencies. Load it with one tag:
 *   <script src="https://GATEWAY/static/privacyhub.js" data-gateway="https://GATEWAY" defer></script>
 * Optional: data-privacy-url (the page with the privacy statement). Any element with the
 * attribute data-privacyhub-open re-opens the banner; window.privacyhub has open() and pageView()
 * (for pages that change without loading). Once it has decided on a page, <html> carries
 * data-privacyhub="asking|renewing|counting|refused|unavailable" and a privacyhub:ready event fires.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.privacyhub) return;
  var config = script.dataset;
  var gateway = new URL(config.gateway || "/", script.src || document.baseURI).href.replace(/\/+$/, "");
  var CHOICE = "privacyhub_consent";
  var VISITOR = "privacyhub_visitor";
  var CHOICE_DAYS = 365;
  var VISITOR_DAYS = 395;
  var PURPOSES = {
    necessary: ["Noodzakelijk", "Necessary",
      "Nodig om de website te laten werken en je keuze te onthouden.",
      "Needed for the website to work and to remember your choice."],
    analytics: ["Statistieken", "Analytics",
      "Bezoekersstatistieken met een willekeurig bezoekersnummer, zonder je IP-adres.",
      "Visitor statistics with a random visitor number, without your IP address."],
    marketing: ["Marketing", "Marketing",
      "Advertenties en campagnes afgestemd op je bezoek.",
      "Advertising and campaigns matched to your visit."]
  };

  var versions = null; // the statement versions, oldest first; the last is in force
  var cookies = null; // GET /v1/cookies
  var banner = null;
  var opener = null;
  var viewSent = false;

  // ---- cookies and the visitor key ----
  function readCookie(name) {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
  }
  function writeCookie(name, value, days) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; Max-Age=" + days * 86400 +
      "; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }
  function forgetCookie(name) {
    document.cookie = name + "=; Max-Age=0; Path=/; SameSite=Lax";
  }
  function readChoice() {
    var text = readCookie(CHOICE);
    if (!text) return null;
    var fields = new URLSearchParams(text);
    if (!fields.get("v")) return null;
    return { version: fields.get("v"), analytics: fields.get("a") === "1", marketing: fields.get("m") === "1" };
  }
  function base64url(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function newVisitorKey() {
    return base64url(crypto.getRandomValues(new Uint8Array(32)));
  }
  // visitor_id = base64url(SHA-256(visitor_key)) without padding: only the id leaves the browser.
  function visitorId(key) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)).then(function (digest) {
      return base64url(new Uint8Array(digest));
    });
  }

  // ---- the gateway ----
  function api(path, body) {
    var init = { credentials: "omit", headers: { accept: "application/json" } };
    if (body) {
      init.method = "POST";
      init.keepalive = true;
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(gateway + path, init).then(function (response) {
      if (!response.ok) throw new Error("privacyhub: " + path + " answered " + response.status);
      return response.json();
    });
  }
  function withoutQuery(address) {
    if (!address) return null;
    try {
      var url = new URL(address);
      return url.origin + url.pathname;
    } catch (error) {
      return null;
    }
  }
  function currentVersion() {
    return versions[versions.length - 1];
  }
  function materialChangeSince(version) {
    var at = versions.map(function (v) { return v.version; }).indexOf(version);
    var later = at < 0 ? versions : versions.slice(at + 1);
    return later.filter(function (v) { return v.material; }).pop() || null;
  }
  function gpcOn() {
    return navigator.globalPrivacyControl === true;
  }

  /** One page view, never with a query string or fragment, only while analytics consent is given. */
  function pageView() {
    var choice = readChoice();
    var key = readCookie(VISITOR);
    if (!choice || !choice.analytics || !key || gpcOn()) return Promise.resolve(null);
    return visitorId(key).then(function (id) {
      return api("/v1/pageviews", {
        visitor_id: id,
        url: withoutQuery(location.href),
        referrer: withoutQuery(document.referrer),
        occurred_at: new Date().toISOString()
      });
    }).catch(function () { return null; });
  }

  /** Sends the choice; the gateway's answer (with `Sec-GPC: 1` every non-necessary purpose off) is kept. */
  function choose(analytics, marketing) {
    // A refusal without a kept key is recorded under a fresh one that is then forgotten.
    var key = readCookie(VISITOR) || newVisitorKey();
    var version = currentVersion().version;
    return visitorId(key).then(function (id) {
      return api("/v1/consents", {
        visitor_id: id,
        purposes: { necessary: true, analytics: analytics, marketing: marketing },
        statement_version: version
      });
    }).then(function (recorded) {
      var purposes = recorded.purposes;
      writeCookie(CHOICE, "v=" + encodeURIComponent(version) + "&a=" + (purposes.analytics ? 1 : 0) +
        "&m=" + (purposes.marketing ? 1 : 0), CHOICE_DAYS);
      // The visitor key is an analytics cookie: kept only while analytics consent is given.
      if (purposes.analytics) writeCookie(VISITOR, key, VISITOR_DAYS);
      else forgetCookie(VISITOR);
      return purposes;
    });
  }

  // ---- the banner ----
  function el(tag, attributes) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") node.textContent = attributes[name];
      else node.setAttribute(name, attributes[name]);
    });
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) node.append(arguments[i]);
    return node;
  }
  // Dutch first with English beside it: after a slash in a name, as a sentence of its own in text.
  function both(tag, nl, en, attributes) {
    var between = tag === "p" || tag === "td" || tag === "span" ? " " : " / ";
    return el(tag, attributes, el("span", { lang: "nl", text: nl }), between,
      el("span", { lang: "en", class: "phb-en", text: en }));
  }
  function days(count) {
    if (count === null) return ["tot je de browser sluit", "until you close the browser"];
    return [count + " dagen", count + " days"];
  }
  function cookieTable(list) {
    var head = el("tr", {});
    [["Cookie", "Cookie"], ["Aanbieder", "Provider"], ["Bewaartermijn", "Lifetime"], ["Doel", "Purpose"]]
      .forEach(function (pair) { head.append(both("th", pair[0], pair[1], { scope: "col" })); });
    var body = el("tbody", {});
    list.forEach(function (cookie) {
      var lifetime = days(cookie.lifetime_days);
      body.append(el("tr", {},
        el("td", { text: cookie.name }),
        el("td", { text: cookie.provider }),
        both("td", lifetime[0], lifetime[1]),
        both("td", cookie.purpose.nl, cookie.purpose.en)));
    });
    return el("table", {}, el("thead", {}, head), body);
  }
  function purposeBlock(name, list, choice, gpc) {
    var text = PURPOSES[name];
    var block = el("div", { class: "phb-purpose" });
    if (name === "necessary") {
      block.append(both("p", text[0] + ": altijd aan", text[1] + ": always on", { class: "phb-label" }));
    } else {
      var box = el("input", { type: "checkbox", id: "phb-" + name, name: name, "aria-describedby": "phb-" + name + "-about" });
      box.checked = !gpc && !!choice && !!choice[name];
      box.disabled = gpc;
      block.append(el("div", { class: "phb-label" }, box, " ", both("label", text[0], text[1], { for: "phb-" + name })));
    }
    block.append(both("p", text[2], text[3], { id: "phb-" + name + "-about" }));
    block.append(el("details", {}, both("summary", "Bekijk de cookies (" + list.length + ")", "Show the cookies"), cookieTable(list)));
    return block;
  }
  function close() {
    if (banner) banner.remove();
    banner = null;
    if (opener && document.contains(opener)) opener.focus();
    opener = null;
  }
  function show(node, focus) {
    if (banner) banner.remove();
    banner = node;
    document.body.prepend(node); // first in the tab order
    if (focus) node.querySelector("h2").focus();
  }

  /** The banner: `reason` is "first", "renewal" or "settings". */
  function open(reason, focus) {
    var gpc = gpcOn();
    var choice = readChoice();
    var current = currentVersion();
    var title = reason === "renewal"
      ? both("h2", "Onze privacyverklaring is gewijzigd", "Our privacy statement has changed", { id: "phb-title", tabindex: "-1" })
      : both("h2", "Cookies op deze website", "Cookies on this website", { id: "phb-title", tabindex: "-1" });
    var node = el("section", { class: "phb", role: "dialog", "aria-modal": "false", "aria-labelledby": "phb-title", "aria-describedby": "phb-intro" }, title);
    node.append(both("p", "Kies per doel welke cookies je toestaat. Alleen noodzakelijke cookies plaatsen we altijd; je kunt je keuze op elk moment wijzigen via de link Cookie-instellingen.",
      "Choose per purpose which cookies you allow. Only necessary cookies are always placed; you can change your choice at any time through the Cookie settings link.", { id: "phb-intro" }));
    if (reason === "renewal") {
      var change = materialChangeSince(choice.version);
      node.append(both("p", "Sinds je keuze is de verklaring wezenlijk veranderd; kies opnieuw. " + (change.summary_of_changes || ""),
        "The statement changed materially since your choice; please choose again.", { class: "phb-change" }));
    }
    var version = both("p", "Privacyverklaring versie " + current.version + " van " + current.published_on,
      "Privacy statement version " + current.version + " of " + current.published_on, { class: "phb-version" });
    if (config.privacyUrl) version.append(" ", el("a", { href: config.privacyUrl, text: "Lees de verklaring / Read the statement" }));
    node.append(version);
    if (gpc) {
      node.append(both("p", "Je browser stuurt Global Privacy Control mee: statistieken en marketing staan daarom uit.",
        "Your browser sends Global Privacy Control: analytics and marketing are therefore off.", { class: "phb-gpc" }));
    }
    var fields = el("fieldset", {}, both("legend", "Doelen en cookies", "Purposes and cookies"));
    ["necessary", "analytics", "marketing"].forEach(function (name) {
      var list = cookies.cookies.filter(function (c) { return c.consent_purpose === name; });
      if (list.length) fields.append(purposeBlock(name, list, reason === "settings" ? choice : null, gpc));
    });
    node.append(fields);
    var message = el("p", { class: "phb-message", role: "status" });
    var actions = el("div", { class: "phb-actions" });
    function decide(analytics, marketing) {
      message.textContent = "";
      actions.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      return choose(analytics, marketing).then(function (purposes) {
        close();
        if (purposes.analytics && !viewSent) {
          viewSent = true;
          pageView();
        }
      }, function () {
        actions.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        message.append(both("span", "Je keuze kon niet worden opgeslagen; probeer het opnieuw.", "Your choice could not be saved; please try again."));
      });
    }
    function box(name) {
      var input = node.querySelector("#phb-" + name);
      return !!input && input.checked;
    }
    function button(nl, en, onClick) {
      var b = both("button", nl, en, { type: "button", class: "phb-button" });
      b.addEventListener("click", onClick);
      actions.append(b);
    }
    if (gpc) {
      button("Sluiten", "Close", function () { (choice ? Promise.resolve() : decide(false, false)).then(close); });
    } else {
      button("Alles accepteren", "Accept all", function () { decide(true, true); });
      button("Alleen noodzakelijk", "Only necessary", function () { decide(false, false); });
      button("Keuze opslaan", "Save my choice", function () { decide(box("analytics"), box("marketing")); });
    }
    node.append(message, actions);
    if (reason === "settings") {
      node.addEventListener("keydown", function (event) { if (event.key === "Escape") close(); });
    }
    show(node, focus);
  }

  function gpcNotice() {
    var node = el("section", { class: "phb phb-notice", role: "dialog", "aria-modal": "false", "aria-labelledby": "phb-title" },
      both("h2", "Global Privacy Control gerespecteerd", "Global Privacy Control respected", { id: "phb-title", tabindex: "-1" }),
      both("p", "Je browser vraagt om je gegevens niet te delen. Daarom hebben we statistieken en marketing geweigerd zonder het je te vragen; alleen noodzakelijke cookies worden geplaatst.",
        "Your browser asks not to share your data. So we refused analytics and marketing without asking you; only necessary cookies are placed."));
    var ok = both("button", "Sluiten", "Close", { type: "button", class: "phb-button" });
    ok.addEventListener("click", close);
    node.append(el("div", { class: "phb-actions" }, ok));
    show(node, false);
  }

  function loadCookies() {
    return cookies ? Promise.resolve(cookies) : api("/v1/cookies").then(function (c) { cookies = c; return c; });
  }

  /** Re-opens the banner, e.g. from a "Cookie-instellingen" link. */
  function openSettings(event) {
    if (event && event.preventDefault) event.preventDefault();
    opener = event && event.currentTarget instanceof HTMLElement ? event.currentTarget : document.activeElement;
    if (!versions) return;
    loadCookies().then(function () { open(readChoice() ? "settings" : "first", true); });
  }

  function addStyle() {
    var css = ".phb{position:fixed;z-index:2147483000;left:1rem;right:1rem;bottom:1rem;max-width:46rem;margin:0 auto;max-height:85vh;overflow:auto;" +
      "background:#fff;color:#1a1a1a;border:2px solid #1d3a8a;border-radius:.5rem;padding:1rem 1.25rem 0;font:1rem/1.45 system-ui,sans-serif;box-shadow:0 4px 24px rgba(0,0,0,.25)}" +
      ".phb h2{font-size:1.25rem;margin:0 0 .5rem}.phb h2:focus{outline:3px solid #b45309;outline-offset:2px}" +
      ".phb p{margin:.4rem 0}.phb .phb-en{color:#3d3d3d}.phb h2 .phb-en,.phb legend .phb-en,.phb button .phb-en,.phb label .phb-en{font-weight:normal}" +
      ".phb fieldset{border:1px solid #8a8a8a;border-radius:.375rem;margin:.75rem 0;padding:.5rem .75rem}.phb legend{font-weight:bold;padding:0 .25rem}" +
      ".phb-purpose{border-top:1px solid #d4d4d4;padding:.5rem 0}.phb-purpose:first-of-type{border-top:0}.phb-label{font-weight:bold}" +
      ".phb input[type=checkbox]{width:1.2rem;height:1.2rem;vertical-align:middle}.phb summary{cursor:pointer;color:#1d3a8a}" +
      ".phb table{border-collapse:collapse;font-size:.875rem;margin:.5rem 0;width:100%}.phb th,.phb td{border:1px solid #c4c4c4;padding:.25rem .4rem;text-align:left;vertical-align:top}" +
      ".phb td .phb-en,.phb th .phb-en{display:block}.phb a{color:#1d3a8a}" +
      // The choices stay in view while the purposes scroll.
      ".phb-actions{position:sticky;bottom:0;display:flex;flex-wrap:wrap;gap:.5rem;padding:.75rem 0 1rem;background:#fff}.phb-button{flex:1 1 12rem;font:inherit;font-weight:bold;padding:.6rem 1rem;" +
      "border:2px solid #1d3a8a;border-radius:.375rem;background:#1d3a8a;color:#fff;cursor:pointer}.phb-button .phb-en{color:#fff}" +
      ".phb-button:focus-visible{outline:3px solid #b45309;outline-offset:2px}.phb-button:disabled{opacity:.7;cursor:wait}" +
      ".phb-message{color:#a61b1b;font-weight:bold}.phb-message:empty{display:none}";
    // A constructed style sheet: no inline <style>, so a strict Content-Security-Policy allows it.
    if (document.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
    } else {
      document.head.append(el("style", { text: css }));
    }
  }

  function ready(state) {
    document.documentElement.setAttribute("data-privacyhub", state);
    document.dispatchEvent(new CustomEvent("privacyhub:ready", { detail: { state: state } }));
  }

  function start() {
    addStyle();
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("[data-privacyhub-open]");
      if (link) openSettings({ preventDefault: function () { event.preventDefault(); }, currentTarget: link });
    });
    if (!window.crypto || !crypto.subtle) return ready("unavailable"); // Web Crypto needs https
    api("/v1/privacy-statement/versions").then(function (list) {
      versions = list;
      var choice = readChoice();
      if (gpcOn()) {
        // GPC: analytics and marketing refused without asking; the visitor is told so once.
        if (choice && !choice.analytics && !choice.marketing) return "refused";
        return choose(false, false).then(function () { gpcNotice(); return "refused"; });
      }
      if (!choice) return loadCookies().then(function () { open("first", false); return "asking"; });
      if (materialChangeSince(choice.version)) {
        return loadCookies().then(function () { open("renewal", false); return "renewing"; });
      }
      if (!choice.analytics) return "refused";
      viewSent = true;
      return pageView().then(function () { return "counting"; });
    }).then(ready, function () { ready("unavailable"); });
  }

  window.privacyhub = { open: openSettings, pageView: pageView };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
