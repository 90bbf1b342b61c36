// Ravnaq web app: service worker, offline outbox, form helpers. Plain ES2017, no build.
(function () {
  'use strict';

  // ---------- Service worker: lets pages opened before open again offline ----------
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {});
  }

  // Shared by every run of this script in this window: one timer, one set of keys in flight.
  var shared = window.ravnaqOutbox || (window.ravnaqOutbox = { inFlight: new Set(), timer: null });
  var inFlight = shared.inFlight;
  var hasDB = typeof indexedDB !== 'undefined';

  // ---------- IndexedDB: database `ravnaq`, store `outbox`, keyPath `key` ----------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open('ravnaq', 1);
        open.onupgradeneeded = function () {
          if (!open.result.objectStoreNames.contains('outbox')) {
            open.result.createObjectStore('outbox', { keyPath: 'key' });
          }
        };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { dbPromise = null; reject(open.error); };
      });
    }
    return dbPromise;
  }
  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction('outbox', mode);
        var req = work(t.objectStore('outbox'));
        t.oncomplete = function () { resolve(req && req.result); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }
  function allItems() { return tx('readonly', function (s) { return s.getAll(); }); }
  function putItem(item) { return tx('readwrite', function (s) { return s.put(item); }); }
  function deleteItem(key) { return tx('readwrite', function (s) { return s.delete(key); }).catch(function () {}); }

  // ---------- Idempotency-Key: made on the phone, reused on every retry ----------
  function newKey() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : null;
  }

  // The first error the server wrote on a re-rendered form page.
  function errorText(html, status) {
    try {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      var el = doc.querySelector('div.form-error') || doc.querySelector('p.field-error');
      var text = el && el.textContent.replace(/\s+/g, ' ').trim();
      if (text) return text;
    } catch (e) { /* fall through */ }
    return 'HTTP ' + status;
  }

  // Show the server's answer (the form with its errors) in place of this page. Swapping
  // the body (not document.write) keeps this script's listeners on `document` working.
  function showPage(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    if (doc.title) document.title = doc.title;
    var token = doc.querySelector('meta[name="csrf-token"]');
    var mine = document.querySelector('meta[name="csrf-token"]');
    if (token && mine) mine.setAttribute('content', token.getAttribute('content'));
    document.body.replaceWith(document.importNode(doc.body, true));
    window.scrollTo(0, 0);
    var first = document.querySelector('[aria-invalid="true"]') || document.querySelector('div.form-error');
    if (first) {
      if (!first.hasAttribute('tabindex') && first.matches('div')) first.setAttribute('tabindex', '-1');
      first.focus();
    }
    render();
  }

  // ---------- Sending one outbox item ----------
  // own = true for the submission the person just made; false for a background replay.
  function send(item, own) {
    if (inFlight.has(item.key) && !own) return Promise.resolve();
    inFlight.add(item.key);
    var params = new URLSearchParams(item.body);
    var token = csrfToken(); // the session may have changed since the form was queued
    if (token) params.set('csrf', token);
    // A hanging connection counts as offline; the same key makes a retry safe.
    var abort = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = abort ? setTimeout(function () { abort.abort(); }, 30000) : null;
    return fetch(item.url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': item.key,
        'X-Ravnaq-Outbox': '1'
      },
      body: params.toString(),
      signal: abort ? abort.signal : undefined
    }).then(function (response) {
      clearTimeout(timer);
      return outcome(item, own, response);
    }, function () {
      clearTimeout(timer);
      return null; // network error: keep it, still waiting
    }).catch(function () { return null; }).then(function () {
      inFlight.delete(item.key);
      return render();
    });
  }

  function outcome(item, own, response) {
    var status = response.status;
    if (response.ok) {
      // Recorded (the server's 303 was followed). Go where the server sent us.
      return deleteItem(item.key).then(function () {
        if (!own) return;
        if (response.redirected) { location.assign(response.url); return; }
        return response.text().then(showPage);
      });
    }
    if (status === 401) return keep(item, 'signin', '');
    if (status >= 500) return keep(item, 'waiting', '');
    return response.text().then(function (html) {
      if (own && (status === 422 || status === 409)) {
        // The person sees the server's page with its message; nothing left to send.
        return deleteItem(item.key).then(function () { showPage(html); });
      }
      // 422/409 on replay, or any other 4xx: keep it so the person sees why and discards it.
      return keep(item, 'refused', errorText(html, status));
    });
  }

  function keep(item, state, message) {
    item.state = state;
    item.message = message;
    return putItem(item);
  }

  // Replay what is waiting, one at a time in the order it was made.
  var replaying = false;
  function replay() {
    if (!hasDB || replaying || !navigator.onLine || !csrfToken()) return Promise.resolve();
    replaying = true;
    return allItems().then(function (items) {
      items.sort(function (a, b) { return a.created - b.created; });
      return items.reduce(function (chain, item) {
        if (item.state !== 'waiting' && item.state !== 'signin') return chain;
        return chain.then(function () { return send(item, false); });
      }, Promise.resolve());
    }).catch(function () {}).then(function () { replaying = false; });
  }

  // ---------- The outbox banner ----------
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function when(ms) {
    var d = new Date(ms);
    return two(d.getDate()) + '.' + two(d.getMonth() + 1) + '.' + d.getFullYear() + ' ' +
      two(d.getHours()) + ':' + two(d.getMinutes());
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function render() {
    var box = document.getElementById('outbox');
    if (!box || !hasDB) return Promise.resolve();
    return allItems().then(function (items) {
      box.textContent = '';
      if (!items.length) { box.hidden = true; return; }
      items.sort(function (a, b) { return a.created - b.created; });
      var waiting = items.filter(function (i) { return i.state !== 'refused'; }).length;
      if (waiting) box.appendChild(el('p', null, (box.dataset.waiting || '{n}').split('{n}').join(String(waiting))));
      var list = el('ul');
      items.forEach(function (item) {
        var li = el('li', item.state);
        li.appendChild(el('span', 'label', item.label));
        li.appendChild(el('span', 'when', when(item.created)));
        var stateText = item.state === 'refused' ? box.dataset.refused
          : item.state === 'signin' ? box.dataset.signin : '';
        if (stateText) li.appendChild(el('span', 'state', stateText));
        if (item.state === 'refused') {
          var discard = el('button', 'secondary', box.dataset.discard || '×');
          discard.type = 'button';
          discard.setAttribute('data-outbox-discard', item.key);
          li.appendChild(discard);
          if (item.message) li.appendChild(el('span', 'why', item.message));
        }
        list.appendChild(li);
      });
      box.appendChild(list);
      box.hidden = false;
    }).catch(function () {});
  }

  // ---------- Event handlers (delegated on document) ----------
  function onSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    // Signing out: the service worker forgets the pages it kept (families' data).
    if (form.classList.contains('sign-out') && navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage('signed-out');
    }

    // A form-level confirmation, for forms that carry data-confirm themselves.
    if (form.dataset.confirm && !confirm(form.dataset.confirm)) { event.preventDefault(); return; }

    // Check the server-written HTML5 constraints before anything is sent or kept.
    if (form.classList.contains('record') && !form.checkValidity()) {
      event.preventDefault();
      form.reportValidity();
      return;
    }

    if (!form.hasAttribute('data-offline') || !hasDB) return; // an ordinary submission
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return; // no double taps: each would be a new record

    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var item = {
      key: newKey(),
      // getAttribute, not form.action: a field named "action" would shadow the property.
      url: new URL(form.getAttribute('action') || location.href, location.href).href,
      method: 'POST',
      body: new URLSearchParams(data).toString(),
      label: form.getAttribute('data-offline-label') || document.title,
      created: Date.now(),
      state: 'waiting'
    };

    form.setAttribute('aria-busy', 'true');
    inFlight.add(item.key); // before storing, so a replay never picks it up meanwhile
    // Stored BEFORE sending: if the phone dies mid-send the record is still kept.
    putItem(item).then(function () {
      return render().then(function () { return send(item, true); });
    }, function () {
      // Nowhere to keep it (private mode, full disk): send it without the outbox.
      return send(item, true);
    }).then(function () {
      form.removeAttribute('aria-busy');
    });
  }

  function onClick(event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var discard = target.closest('[data-outbox-discard]');
    if (discard) {
      deleteItem(discard.getAttribute('data-outbox-discard')).then(render, render);
      return;
    }
    var asking = target.closest('[data-confirm]');
    if (asking && !(asking instanceof HTMLFormElement) && !confirm(asking.dataset.confirm)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  document.addEventListener('submit', onSubmit);
  document.addEventListener('click', onClick);

  if (hasDB) {
    // Replace an older run's listener instead of adding a second one.
    if (shared.onOnline) window.removeEventListener('online', shared.onOnline);
    shared.onOnline = function () { replay(); };
    window.addEventListener('online', shared.onOnline);
    if (!shared.timer) {
      shared.timer = setInterval(function () { if (navigator.onLine) replay(); }, 30000);
    }
    render().then(replay);
  }
})();
