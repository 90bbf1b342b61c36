// Ravnaq service worker, served at /sw.js (scope /).
// Assets: cache first (refreshed behind). Pages: network first, a copy of each page kept so that a page the
// mentor opened before (a family, a form) opens again in a village without signal.
// Forms are never cached here: POSTs go to the network; app.js keeps them in its outbox.
'use strict';

// Bump the version to drop every kept page and asset at once.
var CACHE = 'ravnaq-v1';
var PRECACHE = ['/assets/app.css', '/assets/app.js', '/offline'];

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // One by one: a missing file must not stop the worker from installing.
      return Promise.all(PRECACHE.map(function (url) {
        return cache.add(new Request(url, { cache: 'reload' })).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf('ravnaq-') === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// Cache first, refreshed in the background: assets open at once, even offline, and a
// changed app.css/app.js is picked up on the next page even if CACHE was not bumped.
function fromCacheFirst(event) {
  var request = event.request;
  var update = fetch(request).then(function (response) {
    if (response.status === 200) {
      var copy = response.clone();
      return caches.open(CACHE).then(function (cache) { return cache.put(request, copy); })
        .then(function () { return response; });
    }
    return response;
  });
  event.waitUntil(update.catch(function () {}));
  return caches.match(request).then(function (hit) {
    if (hit) return hit;
    return update;
  });
}

// Network first; keep pages answered 200 (not redirects, e.g. to sign in).
function fromNetworkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.status === 200 && !response.redirected && response.type === 'basic') {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    // Offline: the page as last seen, else the offline page.
    return caches.match(request, { ignoreVary: true }).then(function (hit) {
      return hit || caches.match('/offline');
    }).then(function (hit) {
      return hit || new Response('<!doctype html><meta charset="utf-8"><title>Ravnaq</title><p>Offline.</p>',
        { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return; // POSTs and the rest: straight to the network
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf('/assets/') === 0) {
    event.respondWith(fromCacheFirst(event));
  } else if (request.mode === 'navigate') {
    event.respondWith(fromNetworkFirst(request));
  }
});

// On sign-out (app.js posts 'signed-out'), forget the kept pages: they hold families' data.
// Assets and /offline stay so the app still opens.
self.addEventListener('message', function (event) {
  if (event.data !== 'signed-out') return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (req) {
        var path = new URL(req.url).pathname;
        return path.indexOf('/assets/') !== 0 && path !== '/offline';
      }).map(function (req) { return cache.delete(req); }));
    });
  }));
});
