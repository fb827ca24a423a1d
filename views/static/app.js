/*
 * The little the console needs beyond htmx's attributes. Loaded after htmx and its SSE extension; no
 * inline script anywhere (the CSP forbids it), so everything here hangs off data- attributes.
 */
(function () {
  'use strict';

  // Controls that only work with JavaScript (add/remove rows, close buttons) are shown from here on.
  document.documentElement.classList.add('js');

  // --- Copy buttons: <button data-copy="#id"> copies that input's value (the one-time token reveal). ---
  function copyFrom(button) {
    var source = document.querySelector(button.getAttribute('data-copy'));
    if (!source) return;
    var text = 'value' in source ? source.value : source.textContent;
    var done = function () {
      var original = button.textContent;
      button.textContent = button.getAttribute('data-copied-text') || 'Copied';
      button.classList.add('copied');
      window.setTimeout(function () {
        button.textContent = original;
        button.classList.remove('copied');
      }, 2000);
    };
    var fallback = function () {
      // Plain-HTTP consoles have no Clipboard API: select the text and use the old command.
      if (source.select) source.select();
      try {
        if (document.execCommand('copy')) done();
      } catch (e) {
        /* the text stays selected for Ctrl+C */
      }
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  }

  // --- Dialogs: data-open-dialog="id" opens <dialog id>, data-close-dialog closes the one it is in. ---
  function openDialog(id) {
    var dialog = document.getElementById(id);
    if (dialog && typeof dialog.showModal === 'function' && !dialog.open) dialog.showModal();
  }

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var copy = target.closest('[data-copy]');
    if (copy) return copyFrom(copy);
    var opener = target.closest('[data-open-dialog]');
    if (opener) return openDialog(opener.getAttribute('data-open-dialog'));
    var closer = target.closest('[data-close-dialog]');
    if (closer) {
      var dialog = closer.closest('dialog');
      if (dialog) dialog.close();
      return;
    }
    var addRow = target.closest('[data-map-add]');
    if (addRow) return addMapRow(addRow.closest('[data-map]'));
    var removeRow = target.closest('[data-map-remove]');
    if (removeRow) return removeMapRow(removeRow.closest('.map-row'));
    var dismiss = target.closest('[data-dismiss="alert"]');
    if (dismiss) {
      var area = dismiss.closest('.alert-area');
      if (area) area.textContent = '';
    }
  });

  // --- Key/value rows (HTTP headers): a new row from the field's <template>, a row removed. ---
  function addMapRow(field) {
    if (!field) return;
    var template = field.querySelector('template[data-map-template]');
    var rows = field.querySelector('[data-map-rows]');
    if (!template || !rows) return;
    rows.appendChild(template.content.cloneNode(true));
    var inputs = rows.querySelectorAll('.map-row:last-child input');
    if (inputs.length) inputs[0].focus();
  }

  function removeMapRow(row) {
    if (!row) return;
    var rows = row.parentElement;
    var field = row.closest('[data-map]');
    row.remove();
    // Always keep one (empty) row to type into.
    if (rows && !rows.querySelector('.map-row')) addMapRow(field);
    var add = field && field.querySelector('[data-map-add]');
    if (add) add.focus();
  }

  // --- Fields shown only while another field has certain values (data-when-field / data-when-in). ---
  function controllerValues(form, name) {
    var values = [];
    var boxes = 0;
    var elements = form.querySelectorAll('[name]');
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      if (element.name !== name || element.type === 'hidden') continue; // hidden: a checkbox's "false" companion
      if (element.type === 'checkbox' || element.type === 'radio') {
        boxes++;
        if (element.checked) values.push(element.value);
      } else {
        values.push(element.value);
      }
    }
    // A lone unticked box (a yes/no field) stands for "false".
    if (boxes === 1 && values.length === 0) values.push('false');
    return values;
  }

  function applyConditions(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var fields = scope.querySelectorAll('[data-when-field]');
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      var form = field.closest('form');
      if (!form) continue;
      var allowed;
      try {
        allowed = JSON.parse(field.getAttribute('data-when-in') || '[]');
      } catch (e) {
        allowed = [];
      }
      var current = controllerValues(form, field.getAttribute('data-when-field'));
      var show = allowed.some(function (value) {
        return current.indexOf(String(value)) !== -1;
      });
      field.hidden = !show;
      // A hidden field is not sent: the plugin's default applies, as the form promises.
      var inputs = field.querySelectorAll('input, select, textarea, button');
      for (var j = 0; j < inputs.length; j++) inputs[j].disabled = !show;
    }
  }

  document.addEventListener('change', function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest('form') && target.closest('form').querySelector('[data-when-field]')) {
      applyConditions(target.closest('form'));
    }
  });

  // A dialog that is closed (Escape, Cancel, the ✕) forgets its form, so the next one opens fresh.
  document.addEventListener(
    'close',
    function (event) {
      var dialog = event.target;
      if (dialog instanceof HTMLDialogElement && dialog.hasAttribute('data-clear-on-close')) {
        var body = dialog.firstElementChild;
        if (body) body.textContent = '';
      }
    },
    true,
  );

  applyConditions(document);

  document.addEventListener('focusin', function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute('data-select-on-focus')) target.select();
  });

  if (!window.htmx) return; // pages still read fine without htmx

  // A fragment loaded into a <dialog> opens it (Add/Edit forms); data-close-dialog-on-success closes it after.
  document.body.addEventListener('htmx:afterSwap', function (event) {
    var dialog = event.detail && event.detail.target && event.detail.target.closest && event.detail.target.closest('dialog');
    if (dialog && !dialog.open && typeof dialog.showModal === 'function') dialog.showModal();
  });

  // After new content arrives: conditions applied to its fields, and a refused form's first bad field focused.
  document.body.addEventListener('htmx:afterSettle', function (event) {
    var target = event.detail && event.detail.elt;
    applyConditions(document);
    if (!(target instanceof Element)) return;
    var form = target.matches('form') ? target : target.querySelector('form');
    var invalid = form && form.querySelector('[aria-invalid="true"]');
    if (invalid && typeof invalid.focus === 'function') invalid.focus();
  });

  // Live refreshes that name what changed (data: {"ids": [...]}) skip fragments about something else
  // (data-live-id): an open monitor page re-reads only when its monitor changed.
  document.body.addEventListener('htmx:confirm', function (event) {
    var detail = event.detail || {};
    var elt = detail.elt;
    var trigger = detail.triggeringEvent;
    if (!(elt instanceof Element) || !elt.hasAttribute('data-live-id') || !trigger || typeof trigger.type !== 'string') return;
    if (trigger.type.indexOf('sse:') !== 0 || !trigger.detail || typeof trigger.detail.data !== 'string') return;
    try {
      var ids = JSON.parse(trigger.detail.data).ids;
      if (Array.isArray(ids) && ids.indexOf(Number(elt.getAttribute('data-live-id'))) === -1) event.preventDefault();
    } catch (e) {
      /* not ours to judge: let it refresh */
    }
  });

  // --- Live refreshes are never lost. A list refreshed live drops a refresh that comes while it is being
  // fetched (hx-sync "this:drop", so a page link or filter is never replaced by a refresh), and that fetch may
  // have been answered before the change. So a live event that comes while its fragment is in flight is
  // remembered, and the fragment (the one now in the page, with its current URL) is fetched once more when
  // that request is done. ---
  var inFlight = {};
  var missedLive = {};
  function requestTargetId(event) {
    var target = event.detail && event.detail.target;
    return target instanceof Element && target.id ? target.id : null;
  }
  document.body.addEventListener('htmx:confirm', function (event) {
    var detail = event.detail || {};
    var trigger = detail.triggeringEvent;
    var elt = detail.elt;
    if (!(elt instanceof Element) || !elt.id || !trigger || typeof trigger.type !== 'string') return;
    if (trigger.type.indexOf('sse:') === 0 && inFlight[elt.id] > 0) missedLive[elt.id] = true;
  });
  document.body.addEventListener('htmx:beforeRequest', function (event) {
    var id = requestTargetId(event);
    if (id) inFlight[id] = (inFlight[id] || 0) + 1;
  });
  document.body.addEventListener('htmx:afterRequest', function (event) {
    var id = requestTargetId(event);
    if (!id) return;
    inFlight[id] = Math.max(0, (inFlight[id] || 1) - 1);
    // A request aborted by hx-sync "replace" ends here before the click or filter that replaces it has
    // started: wait a turn, so the refresh follows that request instead of racing it with the old URL.
    setTimeout(function () {
      if (inFlight[id] > 0 || !missedLive[id]) return;
      delete missedLive[id];
      // The fragment now in the page may not have its triggers bound yet (htmx settles new content after
      // this event), so it is fetched directly, from its own hx-get.
      var fragment = document.getElementById(id);
      var url = fragment && fragment.getAttribute('hx-get');
      if (url) htmx.ajax('GET', url, { source: fragment, target: fragment, swap: 'outerHTML' });
    }, 0);
  });

  // --- Live updates: remember the last event seen, so a re-created stream resumes there. ---
  var lastEventId = null;
  document.body.addEventListener('htmx:sseMessage', function (event) {
    if (event.detail && event.detail.lastEventId) lastEventId = event.detail.lastEventId;
  });

  htmx.createEventSource = function (url) {
    var resumeUrl = url;
    if (lastEventId) resumeUrl = url.replace(/([?&]since=)[^&]*/, '$1' + encodeURIComponent(lastEventId));
    var source = new EventSource(resumeUrl, { withCredentials: true });
    // The server says the page is too far behind, from an earlier server run, or its session ended.
    source.addEventListener('reload', function () {
      source.close();
      window.location.reload();
    });
    return source;
  };
})();

/*
 * Heartbeats, alarms, alerts, maintenance and settings pages.
 */
(function () {
  'use strict';

  // <button data-clear="#id"> empties that element (a test result dismissed).
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-clear]') : null;
    if (!target) return;
    var area = document.querySelector(target.getAttribute('data-clear'));
    if (area) area.textContent = '';
  });

  if (!window.htmx) return;

  // A live refresh (event stream or timer) of a fragment marked data-live-hold waits while the person is
  // working in it: a form field has the focus, or an inline editor or attempt list is open. The next
  // refresh catches up.
  function busyIn(elt) {
    var active = document.activeElement;
    var typing = active && elt.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    return typing || elt.querySelector('details[open]') !== null;
  }
  function liveHeld(event) {
    var elt = event.detail && event.detail.elt;
    return elt instanceof Element && elt.hasAttribute('data-live-hold') && busyIn(elt);
  }
  document.body.addEventListener('htmx:confirm', function (event) {
    if (liveHeld(event)) event.preventDefault();
  });
  // A refresh already on its way when the person opened an editor is dropped too, not swapped over it.
  document.body.addEventListener('htmx:beforeSwap', function (event) {
    if (liveHeld(event)) event.detail.shouldSwap = false;
  });
})();
