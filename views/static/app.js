/*
 * The little the console needs beyond htmx's attributes. Loaded after htmx and its SSE extension; no
 * inline script anywhere (the CSP forbids it), so everything here hangs off data- attributes.
 */
(function () {
  'use strict';

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
    var dismiss = target.closest('[data-dismiss="alert"]');
    if (dismiss) {
      var area = dismiss.closest('.alert-area');
      if (area) area.textContent = '';
    }
  });

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
