// site.js: behaviour shared by every page of the demo site, as a classic (non-module) script loaded with defer.
//
//   - the theme toggle (auto -> light -> dark), remembered in localStorage;
//   - the protocol badge in the masthead: which HTTP version delivered this page, read from Navigation Timing;
//   - aria-current on the navigation link of the current page;
//   - the gallery lightbox: a <dialog> showing the picture larger, with arrow keys to move between pictures;
//   - the footer line saying when the page was last modified (the server's Last-Modified).
(function () {
  "use strict";

  var THEME_KEY = "h2push-demo-theme";
  var THEMES = ["auto", "light", "dark"];
  var PROTOCOL_NAMES = { h2: "HTTP/2", h3: "HTTP/3", "http/1.1": "HTTP/1.1", "http/1.0": "HTTP/1.0" };

  // ---------- Theme ----------------------------------------------------------------------------------------------

  function storedTheme() {
    try {
      var value = window.localStorage.getItem(THEME_KEY);
      return THEMES.indexOf(value) >= 0 ? value : "auto";
    } catch (error) {
      return "auto"; // storage can be disabled; the theme then lasts for this page only
    }
  }

  function applyTheme(theme) {
    var root = document.documentElement;
    if (theme === "auto") root.removeAttribute("data-theme");
    else root.setAttribute("data-theme", theme);
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      var label = buttons[i].querySelector("[data-theme-label]");
      if (label) label.textContent = "Theme: " + theme;
      buttons[i].setAttribute("aria-label", "Colour theme: " + theme + ". Activate to change.");
    }
  }

  function setupTheme() {
    var theme = storedTheme();
    applyTheme(theme);
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
        try {
          window.localStorage.setItem(THEME_KEY, theme);
        } catch (error) {
          // Ignored: see storedTheme().
        }
        applyTheme(theme);
      });
    }
  }

  // ---------- Protocol badge -------------------------------------------------------------------------------------

  function setupProtocolBadge() {
    var badge = document.getElementById("protocol");
    if (!badge) return;
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    var protocol = entries.length > 0 ? entries[0].nextHopProtocol : "";
    var name = PROTOCOL_NAMES[protocol] || protocol || "unknown";
    var secure = window.location.protocol === "https:";
    badge.textContent = name;
    badge.setAttribute("data-protocol", protocol || "unknown");
    badge.title =
      "This page arrived over " + name + (secure ? " with TLS" : " in cleartext") + " (Navigation Timing).";
  }

  // ---------- Navigation -----------------------------------------------------------------------------------------

  function setupNavigation() {
    var here = window.location.pathname.replace(/\/$/, "/index.html");
    var links = document.querySelectorAll(".nav a[href]");
    for (var i = 0; i < links.length; i++) {
      var target = new URL(links[i].getAttribute("href"), window.location.href).pathname;
      if (target === here) links[i].setAttribute("aria-current", "page");
    }
  }

  // ---------- Lightbox -------------------------------------------------------------------------------------------

  function Lightbox(dialog, triggers) {
    this.dialog = dialog;
    this.triggers = triggers;
    this.index = 0;
    this.image = dialog.querySelector("img");
    this.caption = dialog.querySelector("[data-lightbox-caption]");
    this.count = dialog.querySelector("[data-lightbox-count]");

    var self = this;
    for (var i = 0; i < triggers.length; i++) {
      triggers[i].addEventListener("click", this.open.bind(this, i));
    }
    dialog.addEventListener("click", function (event) {
      // A click on the backdrop lands on the dialog itself, outside its content.
      if (event.target === dialog) dialog.close();
      var action = event.target.closest ? event.target.closest("[data-lightbox-action]") : null;
      if (!action) return;
      var what = action.getAttribute("data-lightbox-action");
      if (what === "close") dialog.close();
      else if (what === "next") self.show(self.index + 1);
      else if (what === "previous") self.show(self.index - 1);
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") {
        self.show(self.index + 1);
        event.preventDefault();
      } else if (event.key === "ArrowLeft") {
        self.show(self.index - 1);
        event.preventDefault();
      }
    });
    dialog.addEventListener("close", function () {
      var trigger = self.triggers[self.index];
      if (trigger) trigger.focus();
    });
  }

  Lightbox.prototype.open = function (index) {
    this.show(index);
    if (typeof this.dialog.showModal === "function") this.dialog.showModal();
    else this.dialog.setAttribute("open", "");
  };

  Lightbox.prototype.show = function (index) {
    var total = this.triggers.length;
    this.index = ((index % total) + total) % total;
    var source = this.triggers[this.index].querySelector("img");
    var figure = this.triggers[this.index].closest("figure");
    var caption = figure ? figure.querySelector("figcaption") : null;
    // currentSrc is the candidate the browser chose (for a <picture>, the dark or the light one): no new download.
    this.image.src = source.currentSrc || source.src;
    this.image.alt = source.alt;
    if (this.caption) this.caption.textContent = caption ? caption.textContent.trim().replace(/\s+/g, " ") : "";
    if (this.count) this.count.textContent = this.index + 1 + " / " + total;
  };

  function setupLightbox() {
    var dialog = document.querySelector("[data-lightbox]");
    var triggers = document.querySelectorAll("[data-lightbox-trigger]");
    if (!dialog || triggers.length === 0) return;
    new Lightbox(dialog, Array.prototype.slice.call(triggers));
  }

  // ---------- Last modified --------------------------------------------------------------------------------------

  function setupLastModified() {
    var slot = document.querySelector("[data-last-modified]");
    if (!slot) return;
    // document.lastModified is the server's Last-Modified header, or "now" when the server sent none.
    var date = new Date(document.lastModified);
    if (isNaN(date.getTime())) return;
    slot.textContent = date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
    slot.setAttribute("datetime", date.toISOString());
  }

  function init() {
    setupTheme();
    setupProtocolBadge();
    setupNavigation();
    setupLightbox();
    setupLastModified();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
