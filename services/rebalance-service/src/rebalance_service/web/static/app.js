// Rebalancer: progressive enhancement only. Every page works without this file;
// with it, files can be dropped, a token fetched, copied and kept for the tab,
// the target total and each mix's total are live, rows are added, removed, moved and
// mapped in bulk without a round trip, a security shows only the one class or the mix
// it is given, a slow "Prove it" shows that it is working, a weak token's settings
// move to a new one, and an erased token is forgotten.
"use strict";

(function () {
  document.documentElement.classList.add("js");

  // Exact decimal sums: percentages as integers of 10^-12, never float.
  var SCALE = 12;
  function toUnits(text) {
    var t = String(text).replace(/[\s$%]/g, "");
    if (/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(t)) t = t.replace(/,/g, "");
    if (t === "") return BigInt(0);
    var m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
    if (!m || (m[2] === "" && !m[3])) return null;
    var frac = (m[3] || "").slice(0, SCALE).padEnd(SCALE, "0");
    var units = BigInt(m[2] || "0") * BigInt(10) ** BigInt(SCALE) + BigInt(frac);
    return m[1] === "-" ? -units : units;
  }
  function showUnits(units) {
    var sign = units < 0 ? "-" : "";
    var abs = units < 0 ? -units : units;
    var base = BigInt(10) ** BigInt(SCALE);
    var frac = (abs % base).toString().padStart(SCALE, "0").replace(/0+$/, "");
    return sign + (abs / base).toString() + (frac ? "." + frac : "");
  }

  function liveRegion(id) {
    var region = document.getElementById(id);
    if (!region) {
      region = document.createElement("p");
      region.id = id;
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  // The token is kept for this tab in sessionStorage, and on this device in
  // localStorage only when the user ticks "Remember": never in a cookie or a URL,
  // and sent nowhere but in the forms that already carry it.
  var TOKEN_KEY = "rebalancer.token";
  function store(kind) {
    try { return window[kind]; } catch (error) { return null; }  // storage may be blocked
  }
  function keptToken() {
    var session = store("sessionStorage"), local = store("localStorage");
    return (session && session.getItem(TOKEN_KEY)) || (local && local.getItem(TOKEN_KEY)) || "";
  }
  function keepToken(value) {
    var session = store("sessionStorage"), local = store("localStorage");
    if (!value) return;
    if (session) session.setItem(TOKEN_KEY, value);
    if (local && local.getItem(TOKEN_KEY) !== null) local.setItem(TOKEN_KEY, value);
  }
  function remember(on, value) {
    var local = store("localStorage");
    if (!local) return;
    if (on && value) local.setItem(TOKEN_KEY, value);
    else if (!on) local.removeItem(TOKEN_KEY);
  }

  function forgetToken() {
    var session = store("sessionStorage"), local = store("localStorage");
    if (session) session.removeItem(TOKEN_KEY);
    if (local) local.removeItem(TOKEN_KEY);
  }

  // A strong token, made by the server: the one generator the page uses.
  function newToken() {
    return fetch("/api/v1/token", { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (body) { return body.token; });
  }

  function copyText(text, status) {
    function done(ok) {
      if (status) status.textContent = ok ? "Copied. Keep it somewhere safe, such as a password manager." :
        "Copying was refused: select the token and copy it yourself.";
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    } else {
      done(false);
    }
  }
  function copyButton(getText, status, label) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", label);
    button.addEventListener("click", function () { copyText(getText(), status); });
    return button;
  }

  function enhanceTokenPage() {
    var shown = document.getElementById("new-token");
    var status = document.getElementById("copy-status");
    if (!shown) return;
    var text = shown.textContent.trim();
    shown.insertAdjacentElement("afterend", copyButton(function () { return text; }, status, "Copy the token"));
    var use = document.getElementById("use-token");
    if (use) use.addEventListener("click", function () { keepToken(text); });
  }

  function enhanceTokenField() {
    var token = document.getElementById("token");
    if (!token) return;
    if (!token.value) token.value = keptToken();
    var box = document.getElementById("remember");
    var tick = document.getElementById("remember-token");
    var local = store("localStorage");
    if (box && tick && local) {
      box.hidden = false;
      tick.checked = local.getItem(TOKEN_KEY) !== null;
      tick.addEventListener("change", function () { remember(tick.checked, token.value.trim()); });
    }
    token.addEventListener("input", function () { keepToken(token.value.trim()); });
    if (token.form) token.form.addEventListener("submit", function () { keepToken(token.value.trim()); });
  }

  // Rebalance: the button says it is busy, and a live status counts the seconds.
  function enhanceRebalance() {
    var form = document.getElementById("rebalance-form");
    var button = document.getElementById("rebalance");
    var status = document.getElementById("busy-status");
    var prove = document.getElementById("prove");
    if (!form || !button || !status) return;
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter !== button) return;
      var proving = prove && prove.checked;
      var started = Date.now();
      var what = proving ? "Searching until the plan is proven the best" : "Working out the trades";
      button.setAttribute("aria-busy", "true");
      button.classList.add("busy");
      button.textContent = proving ? "Proving\u2026" : "Rebalancing\u2026";
      status.textContent = what + "\u2026";
      var timer = window.setInterval(function () {
        var seconds = Math.round((Date.now() - started) / 1000);
        status.textContent = what + "\u2026 " + seconds + " s";
      }, 1000);
      // Back from the results, the page may come from the cache as it was left.
      window.addEventListener("pageshow", function () {
        window.clearInterval(timer);
        button.removeAttribute("aria-busy");
        button.classList.remove("busy");
        button.textContent = "Rebalance";
        status.textContent = "";
      }, { once: true });
    });
  }

  // Home: drag and drop, the chosen files listed, a token fetched in place.
  function enhanceHome() {
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("positions");
    var list = document.getElementById("positions-list");
    if (zone && input && list) {
      var showFiles = function () {
        list.textContent = "";
        Array.prototype.forEach.call(input.files, function (file) {
          var item = document.createElement("li");
          item.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
          list.appendChild(item);
        });
      };
      input.addEventListener("change", showFiles);
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("dragging");
        });
      });
      zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        zone.classList.remove("dragging");
        var merged = new DataTransfer();
        Array.prototype.forEach.call(input.files, function (f) { merged.items.add(f); });
        Array.prototype.forEach.call(event.dataTransfer.files, function (f) { merged.items.add(f); });
        input.files = merged.files;
        showFiles();
      });
      // A file dropped beside the zone must not replace the page.
      ["dragover", "drop"].forEach(function (name) {
        window.addEventListener(name, function (event) {
          if (!zone.contains(event.target)) event.preventDefault();
        });
      });
    }

    var token = document.getElementById("token");
    var getToken = document.getElementById("get-token");
    var tokenNote = document.getElementById("token-new");
    if (token && getToken && tokenNote) {
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "secondary";
      toggle.textContent = "Show";
      toggle.setAttribute("aria-controls", "token");
      toggle.setAttribute("aria-pressed", "false");
      toggle.addEventListener("click", function () {
        var shown = token.type === "text";
        token.type = shown ? "password" : "text";
        toggle.textContent = shown ? "Show" : "Hide";
        toggle.setAttribute("aria-pressed", shown ? "false" : "true");
      });
      token.insertAdjacentElement("afterend", toggle);
      getToken.addEventListener("click", function (event) {
        event.preventDefault();
        newToken()
          .then(function (made) {
            token.value = made;
            keepToken(made);
            token.type = "text";
            toggle.textContent = "Hide";
            toggle.setAttribute("aria-pressed", "true");
            tokenNote.hidden = false;
            tokenNote.textContent = "Your new token is in the field. Copy it somewhere safe now: " +
              "it is the only key to your settings and cannot be recovered. ";
            var status = document.createElement("span");
            status.id = "copy-status";
            status.setAttribute("aria-live", "polite");
            var copy = document.getElementById("copy-token");
            if (!copy) {
              copy = copyButton(function () { return token.value; }, status, "Copy the token");
              copy.id = "copy-token";
              toggle.insertAdjacentElement("afterend", copy);
            }
            tokenNote.appendChild(status);
            token.focus();
            token.select();
          })
          .catch(function () { window.location.href = getToken.href; });
      });
    }
  }

  // Configure: live total of the targets.
  function targetSums() {
    var percent = BigInt(0), remainder = BigInt(0), hasRemainder = false, valid = true;
    document.querySelectorAll("#target-rows tr").forEach(function (row) {
      var kind = row.querySelector(".target-kind");
      var value = row.querySelector(".target-value");
      if (!kind || !value || kind.value === "dollars") return;
      var units = toUnits(value.value);
      if (units === null) { valid = false; return; }
      if (kind.value === "percent") percent += units;
      else { hasRemainder = true; remainder += units; }
    });
    return { percent: percent, remainder: remainder, hasRemainder: hasRemainder, valid: valid };
  }

  function updateTotal() {
    var out = document.getElementById("targets-sum");
    var live = document.getElementById("targets-live-error");
    if (!out || !live) return;
    var sums = targetSums();
    var hundred = BigInt(100) * BigInt(10) ** BigInt(SCALE);
    var problems = [];
    if (!sums.valid) {
      out.textContent = "?";
      problems.push("a target value is not a number");
    } else {
      out.textContent = showUnits(sums.percent);
      var p = showUnits(sums.percent), r = showUnits(sums.remainder);
      if (sums.hasRemainder) {
        if (sums.percent > hundred) problems.push("percent targets add up to " + p +
          "; with percent_of_remainder targets they must add up to at most 100");
        if (sums.remainder !== hundred) problems.push("percent_of_remainder targets add up to " + r +
          "; they must add up to 100");
      } else if (sums.percent !== hundred) {
        problems.push("percent targets add up to " + p + "; they must add up to 100");
      }
    }
    live.textContent = problems.join(". ");
    live.hidden = problems.length === 0;
    var saved = document.getElementById("targets-total-error");
    if (saved) saved.hidden = true;
  }

  function addRow(templateId, bodyId, prefix) {
    var template = document.getElementById(templateId);
    var body = document.getElementById(bodyId);
    if (!template || !body) return null;
    var next = 0;
    body.querySelectorAll('input[name="' + prefix + '_row"]').forEach(function (input) {
      next = Math.max(next, Number(input.value) + 1);
    });
    var holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replace(/__I__/g, String(next));
    var row = holder.querySelector("tr");
    body.appendChild(row);
    return row;
  }

  // Configure, a security's mix: show the one class or the mix the row is given,
  // and the mix's live total, in the words the server uses.
  function showKind(row) {
    var chosen = row.querySelector("input.kind:checked");
    var kind = chosen ? chosen.value : "class";
    row.querySelectorAll("[data-kind]").forEach(function (part) {
      part.hidden = part.getAttribute("data-kind") !== kind;
    });
    var mix = row.querySelector(".mix");
    if (mix) updateMixTotal(mix);
  }

  function updateMixTotal(mix) {
    var p = "security-" + mix.getAttribute("data-row") + "-";
    var out = document.getElementById(p + "mix-sum");
    var live = document.getElementById(p + "mix-live-error");
    if (!out || !live) return;
    var total = BigInt(0), valid = true, any = false;
    mix.querySelectorAll("li.sleeve").forEach(function (item) {
      var value = item.querySelector(".sleeve-value").value;
      if (!value.trim() && !item.querySelector("select").value) return;
      any = true;
      var units = toUnits(value);
      if (units === null) valid = false;
      else total += units;
    });
    var symbol = document.getElementById(p + "symbol");
    var name = (symbol && symbol.value.trim().toUpperCase()) || mix.getAttribute("data-name");
    var hundred = BigInt(100) * BigInt(10) ** BigInt(SCALE);
    var problem = "";
    out.textContent = valid ? showUnits(total) : "?";
    if (!mix.hidden && any) {
      if (!valid) problem = name + ": a percent of the mix is not a number";
      else if (total !== hundred) problem = name + ": the mix adds up to " + showUnits(total) + " %, not 100 %";
    }
    live.textContent = problem;
    live.hidden = problem === "";
    var saved = document.getElementById(p + "mix-total-error");
    if (saved) saved.hidden = true;
  }

  function renumberSleeves(mix) {
    var owner = mix.getAttribute("data-owner");
    mix.querySelectorAll("li.sleeve").forEach(function (item, i) {
      item.querySelectorAll(".n").forEach(function (n) { n.textContent = String(i + 1); });
      item.querySelectorAll(".owner").forEach(function (o) { o.textContent = owner; });
    });
  }

  function addSleeve(button) {
    var mix = button.closest(".mix");
    var template = document.getElementById("sleeve-row-template");
    if (!mix || !template) return;
    var i = mix.getAttribute("data-row");
    var next = 0;
    mix.querySelectorAll('input[name$="-sleeve"]').forEach(function (input) {
      next = Math.max(next, Number(input.value) + 1);
    });
    var holder = document.createElement("ul");
    holder.innerHTML = template.innerHTML.replace(/__I__/g, i).replace(/__J__/g, String(next));
    var item = holder.querySelector("li");
    mix.querySelector("ul.sleeves").appendChild(item);
    renumberSleeves(mix);
    item.querySelector("select").focus();
  }

  function removeSleeve(button) {
    var mix = button.closest(".mix");
    button.closest("li").remove();
    renumberSleeves(mix);
    updateMixTotal(mix);
    mix.querySelector(".add-sleeve").focus();
    liveRegion("rows-status").textContent = "Class removed from the mix.";
  }

  function moveAffinity(button, direction) {
    var item = button.closest("li");
    var list = item && item.parentNode;
    if (!item || !list) return;
    var other = direction === "up" ? item.previousElementSibling : item.nextElementSibling;
    if (!other) return;
    if (direction === "up") list.insertBefore(item, other);
    else list.insertBefore(other, item);
    button.focus();
    var position = Array.prototype.indexOf.call(list.children, item) + 1;
    var name = item.querySelector("label").textContent;
    var legend = list.closest("fieldset").querySelector("legend").textContent;
    liveRegion("affinity-status").textContent = name + " is now number " + position + " in " + legend + ".";
  }

  function enhanceConfigure() {
    var form = document.getElementById("configure-form");
    if (!form) return;
    document.querySelectorAll("#security-rows tr").forEach(showKind);
    form.addEventListener("input", function (event) {
      if (event.target.closest("#target-rows")) updateTotal();
      var mix = event.target.closest(".mix");
      if (mix) updateMixTotal(mix);
    });
    form.addEventListener("change", function (event) {
      if (event.target.closest("#target-rows")) updateTotal();
      if (event.target.classList.contains("kind")) showKind(event.target.closest("tr"));
      var mix = event.target.closest(".mix");
      if (mix) updateMixTotal(mix);
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest('button[name="action"]');
      if (!button) return;
      var action = button.value.split(":");
      var row;
      if (action[0] === "add_target") {
        event.preventDefault();
        row = addRow("target-row-template", "target-rows", "target");
        if (row) row.querySelector("select").focus();
        updateTotal();
      } else if (action[0] === "add_security") {
        event.preventDefault();
        row = addRow("security-row-template", "security-rows", "security");
        var none = document.getElementById("no-securities");
        if (none) none.hidden = true;
        if (row) {
          showKind(row);
          row.querySelector("input:not([type=hidden])").focus();
        }
      } else if (action[0] === "remove_target" || action[0] === "remove_security") {
        event.preventDefault();
        var isTarget = action[0] === "remove_target";
        button.closest("tr").remove();
        document.getElementById(isTarget ? "add-target" : "add-security").focus();
        liveRegion("rows-status").textContent = isTarget ? "Target removed." : "Security removed.";
        if (isTarget) updateTotal();
      } else if (action[0] === "add_sleeve") {
        event.preventDefault();
        addSleeve(button);
      } else if (action[0] === "remove_sleeve") {
        event.preventDefault();
        removeSleeve(button);
      } else if (action[0] === "move") {
        event.preventDefault();
        moveAffinity(button, action[3]);
      } else if (action[0] === "map_stocks") {
        event.preventDefault();
        var chosen = document.getElementById("stock_class").value;
        var stocks = document.querySelectorAll('#security-rows tr[data-instrument="stock"] select.security-class');
        stocks.forEach(function (select) { select.value = chosen; });
        liveRegion("rows-status").textContent = stocks.length + " stocks mapped to " + chosen + ". Save to keep them.";
      } else if (action[0] === "use_suggestion") {
        event.preventDefault();
        var rows = document.querySelectorAll("#security-rows tr[data-suggestion]");
        var used = 0;
        rows.forEach(function (tr) {
          var select = tr.querySelector('select.security-class');
          var index = tr.querySelector('input[name="security_row"]').value;
          if (!select || (action[1] !== "all" && action[1] !== index)) return;
          select.value = tr.getAttribute("data-suggestion");
          var note = tr.querySelector(".suggestion");
          if (note) note.hidden = true;
          used += 1;
        });
        liveRegion("rows-status").textContent = used + (used === 1 ? " suggestion" : " suggestions") +
          " used. Save to keep them.";
      }
    });
  }

  // Configure, under a token too easy to guess to save under: move what it holds to a
  // new one through the API, then carry on under the new one.
  function moveProblem(body, status) {
    var error = body && body.errors && body.errors[0];
    if (!error) return "the server answered " + status + "; try again shortly";
    if (error.field === "account_numbers") {
      return "some accounts stored under this token are not on this page: choose your CSV files " +
        "on the first page, press Configure, and move from there";
    }
    if (error.field === "token" && status === 404) {
      return "nothing is stored under this token yet: get a token and save under that one";
    }
    return error.message;
  }

  function enhanceMove() {
    var button = document.getElementById("move-token");
    var form = document.getElementById("configure-form");
    var status = document.getElementById("move-status");
    var moved = document.getElementById("moved");
    var shown = document.getElementById("moved-token");
    if (!button || !form || !status || !moved || !shown) return;
    button.addEventListener("click", function () {
      var old = form.querySelector('input[name="token"]').value;
      var numbers = Array.prototype.map.call(
        form.querySelectorAll('input[type="hidden"][name^="account-"][name$="-number"]'),
        function (input) { return input.value; });
      button.disabled = true;
      status.textContent = "Moving your settings\u2026";
      newToken().then(function (made) {
        return fetch("/api/v1/config/move", {
          method: "POST",
          cache: "no-store",
          credentials: "same-origin",
          headers: { "Authorization": "Bearer " + old, "Content-Type": "application/json" },
          body: JSON.stringify({ new_token: made, account_numbers: numbers })
        }).then(function (response) {
          return response.json().catch(function () { return null; }).then(function (body) {
            if (!response.ok) throw new Error(moveProblem(body, response.status));
            return made;
          });
        });
      }).then(function (made) {
        document.querySelectorAll('input[type="hidden"][name="token"]').forEach(function (input) {
          input.value = made;
        });
        keepToken(made);
        shown.textContent = made;
        var copyStatus = document.createElement("p");
        copyStatus.className = "note";
        copyStatus.setAttribute("aria-live", "polite");
        shown.insertAdjacentElement("afterend", copyButton(function () { return made; }, copyStatus, "Copy the new token"));
        shown.parentNode.insertAdjacentElement("afterend", copyStatus);
        moved.hidden = false;
        button.hidden = true;
        status.textContent = "Moved: your settings are under the new token below, and the old one opens nothing.";
      }).catch(function (error) {
        button.disabled = false;
        status.textContent = "Not moved: " + error.message + ".";
      });
    });
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary && !document.querySelector("[autofocus]")) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceTokenField();
    enhanceTokenPage();
    enhanceHome();
    enhanceRebalance();
    enhanceConfigure();
    enhanceMove();
    if (document.getElementById("erased")) forgetToken();  // it opens nothing now
    focusErrors();
  });
})();
